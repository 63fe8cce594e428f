#!/usr/bin/env bash
# `make check` (run by `make test`, hence by .ci/run): formatting and clang-tidy.
#   clang-format 14 --dry-run -Werror on every tracked .cpp/.hpp (`make format` fixes them);
#   clang-tidy (.clang-tidy) on the src/ .cpp files changed since the merge base with the previous
#   commit, committed or not: a full run takes ~10 minutes on 2 cores, a commit's files seconds.
#   LWGW_TIDY_BASE=<ref> (e.g. origin/main) widens that to a branch; LWGW_TIDY_ALL=1 checks all.
# A tool that is absent is skipped with a message (packaging/deps.sh installs both on Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
status=0

log() { printf 'check: %s\n' "$*" >&2; }

if ! git rev-parse --git-dir >/dev/null 2>&1; then
  log "not a git checkout: skipping format and tidy checks"
  exit 0
fi

# The sources are laid out by clang-format 14 (Debian 12, CI). Other majors lay out some constructs
# differently (18 and 19 write `struct stat st{};` and join short lambda arguments), so with another
# version the check is skipped with a message rather than failed: the layout is a convention of the
# sources, not something that varies with the platform. LWGW_FORMAT_ANY=1 checks with any version.
format_major=14
fmt=$(command -v "clang-format-$format_major" || command -v clang-format || true)
fmt_major=
[ -z "$fmt" ] || fmt_major=$("$fmt" --version | sed -n 's/.*clang-format version \([0-9][0-9]*\)\..*/\1/p')
if [ -z "$fmt" ]; then
  log "clang-format not found: skipping the format check (install clang-format)"
elif [ "$fmt_major" != "$format_major" ] && [ "${LWGW_FORMAT_ANY:-}" != 1 ]; then
  log "clang-format ${fmt_major:-?} is not $format_major, the version the sources are formatted with:" \
    "skipping the format check (LWGW_FORMAT_ANY=1 runs it anyway)"
elif git ls-files -z '*.cpp' '*.hpp' | xargs -0 "$fmt" --dry-run -Werror; then
  log "format: ok ($fmt)"
else
  log "format: run \`make format\` (clang-format -i on the files above)"
  status=1
fi

tidy=$(command -v clang-tidy || true)
if [ -z "$tidy" ]; then  # only a versioned one (clang-tidy-19, ...): the newest installed
  tidy=$(compgen -c clang-tidy- | grep -E '^clang-tidy-[0-9]+$' | sort -t- -k3 -n | tail -1 || true)
fi
if [ -z "$tidy" ]; then
  log "clang-tidy not found: skipping clang-tidy (install clang-tidy)"
elif [ ! -f "$build_dir/compile_commands.json" ]; then
  log "no $build_dir/compile_commands.json: configure first (make build)"
  status=1
else
  if [ "${LWGW_TIDY_ALL:-}" = 1 ]; then
    mapfile -t files < <(git ls-files 'src/*.cpp')
  else
    base=${LWGW_TIDY_BASE:-HEAD~1}
    if mb=$(git merge-base HEAD "$base" 2>/dev/null); then
      mapfile -t files < <(git diff --name-only --diff-filter=d "$mb" -- 'src/*.cpp')
    else
      log "no $base to compare with: checking every src/ file"
      mapfile -t files < <(git ls-files 'src/*.cpp')
    fi
  fi
  if [ ${#files[@]} -eq 0 ]; then
    log "tidy: no changed src/ file"
  else
    log "tidy: ${#files[@]} file(s): ${files[*]}"
    jobs=$(nproc 2>/dev/null || echo 2)
    if printf '%s\0' "${files[@]}" |
        xargs -0 -n1 -P"$jobs" "$tidy" -p "$build_dir" --quiet --warnings-as-errors='*'; then
      log "tidy: ok"
    else
      log "tidy: findings above (see .clang-tidy)"
      status=1
    fi
  fi
fi
exit $status
