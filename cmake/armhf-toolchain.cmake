# Cross build for the BeagleBone Black (TI AM335x: Cortex-A8, armhf) with Debian's multiarch
# packages: arm-linux-gnueabihf-gcc, the :armhf -dev packages in /usr/lib/arm-linux-gnueabihf,
# and libhdf5-dev:armhf unpacked into a private prefix by `scripts/install-deps.sh --armhf`
# (it cannot be installed beside the native one).
#
# pkg-config sees only armhf .pc files, so the native /usr/include/hdf5/serial (whose
# H5pubconf.h describes a 64-bit ABI) is never on the include path; h5_common.c also checks
# H5pubconf.h's type sizes against the compiler's at compile time.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(CMAKE_C_COMPILER arm-linux-gnueabihf-gcc)
# Debian's armhf baseline (ARMv7, Thumb-2, VFPv3-D16), scheduled for the node's Cortex-A8. NEON
# is not assumed: the files that use it are compiled for it and chosen at run time (cpu.h).
set(CMAKE_C_FLAGS_INIT "-mtune=cortex-a8")

get_filename_component(_sheep_repo "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(SHEEP_ARMHF_PREFIX "${_sheep_repo}/.deps/armhf" CACHE PATH
    "private prefix holding the unpacked libhdf5-dev:armhf (scripts/install-deps.sh --armhf)")
# try_compile reads this file again in a project of its own, which does not see the cache:
# handed on, the prefix is the same there, so PKG_CONFIG_LIBDIR below is not set back to the
# default (the package build gives the prefix on the command line)
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES SHEEP_ARMHF_PREFIX)

set(CMAKE_FIND_ROOT_PATH /usr/arm-linux-gnueabihf "${SHEEP_ARMHF_PREFIX}/root")
set(CMAKE_LIBRARY_ARCHITECTURE arm-linux-gnueabihf)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(ENV{PKG_CONFIG_LIBDIR}
    "${SHEEP_ARMHF_PREFIX}/pkgconfig:/usr/lib/arm-linux-gnueabihf/pkgconfig:/usr/share/pkgconfig")

# CTest runs the armhf test programs under user-mode qemu, as the node's CPU
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm -cpu cortex-a8)
