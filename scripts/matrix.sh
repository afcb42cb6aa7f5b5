#!/usr/bin/env bash
# The build matrix: every target with gcc and with clang, in the build types Release,
# RelWithDebInfo and Debug and with Debian's packaging flags, warnings as errors
# (SHEEP_WERROR=ON). Builds only, no tests; the fuzz option stays off (the fuzz build of
# `make test` covers it). One line per combination, the build output of a failing one after
# its line; exits non-zero if any failed. `make matrix` runs it, and `make test` too.
#
#   scripts/matrix.sh [ROOT]   build directories ROOT/<compiler>-<type> (default build-matrix),
#                              each with its logs matrix-configure.log and matrix-build.log
#   JOBS=N                     parallel jobs of each build (default: nproc)
#   MATRIX_CFLAGS=...          appended to the C flags of every combination, e.g.
#                              -Wno-error=some-warning while someone fixes it
#
# Ninja, not make: the whole matrix from scratch takes about 25 s instead of 35 s on 2 cores (the
# builds are CPU-bound, so building combinations side by side gains nothing).
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
root=$(realpath -m "${1:-$here/build-matrix}")
jobs=${JOBS:-$(nproc)}
extra=${MATRIX_CFLAGS:-}
compilers=(gcc clang)
types=(Release RelWithDebInfo Debug Debian)

# Debian's flags as debhelper hands them to CMake: build type None, CPPFLAGS (_FORTIFY_SOURCE)
# appended to CFLAGS as CMake has no CPPFLAGS, LDFLAGS for executables and modules. Asked in
# the source directory, as in a package build (-ffile-prefix-map).
cd "$here" || exit 1
debian_cflags="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)" || exit 1
debian_ldflags=$(dpkg-buildflags --get LDFLAGS) || exit 1

failed=0
for cc in "${compilers[@]}"; do
  for type in "${types[@]}"; do
    dir=$root/$cc-$type
    # (no man pages: the release build and the packages make them)
    args=(-S "$here" -B "$dir" -G Ninja -DCMAKE_C_COMPILER="$cc" -DSHEEP_WERROR=ON
          -DSHEEP_MAN_PAGES=OFF)
    if [ "$type" = Debian ]; then
      args+=(-DCMAKE_BUILD_TYPE=None "-DCMAKE_C_FLAGS=$debian_cflags $extra"
             "-DCMAKE_EXE_LINKER_FLAGS=$debian_ldflags"
             "-DCMAKE_SHARED_LINKER_FLAGS=$debian_ldflags"
             "-DCMAKE_MODULE_LINKER_FLAGS=$debian_ldflags")
    else
      # explicit, so that a CFLAGS in the environment does not slip into the first configure
      args+=(-DCMAKE_BUILD_TYPE="$type" "-DCMAKE_C_FLAGS=$extra")
    fi
    mkdir -p "$dir"
    log=$dir/matrix-configure.log
    if cmake "${args[@]}" > "$log" 2>&1; then
      log=$dir/matrix-build.log
      # -k 0: every error of a failing combination, not only the first
      if cmake --build "$dir" -j "$jobs" -- -k 0 > "$log" 2>&1; then
        echo "matrix: $cc $type ok"
        continue
      fi
    fi
    echo "matrix: $cc $type FAILED (log: $log)"
    grep -Ev '^\[[0-9]+/[0-9]+\] ' "$log" # without Ninja's progress lines
    failed=1
  done
done
exit $failed
