# `cmake --install`: what goes where (issue 6). Paths follow GNUInstallDirs, so that
# -DCMAKE_INSTALL_PREFIX=/usr (the .deb, scripts/package.sh) gives the Debian layout:
#
#   /usr/bin/kaizend, /usr/bin/kaizenctl
#   /etc/kaizen/kaizen.json                       systemd/kaizen.json: no teams, nothing sent
#                                                 until the operator adds them (a conffile)
#   /usr/share/kaizen/templates/*.json            the plan templates that config names
#   /usr/lib/systemd/system/kaizend.service       when systemd/kaizend.service is in the tree
#   /usr/share/bash-completion/completions/kaizenctl  when cli/completion/kaizenctl.bash is
#   /usr/share/man/man8/kaizend.8, man1/kaizenctl.1
#   /usr/share/doc/kaizen/                        README, API reference, OpenAPI, and the full
#                                                 example config with installed paths
#
# kaizend goes to bin, not sbin: it runs unprivileged (as user kaizen under systemd), and its
# one-shot modes (--check-config, --backup, --version) are for anyone who edits a config or
# takes a backup, not only root; Debian keeps sbin for programs only the administrator runs.
# The systemd unit's ExecStart must therefore name /usr/bin/kaizend.
include(GNUInstallDirs)

set(KAIZEN_SYSTEMD_UNIT_DIR "lib/systemd/system"
    CACHE STRING "Where the systemd unit is installed (relative to the prefix, or absolute)")
set(KAIZEN_STATE_DIR "${CMAKE_INSTALL_FULL_LOCALSTATEDIR}/lib/kaizen"
    CACHE STRING "kaizend's database directory in the packaged config")
set(KAIZEN_CONFIG_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/kaizen")
set(KAIZEN_TEMPLATE_DIR "${CMAKE_INSTALL_DATADIR}/kaizen/templates")
set(KAIZEN_FULL_TEMPLATE_DIR "${CMAKE_INSTALL_FULL_DATADIR}/kaizen/templates")

install(TARGETS kaizend kaizenctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The full example for installed systems: examples/kaizen.json with the database in the state
# directory and the templates where they are installed. It is documentation, not the config at
# /etc: its example people, channels and schedules would start review cycles for teams that do
# not exist. Made at configure time, again whenever the example changes.
set(KAIZEN_PACKAGED_CONFIG ${PROJECT_BINARY_DIR}/packaging/kaizen.json)
set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${PROJECT_SOURCE_DIR}/examples/kaizen.json)
file(READ ${PROJECT_SOURCE_DIR}/examples/kaizen.json kaizen_config_text)
function(kaizen_config_replace from to)
  string(FIND "${kaizen_config_text}" "${from}" found)
  if(found EQUAL -1)
    message(FATAL_ERROR "examples/kaizen.json no longer contains '${from}': update "
                        "cmake/install.cmake, which derives the packaged config from it")
  endif()
  string(REPLACE "${from}" "${to}" replaced "${kaizen_config_text}")
  set(kaizen_config_text "${replaced}" PARENT_SCOPE)
endfunction()
kaizen_config_replace("// kaizen's configuration: the example that `scripts/run.sh` starts kaizend with."
  "// kaizen's full example configuration with the paths of an installed system. Copy the parts\n// you need into ${KAIZEN_CONFIG_DIR}/kaizen.json, check it with\n// `kaizend --check-config ${KAIZEN_CONFIG_DIR}/kaizen.json`, then start or reload kaizend.")
kaizen_config_replace("\"path\": \"var/kaizen.db\"" "\"path\": \"${KAIZEN_STATE_DIR}/kaizen.db\"")
kaizen_config_replace("relative to kaizend's working directory; scripts/run.sh creates var/."
                      "relative to kaizend's working directory; the package owns ${KAIZEN_STATE_DIR}.")
kaizen_config_replace("{\"file\": \"templates/" "{\"file\": \"${KAIZEN_FULL_TEMPLATE_DIR}/")
file(CONFIGURE OUTPUT ${KAIZEN_PACKAGED_CONFIG} CONTENT "${kaizen_config_text}" @ONLY)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/kaizen.json DESTINATION ${KAIZEN_CONFIG_DIR})

file(GLOB kaizen_templates ${PROJECT_SOURCE_DIR}/examples/templates/*.json)
install(FILES ${kaizen_templates} DESTINATION ${KAIZEN_TEMPLATE_DIR})

# Written by other areas; installed when present so that each can land on its own.
if(EXISTS ${PROJECT_SOURCE_DIR}/systemd/kaizend.service)
  install(FILES ${PROJECT_SOURCE_DIR}/systemd/kaizend.service
          DESTINATION ${KAIZEN_SYSTEMD_UNIT_DIR})
endif()
if(EXISTS ${PROJECT_SOURCE_DIR}/cli/completion/kaizenctl.bash)
  install(FILES ${PROJECT_SOURCE_DIR}/cli/completion/kaizenctl.bash
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME kaizenctl)
endif()

install(FILES ${PROJECT_SOURCE_DIR}/docs/man/kaizend.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${PROJECT_SOURCE_DIR}/docs/man/kaizenctl.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/api.md
              ${PROJECT_SOURCE_DIR}/docs/openapi.json
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${KAIZEN_PACKAGED_CONFIG} DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
