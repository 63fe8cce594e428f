#!/usr/bin/env bash
# `make check` (run by `make test`, hence by .ci/run): formatting and clang-tidy.
#   clang-format --dry-run -Werror on every tracked .cpp/.hpp (`make format` fixes them);
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

if command -v clang-format >/dev/null; then
  if git ls-files -z '*.cpp' '*.hpp' | xargs -0 clang-format --dry-run -Werror; then
    log "format: ok"
  else
    log "format: run \`make format\` (clang-format -i on the files above)"
    status=1
  fi
else
  log "clang-format not found: skipping the format check (install clang-format)"
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
