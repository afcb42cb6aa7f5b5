/*
 * version.h - the project's version, SHEEP_VERSION: CMake defines it for every program from
 * project(VERSION) (CMakeLists.txt), so that --version, the man pages and the packages agree.
 */
#ifndef SHEEP_COMMON_VERSION_H
#define SHEEP_COMMON_VERSION_H

#ifndef SHEEP_VERSION
#error "SHEEP_VERSION comes from CMake (the project's version)"
#endif

#endif
