# Writes OUT (generated/lwgw/build_info.hpp) from IN with the commit id of SOURCE_DIR, "unknown"
# outside git. Run with `cmake -D... -P` on every build (target lwgw_build_info): configure_file
# leaves OUT untouched when its text is unchanged, so a rebuild recompiles only after a new commit.
# A source tarball made by `git archive` (packaging/release.sh) has no .git: its cmake/commit.txt
# holds the commit instead (export-subst in .gitattributes).
file(READ ${SOURCE_DIR}/cmake/commit.txt LWGW_ARCHIVE_COMMIT)
string(STRIP "${LWGW_ARCHIVE_COMMIT}" LWGW_ARCHIVE_COMMIT)
string(SUBSTRING "${LWGW_ARCHIVE_COMMIT}" 0 12 LWGW_ARCHIVE_COMMIT)
execute_process(
  COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${SOURCE_DIR}
  OUTPUT_VARIABLE LWGW_GIT_COMMIT
  RESULT_VARIABLE LWGW_GIT_RESULT
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(LWGW_ARCHIVE_COMMIT AND NOT LWGW_ARCHIVE_COMMIT MATCHES "Format")
  set(LWGW_GIT_COMMIT "${LWGW_ARCHIVE_COMMIT}")
elseif(NOT LWGW_GIT_RESULT EQUAL 0 OR NOT LWGW_GIT_COMMIT)
  set(LWGW_GIT_COMMIT "unknown")
endif()
configure_file(${IN} ${OUT} @ONLY)
