#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -fsanitize=fuzzer-no-link,address,undefined on lwgw_core)
# in BUILD_DIR and runs each from the seed corpus in tests/fuzz/corpus/<target>/ (which also holds
# every input a target once failed on, named regress-*).
#
# Two modes:
# - default (`make test`, so CI): deterministic. A fixed seed and LWGW_FUZZ_RUNS inputs per
#   target (default 20000, about 30 s for all), so the same commit always passes or always fails
#   the same way, and a failure is a change in the code, not luck.
# - LWGW_FUZZ_SECONDS=N (`make fuzz`): explores with a random seed for N seconds per target.
#   Worth running after touching a parser or an editor; add what it finds to the corpus as
#   regress-<name> once fixed.
#
# New inputs go to a scratch copy, so the repository's corpus stays small and reviewed. Exit 1 on
# any finding (crash, sanitizer report, violated property, timeout); the input is kept in
# BUILD_DIR/fuzz-findings/ for `fuzz_<target> FILE`. Without clang: says so and exits 0.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build-fuzz}
seconds=${LWGW_FUZZ_SECONDS:-}
runs=${LWGW_FUZZ_RUNS:-20000}
if [ -n "$seconds" ]; then
  budget=(-max_total_time="$seconds")
  what="${seconds}s, random seed"
else
  budget=(-seed=1 -runs="$runs")
  what="seed 1"
fi
jobs=${JOBS:-2}

cxx=${LWGW_FUZZ_CXX:-$(command -v clang++ || true)}
if [ -z "$cxx" ]; then
  echo "fuzz: skipped: clang++ is not installed (packaging/deps.sh installs clang on Debian)"
  exit 0
fi
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS=-O1 -DLWGW_FUZZ=ON >/dev/null
cmake --build "$build" -j"$jobs" --target lwgw_fuzzers

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
findings="$build/fuzz-findings"
status=0
for dir in "$here"/corpus/*/; do
  target=$(basename "$dir")
  mkdir -p "$work/$target"
  cp "$dir"* "$work/$target/"
  log="$work/$target.log"
  if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/tests/fuzz/fuzz_$target" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/$target-" "$work/$target" >"$log" 2>&1; then
    done_runs=$(grep -o 'number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    echo "fuzz: $target: ok ($done_runs inputs, $what)"
  else
    status=1
    mkdir -p "$findings"
    cp "$work/$target"-* "$findings/" 2>/dev/null || true
    echo "fuzz: $target: FINDING (input kept in $findings/):"
    grep -E 'ERROR|property violated|SUMMARY|#[0-9]+ 0x' "$log" | head -30
    for f in "$work/$target"-*; do  # the input itself, so a CI log is enough to reproduce it
      [ -f "$f" ] && echo "input $(basename "$f") (base64): $(head -c 4096 "$f" | base64 -w0)"
    done
  fi
done
exit "$status"
