# CPack: the Debian package `kaizen` (scripts/package.sh builds it; scripts/test-package.sh
# installs, checks and purges it). Configure with -DCMAKE_INSTALL_PREFIX=/usr so that the
# config lands in /etc (GNUInstallDirs' rule for the /usr prefix), then `cpack -G DEB`.
set(CPACK_PACKAGE_NAME kaizen)
set(CPACK_PACKAGE_VENDOR "kaizen")
set(CPACK_PACKAGE_CONTACT "kaizen maintainers <kaizen@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "improvement plans with owners, deadlines and reminders")
# One quoted argument: several would be joined with ';'.
set(CPACK_PACKAGE_DESCRIPTION "kaizend keeps improvement plans and their tasks in SQLite, \
serves them over an HTTP API, reminds owners before and after deadlines, escalates to managers \
and delivers every message through webhooks or chat (DingTalk, Feishu/Lark, WeCom, Slack, \
Teams, Discord). kaizenctl is its command-line client.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_GENERATOR DEB)
# RelWithDebInfo binaries carry their debug info; the package ships them stripped.
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_PACKAGE_NAME kaizen)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # kaizen_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies from the binaries themselves (dpkg-shlibdeps), plus what the maintainer
# scripts run: adduser's tools come from passwd, which every Debian system has.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd, tzdata")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "sqlite3")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
# Maintainer scripts 0755, conffiles 0644, whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
