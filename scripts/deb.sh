#!/usr/bin/env bash
# deb.sh [OUTDIR]: the Debian packages shepherd-sheep and shepherd-pru-sim for amd64 (the build
# machine's architecture) and armhf, with debhelper (debian/), then lintian on both. `make deb`
# runs it after scripts/install-deps.sh --armhf.
#
# Each architecture is built by dpkg-buildpackage in a copy of the tree of its own under
# OUTDIR/work (default OUTDIR: build-deb): the files git tracks and the new ones it does not
# ignore (outside git: the tree without build directories), so a build never sees build
# directories or an earlier package build, and nothing is written beside the checkout. The
# packages, their -dbgsym packages, .buildinfo and .changes end up in OUTDIR. The tests are not run in the package build (DEB_BUILD_OPTIONS=nocheck):
# `make test` runs them.
#
# The armhf build skips dpkg's check of the build dependencies (-d): libhdf5-dev cannot be
# installed for a second architecture (it is not Multi-Arch: same), so the cross build links
# the copy that install-deps.sh unpacks into .deps/armhf (cmake/armhf-toolchain.cmake).
#
#   DEB_ARCHS="amd64 armhf"   which architectures (default: the build machine's and armhf)
#   JOBS=N                    parallel jobs (default: nproc)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$here/build-deb}")
native=$(dpkg --print-architecture)
archs=${DEB_ARCHS:-"$native armhf"}
jobs=${JOBS:-$(nproc)}
version=$(cd "$here" && dpkg-parsechangelog -SVersion)

rm -rf "$out"
mkdir -p "$out/work"
for arch in $archs; do
  tree=$out/work/$arch/shepherd-sheep-$version
  mkdir -p "$tree"
  if git -C "$here" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
    (cd "$here" && git ls-files -z --cached --others --exclude-standard |
      while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
      tar -cf - --null -T -) | tar -xf - -C "$tree"
  else # an unpacked source tree: all of it but what builds leave
    tar -C "$here" --exclude='./build*' --exclude=./.deps --exclude='./obj-*' \
      --exclude=./demo-output -cf - . | tar -xf - -C "$tree"
  fi
  args=(-b -us -uc)
  if [ "$arch" != "$native" ]; then
    args+=(-a "$arch" -d -Pcross,nocheck)
  fi
  echo "deb: building $version for $arch (log: $out/work/$arch/build.log)"
  if ! (cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=$jobs" \
    SHEEP_ARMHF_PREFIX="$here/.deps/armhf" dpkg-buildpackage "${args[@]}") \
    > "$out/work/$arch/build.log" 2>&1; then
    grep -E -A8 "CMake Error|error:|Error [0-9]" "$out/work/$arch/build.log" | tail -n 40
    echo "deb: the $arch build failed (log: $out/work/$arch/build.log)" >&2
    exit 1
  fi
  mv "$out/work/$arch"/*.deb "$out/work/$arch"/*.buildinfo \
    "$out/work/$arch"/*.changes "$out/"
done

# lintian on each architecture's upload: errors and warnings both fail; a tag that stays is
# overridden, with the reason, in debian/*.lintian-overrides. Its report, overrides shown, is
# kept as OUTDIR/lintian_ARCH.txt (tests/e2e/test_package.py reads it); lintian's own exit
# code would count the shown overrides, so the tags are looked at here.
status=0
for arch in $archs; do
  changes=$out/shepherd-sheep_${version}_$arch.changes
  report=$out/lintian_$arch.txt
  echo "deb: lintian $(basename "$changes") (report: $report)"
  if ! lintian --show-overrides --info --fail-on none "$changes" > "$report" 2>&1; then
    cat "$report"
    echo "deb: lintian could not check $(basename "$changes")" >&2
    status=1
  elif grep -Eq '^[EW]: ' "$report"; then
    cat "$report"
    status=1
  fi
done
ls -1 "$out"/*.deb
exit $status
