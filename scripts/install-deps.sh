#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing, packaging, the demo and the benchmark
# need.
# Idempotent: asks dpkg first and calls apt-get only for what is missing.
#
#   install-deps.sh            the native build, tests, demo and benchmark
#   install-deps.sh --armhf    also the cross build for the BeagleBone (armhf): the cross
#                              compiler, qemu-user, the :armhf -dev packages and a private
#                              copy of libhdf5-dev:armhf (see below)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
native=$(dpkg --print-architecture)

packages=(
  build-essential cmake ninja-build pkg-config clang clang-format
  libhdf5-dev hdf5-tools liblzf-dev libyaml-dev libcmocka-dev zlib1g-dev
  python3 python3-h5py python3-numpy python3-pytest python3-yaml
  valgrind python3-matplotlib
  libzstd-dev libelf-dev libssl-dev srecord binutils
  debhelper lintian help2man mmdebstrap
)
# libraries the armhf build links (Multi-Arch: same, so they install beside the native ones)
armhf_libs=(liblzf-dev libyaml-dev zlib1g-dev libcmocka-dev libaec-dev libc6-dev libzstd-dev libelf-dev
  libssl-dev)

armhf=0
for arg in "$@"; do
  case "$arg" in
    --armhf) armhf=1 ;;
    *) echo "install-deps: unknown option $arg (--armhf)" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive

# installed for the given architecture (or architecture-independent); a bare name would also
# count a foreign-architecture copy, e.g. liblzf-dev:armhf for the native liblzf-dev
installed() {
  local name=${1%%:*} arch=${1#*:}
  [ "$arch" = "$1" ] && arch=$native
  dpkg-query -W -f='${Status} ${Architecture}\n' "$name" 2>/dev/null |
    grep -Eq "^install ok installed ($arch|all)$"
}

updated=0
apt_install() {
  local missing=()
  for p in "$@"; do
    installed "$p" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "install-deps: installing ${missing[*]}"
  if [ $updated -eq 0 ]; then
    $SUDO apt-get update -qq
    updated=1
  fi
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

apt_install "${packages[@]}"
[ $armhf -eq 1 ] || exit 0

if ! dpkg --print-foreign-architectures | grep -qx armhf; then
  echo "install-deps: adding the armhf architecture to dpkg"
  $SUDO dpkg --add-architecture armhf
  updated=0
fi
apt_install crossbuild-essential-armhf qemu-user "${armhf_libs[@]/%/:armhf}"

# libhdf5-dev is not Multi-Arch: same (both architectures own /usr/include/hdf5/serial/H5pubconf.h),
# so installing the armhf package would remove the native one. Its .deb is unpacked into a
# private prefix instead; the toolchain file and the .pc written here point the cross build at
# it, and nothing of it is installed into the system.
prefix=$here/.deps/armhf
version=$(dpkg-query -W -f='${Version}' "libhdf5-dev:$native")
stamp=$prefix/libhdf5-dev.version
if [ "$(cat "$stamp" 2>/dev/null)" != "$version" ]; then
  echo "install-deps: unpacking libhdf5-dev:armhf $version into $prefix"
  rm -rf "$prefix"
  mkdir -p "$prefix/debs"
  if [ $updated -eq 0 ]; then
    $SUDO apt-get update -qq
    updated=1
  fi
  # apt's download sandbox user may not write here: download as the caller
  (cd "$prefix/debs" && apt-get download -qq -o APT::Sandbox::User="$(id -un)" \
    "libhdf5-dev:armhf=$version")
  dpkg-deb -x "$prefix"/debs/libhdf5-dev_*_armhf.deb "$prefix/root"
  mkdir -p "$prefix/pkgconfig"
  cat > "$prefix/pkgconfig/hdf5-serial.pc" <<EOF
Name: HDF5
Description: libhdf5-dev:armhf $version, unpacked for the sheep's cross build
Version: ${version%%+*}
Cflags: -I$prefix/root/usr/include/hdf5/serial
Libs: -L$prefix/root/usr/lib/arm-linux-gnueabihf/hdf5/serial -lhdf5
EOF
  echo "$version" > "$stamp"
fi
