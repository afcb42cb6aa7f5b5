#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing, the demo and the benchmark need.
# Idempotent: asks dpkg first and calls apt-get only for what is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang clang-format
  libhdf5-dev hdf5-tools liblzf-dev libyaml-dev libcmocka-dev zlib1g-dev
  python3 python3-h5py python3-numpy python3-pytest python3-yaml
  valgrind python3-matplotlib
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
