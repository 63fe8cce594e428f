# Installed files beyond the binary, man page and completions (documentation, the systemd user
# units on Linux) and the Debian package: `cpack -G DEB` in the build directory (or
# packaging/release.sh) builds build/lwgw_<version>-1_<arch>.deb. Depends are computed from the
# binary's shared libraries (dpkg-shlibdeps), not written by hand. No maintainer script: the
# package never touches a user's HOME.

set(LWGW_DEB_RELEASE 1)
set(LWGW_DEB_VERSION "${PROJECT_VERSION}-${LWGW_DEB_RELEASE}")
set(LWGW_PKG_DIR ${CMAKE_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${LWGW_PKG_DIR})

# Debian policy: compressed man page and changelogs (gzip -n: no timestamp, reproducible).
find_program(LWGW_GZIP gzip REQUIRED)
configure_file(packaging/debian/changelog ${LWGW_PKG_DIR}/changelog.Debian @ONLY)
set(LWGW_GZ_FILES
    ${LWGW_PKG_DIR}/lwgw.1.gz ${LWGW_PKG_DIR}/changelog.Debian.gz ${LWGW_PKG_DIR}/changelog.gz)
add_custom_command(
  OUTPUT ${LWGW_GZ_FILES}
  COMMAND ${LWGW_GZIP} -9nc ${CMAKE_SOURCE_DIR}/man/lwgw.1 > ${LWGW_PKG_DIR}/lwgw.1.gz
  COMMAND ${LWGW_GZIP} -9nc ${LWGW_PKG_DIR}/changelog.Debian > ${LWGW_PKG_DIR}/changelog.Debian.gz
  COMMAND ${LWGW_GZIP} -9nc ${CMAKE_SOURCE_DIR}/CHANGELOG.md > ${LWGW_PKG_DIR}/changelog.gz
  DEPENDS man/lwgw.1 ${LWGW_PKG_DIR}/changelog.Debian CHANGELOG.md
  COMMENT "Compressing the man page and changelogs"
  VERBATIM)
add_custom_target(lwgw_compressed_docs ALL DEPENDS ${LWGW_GZ_FILES})

install(FILES ${LWGW_PKG_DIR}/lwgw.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${LWGW_PKG_DIR}/changelog.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})  # CHANGELOG.md

if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  # /usr/lib/systemd/user, whatever the prefix's libdir is (lib64, lib/x86_64-linux-gnu).
  set(LWGW_SYSTEMD_USER_DIR "lib/systemd/user" CACHE STRING "Where the systemd user units go")
  # Made at install time: ExecStart names the binary under the prefix being installed to
  # (/usr for the package, /usr/local for `make install`).
  foreach(unit lwgw.service lwgw.socket)
    install(CODE "
      set(LWGW_BINDIR \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
      configure_file(\"${CMAKE_SOURCE_DIR}/packaging/systemd/${unit}.in\"
                     \"${LWGW_PKG_DIR}/units/${unit}\" @ONLY)
      file(INSTALL \"${LWGW_PKG_DIR}/units/${unit}\"
           DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${LWGW_SYSTEMD_USER_DIR}\")")
  endforeach()
  install(FILES packaging/debian/copyright ${LWGW_PKG_DIR}/changelog.Debian.gz
          DESTINATION ${CMAKE_INSTALL_DOCDIR})
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME lwgw)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR LangWatch)
set(CPACK_PACKAGE_CONTACT "LangWatch <support@langwatch.ai>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "connect coding CLIs to the LangWatch AI Gateway")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${LWGW_DEB_RELEASE})
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE https://github.com/langwatch/lwgw)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# CPack puts the summary first and indents these lines itself.
set(CPACK_PACKAGE_DESCRIPTION
    "lwgw points Claude Code, Codex CLI, Gemini CLI, opencode, Aider and Cursor at
a LangWatch AI Gateway: it writes each CLI's own configuration reversibly,
runs a local loopback proxy that adds the engineer's virtual key (so no key
sits in a dotfile), probes the gateway and diagnoses what stops a CLI from
working.")
include(CPack)
