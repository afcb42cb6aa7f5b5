# What `cmake --install` (and the Debian package, debian/rules) puts on a node:
#   BINDIR                  the sheep, the simulator and its modprobe stand-in, the services
#   MANDIR/man1             their man pages, made from their own --help by help2man
#   SHEEP_SYSTEMD_UNIT_DIR  shepherd.service, -launcher, -watchdog, -repair, ExecStart in BINDIR
#   SYSCONFDIR/shepherd     the example harvest and emulation tasks (and DATADIR/shepherd-sheep)
include(GNUInstallDirs)

install(TARGETS shepherd-sheep shepherd-pru-sim sim-modprobe shepherd-launcher shepherd-watchdog
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The units name the programs by their installed path.
set(SHEEP_SYSTEMD_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system" CACHE PATH
  "where the systemd units are installed (Debian 12: /lib/systemd/system)")
set(SHEEP_BINDIR "${CMAKE_INSTALL_FULL_BINDIR}")
set(SHEEP_UNITS shepherd shepherd-launcher shepherd-watchdog shepherd-repair)
foreach(unit ${SHEEP_UNITS})
  configure_file(${PROJECT_SOURCE_DIR}/deploy/systemd/${unit}.service.in
                 ${PROJECT_BINARY_DIR}/systemd/${unit}.service @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/systemd/${unit}.service DESTINATION ${SHEEP_SYSTEMD_UNIT_DIR})
endforeach()

# the examples twice: for the operator in SYSCONFDIR, and pristine in DATADIR, from which the
# package makes /etc/shepherd/config.yaml
set(SHEEP_EXAMPLES ${PROJECT_SOURCE_DIR}/deploy/etc/example_config_harvest.yaml
    ${PROJECT_SOURCE_DIR}/deploy/etc/example_config_emulation.yaml)
install(FILES ${SHEEP_EXAMPLES} DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/shepherd)
install(FILES ${SHEEP_EXAMPLES} DESTINATION ${CMAKE_INSTALL_DATADIR}/shepherd-sheep)

# Man pages: help2man runs each program's --help and --version (through the cross emulator in
# a cross build), so a page cannot drift from the program; man/<program>.h2m adds the sections
# a --help does not hold. AUTO: when help2man is installed; ON: required (the package build).
set(SHEEP_MAN_PAGES AUTO CACHE STRING "build the man pages with help2man: AUTO, ON or OFF")
set_property(CACHE SHEEP_MAN_PAGES PROPERTY STRINGS AUTO ON OFF)
find_program(HELP2MAN help2man)
if(SHEEP_MAN_PAGES STREQUAL "ON" AND NOT HELP2MAN)
  message(FATAL_ERROR "SHEEP_MAN_PAGES=ON, but help2man is not installed (apt-get install help2man)")
endif()
if(HELP2MAN AND NOT SHEEP_MAN_PAGES STREQUAL "OFF")
  set(man_pages "")
  foreach(program shepherd-sheep shepherd-pru-sim sim-modprobe shepherd-launcher shepherd-watchdog)
    set(page ${PROJECT_BINARY_DIR}/man/${program}.1)
    add_custom_command(OUTPUT ${page}
      COMMAND ${PROJECT_SOURCE_DIR}/scripts/manpage.sh ${HELP2MAN} ${page}
              ${PROJECT_SOURCE_DIR}/man/${program}.h2m $<TARGET_FILE:${program}>
              ${CMAKE_CROSSCOMPILING_EMULATOR}
      DEPENDS ${program} ${PROJECT_SOURCE_DIR}/man/${program}.h2m
              ${PROJECT_SOURCE_DIR}/scripts/manpage.sh
      COMMENT "Man page ${program}.1"
      VERBATIM)
    list(APPEND man_pages ${page})
  endforeach()
  add_custom_target(man_pages ALL DEPENDS ${man_pages})
  install(FILES ${man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  message(STATUS "man pages: help2man (${HELP2MAN})")
else()
  message(STATUS "man pages: not built (SHEEP_MAN_PAGES=${SHEEP_MAN_PAGES}, help2man: ${HELP2MAN})")
endif()
