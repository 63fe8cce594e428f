#!/usr/bin/env bash
# Issue 13's proxy benchmark: the upstream reached directly, through nginx (plain reverse proxy,
# one worker) and through lwgw, measured side by side in one run with the rounds interleaved.
# Prints a table (value, target, PASS/FAIL) and optionally writes JSON. See tests/bench/README.md.
#
#   bash tests/bench/run.sh [--quick] [--json FILE] [--haproxy] [--keep]
#
# Expects build/lwgw and build/tests/lwgw-bench-tool (`cmake --build build`; LWGW_BUILD_DIR to
# use another build directory). Installs nginx and wrk with apt-get when missing. Linux only.
# Exit: 0 every target met · 1 some target missed · 2 could not run · 77 nginx/wrk unavailable.
set -euo pipefail

usage() {
  sed -n '2,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
  cat <<'EOF'

  --quick     a smoke run of about 15 s (fewer rounds, shorter windows; numbers are noisier)
  --json F    also write the table, the targets and every raw measurement to F as JSON
  --haproxy   add HAProxy (nbthread 1) as a fourth column when it is installed (not installed here)
  --keep      keep the temp directory (configs, nginx/lwgw logs, raw JSON lines)
EOF
}

QUICK=0 JSON_OUT="" WITH_HAPROXY=0 KEEP=0
while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --json)
      [[ $# -ge 2 ]] || { usage >&2; exit 2; }
      JSON_OUT=$2
      shift
      ;;
    --json=*) JSON_OUT=${1#--json=} ;;
    --haproxy) WITH_HAPROXY=1 ;;
    --keep) KEEP=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[[ -z $JSON_OUT || $JSON_OUT == /* ]] || JSON_OUT=$PWD/$JSON_OUT

say() { printf '%s\n' "$*" >&2; }
fail() { say "run.sh: $*"; exit 2; }

[[ $(uname -s) == Linux ]] || { say "run.sh: skipped: Linux only (epoll, /proc)"; exit 77; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${LWGW_BUILD_DIR:-$ROOT/build}
LWGW=$BUILD/lwgw
TOOL=$BUILD/tests/lwgw-bench-tool
[[ -x $LWGW && -x $TOOL ]] ||
  fail "$LWGW or $TOOL missing; build first: cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build"

# ---- nginx and wrk ---------------------------------------------------------------------------

find_cmd() { command -v "$1" 2>/dev/null || { [[ -x /usr/sbin/$1 ]] && echo "/usr/sbin/$1"; } || true; }

# ensure CMD PKG... : installs the first package apt-get knows, when CMD is missing.
ensure() {
  local cmd=$1
  shift
  [[ -n $(find_cmd "$cmd") ]] && return 0
  local sudo=()
  if ((EUID != 0)); then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=(sudo -n); else
      say "run.sh: skipped: $cmd is missing and installing it needs root (apt-get install $1)"
      exit 77
    fi
  fi
  command -v apt-get >/dev/null || { say "run.sh: skipped: $cmd is missing and there is no apt-get"; exit 77; }
  local pkg
  for pkg in "$@"; do
    say "run.sh: installing $pkg for $cmd (apt-get)"
    if "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >&2 ||
      { "${sudo[@]}" apt-get update -q >&2 &&
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >&2; }; then
      [[ -n $(find_cmd "$cmd") ]] && return 0
    fi
  done
  say "run.sh: skipped: could not install $cmd (tried: $*)"
  exit 77
}
ensure nginx nginx-light nginx
ensure wrk wrk
NGINX=$(find_cmd nginx)
WRK=$(find_cmd wrk)
HAPROXY=""
if ((WITH_HAPROXY)); then
  HAPROXY=$(find_cmd haproxy)
  [[ -n $HAPROXY ]] || say "run.sh: --haproxy: haproxy is not installed; running without it"
fi

# Every process started here gets the same soft limit on open files: by default 1024, what
# systemd gives a user session, so the 256-stream row does not depend on who runs the script
# (root often has far more). LWGW_BENCH_NOFILE=N to change it.
NOFILE=${LWGW_BENCH_NOFILE:-1024}
hard=$(ulimit -Hn)
[[ $hard == unlimited || $hard -ge $NOFILE ]] || NOFILE=$hard
ulimit -Sn "$NOFILE" || fail "cannot set the open-file limit to $NOFILE"

# ---- everything started here is stopped on exit, Ctrl-C included ---------------------------

TMP=$(mktemp -d "${TMPDIR:-/tmp}/lwgw-bench.XXXXXX")
STARTED=()
UP_ENV=()
# shellcheck disable=SC2317  # reached through the traps
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if ((${#UP_ENV[@]})); then
    timeout 15 env -i "${UP_ENV[@]}" "$LWGW" down >/dev/null 2>&1 || true
  fi
  local pid i
  for pid in "${STARTED[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${STARTED[@]}"; do
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if ((KEEP)); then say "run.sh: kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_for FILE REGEX PID SECONDS: the first line of FILE matching REGEX, while PID lives.
wait_for() {
  local i line
  for ((i = 0; i < $4 * 20; i++)); do
    line=$(grep -m1 -E "$2" "$1" 2>/dev/null || true)
    [[ -n $line ]] && { printf '%s\n' "$line"; return 0; }
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# wait_port PORT PID SECONDS: until something accepts on 127.0.0.1:PORT.
wait_port() {
  local i
  for ((i = 0; i < $3 * 20; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

RESULTS=$TMP/results.jsonl
: >"$RESULTS"

# ---- the upstream ----------------------------------------------------------------------------

"$TOOL" serve >"$TMP/upstream.out" 2>"$TMP/upstream.err" &
UP_PID=$!
STARTED+=("$UP_PID")
line=$(wait_for "$TMP/upstream.out" '^listening ' "$UP_PID" 10) || fail "upstream did not start: $(cat "$TMP/upstream.err")"
UP_PORT=${line##*:}
say "run.sh: upstream (lwgw-bench-tool serve) on 127.0.0.1:$UP_PORT"

# ---- nginx: plain reverse proxy, one worker, everything under $TMP/nginx ----------------------

mkdir -p "$TMP/nginx"
nginx_conf() {
  local temp_paths="" m
  for m in client_body proxy fastcgi uwsgi scgi; do
    case $m in
      client_body | proxy) ;;
      *) "$NGINX" -V 2>&1 | grep -q -- "--without-http_${m}_module" && continue ;;
    esac
    temp_paths+="  ${m}_temp_path $TMP/nginx/${m}_temp;"$'\n'
  done
  cat <<EOF
$( ((EUID == 0)) && echo "user root;")
worker_processes 1;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }  # 256 streams hold 512
http {
  access_log $TMP/nginx/access.log;  # lwgw logs a line per request too
$temp_paths
  upstream gateway {
    server 127.0.0.1:$UP_PORT;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$1;
    client_max_body_size 64m;
    location / {
      proxy_pass http://gateway;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
EOF
}
NGX_PORT="" NGX_PID=""
for attempt in 1 2 3; do
  port=$("$TOOL" freeport)
  nginx_conf "$port" >"$TMP/nginx/nginx.conf"
  "$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log" \
    >"$TMP/nginx/stdout.log" 2>&1 &
  pid=$!
  STARTED+=("$pid")
  if wait_port "$port" "$pid" 10; then
    NGX_PORT=$port NGX_PID=$pid
    break
  fi
  kill -TERM "$pid" 2>/dev/null || true
  say "run.sh: nginx did not start on $port (attempt $attempt): $(tail -n 3 "$TMP/nginx/error.log" 2>/dev/null)"
done
[[ -n $NGX_PORT ]] || fail "nginx would not start; see $TMP/nginx/error.log (--keep keeps it)"
NGX_WORKER=""
for ((i = 0; i < 100; i++)); do
  NGX_WORKER=$(awk '{print $1}' "/proc/$NGX_PID/task/$NGX_PID/children" 2>/dev/null || true)
  [[ -n $NGX_WORKER ]] && break
  sleep 0.05
done
[[ -n $NGX_WORKER ]] || fail "cannot find nginx's worker process"
say "run.sh: nginx $("$NGINX" -v 2>&1 | sed 's|.*/||') on 127.0.0.1:$NGX_PORT (worker pid $NGX_WORKER)"

# ---- HAProxy (optional) ----------------------------------------------------------------------

HA_PORT="" HA_PID=""
if [[ -n $HAPROXY ]]; then
  mkdir -p "$TMP/haproxy"
  HA_PORT=$("$TOOL" freeport)
  cat >"$TMP/haproxy/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 120s
  timeout server 120s
  timeout http-keep-alive 120s
  option http-no-delay  # else it merges small writes (MSG_MORE): SSE events arrive in bursts
frontend bench
  bind 127.0.0.1:$HA_PORT
  default_backend gateway
backend gateway
  server up 127.0.0.1:$UP_PORT
EOF
  "$HAPROXY" -db -f "$TMP/haproxy/haproxy.cfg" >"$TMP/haproxy/out.log" 2>&1 &
  HA_PID=$!
  STARTED+=("$HA_PID")
  wait_port "$HA_PORT" "$HA_PID" 10 || fail "haproxy did not start: $(tail -n 3 "$TMP/haproxy/out.log")"
  say "run.sh: $("$HAPROXY" -v | head -n 1 | cut -d' ' -f1-3) on 127.0.0.1:$HA_PORT"
fi

# ---- lwgw: a temp HOME, logged in to the upstream, `up --foreground` ---------------------------

VK=vk-lw-01HZX9N0BENCHBENCHBENCHBENC
# lwgw_env DIR: the environment of an lwgw whose HOME is DIR/home (nothing of the caller's).
lwgw_env() {
  mkdir -p "$1/home" "$1/run"
  chmod 700 "$1/run"
  LW_ENV=(HOME="$1/home" XDG_CONFIG_HOME="$1/home/.config" XDG_STATE_HOME="$1/home/.local/state"
    XDG_CACHE_HOME="$1/home/.cache" XDG_RUNTIME_DIR="$1/run" PATH=/usr/local/bin:/usr/bin:/bin
    LWGW_SYSTEM_CONFIG="$1/no-system-config.toml")
}
lwgw_login() {
  printf %s "$VK" | timeout 30 env -i "${LW_ENV[@]}" "$LWGW" login --gateway "http://127.0.0.1:$UP_PORT" \
    --no-verify --key-stdin >"$2" 2>&1 || fail "lwgw login failed: $(cat "$2")"
}
lwgw_env "$TMP/lwgw"
MAIN_ENV=("${LW_ENV[@]}")
lwgw_login "$TMP/lwgw" "$TMP/lwgw/login.log"
TOKEN=$(grep -o -m1 'lwgw_lt_[A-Za-z0-9_-]*' "$TMP/lwgw/home/.config/lwgw/credentials" 2>/dev/null | head -n 1 || true)
if [[ -z $TOKEN ]]; then
  # The key went to a keychain: run without the local token instead.
  timeout 30 env -i "${MAIN_ENV[@]}" "$LWGW" config set proxy.require_local_token false >/dev/null 2>&1 ||
    fail "no local token in the credentials file and cannot set proxy.require_local_token"
  say "run.sh: no local token in the credentials file; proxy.require_local_token = false"
fi
env -i "${MAIN_ENV[@]}" "$LWGW" up --foreground --listen 127.0.0.1:0 >"$TMP/lwgw/proxy.out" 2>&1 &
LW_PID=$!
STARTED+=("$LW_PID")
line=$(wait_for "$TMP/lwgw/proxy.out" 'proxy listening on http://127\.0\.0\.1:[0-9]+' "$LW_PID" 15) ||
  fail "lwgw up --foreground did not start: $(tail -n 5 "$TMP/lwgw/proxy.out")"
LW_PORT=$(sed -E 's|.*http://127\.0\.0\.1:([0-9]+).*|\1|' <<<"$line")
say "run.sh: $("$LWGW" version 2>/dev/null | head -n 1) on 127.0.0.1:$LW_PORT (pid $LW_PID)"

# Targets as the tool takes them: NAME=PORT[:PID] (PID: the process whose RSS/threads count).
T_DIRECT=(--target "direct=$UP_PORT")
T_PROXIES=(--target "nginx=$NGX_PORT:$NGX_WORKER")
[[ -n $HA_PORT ]] && T_PROXIES+=(--target "haproxy=$HA_PORT:$HA_PID")
T_PROXIES+=(--target "lwgw=$LW_PORT:$LW_PID")
T_ALL=("${T_DIRECT[@]}" "${T_PROXIES[@]}")
AUTH=()
[[ -n $TOKEN ]] && AUTH=(--token "$TOKEN")

# tool ARGS...: one phase of lwgw-bench-tool, its JSON line appended to the results; each phase
# bounds its own waits, this is the backstop.
tool() { timeout --foreground -k 5 900 "$TOOL" "$@" >>"$RESULTS"; }

timeout --foreground -k 5 120 "$TOOL" probe "${T_ALL[@]}" "${AUTH[@]}" >&2 ||
  fail "a target does not answer as expected (see above; --keep keeps the logs in $TMP)"

# ---- the run -----------------------------------------------------------------------------------

if ((QUICK)); then
  IDLE=(--seconds 1 --conns 4) UPREADY=(--reps 3)
  LAT=(--rounds 2 -n 300 --warmup 20) TTFB=(--rounds 2 -n 200 --warmup 20)
  PACE=(--rounds 1 --events 20 --interval-us 5000) RPS_ROUNDS=1 RPS_SECONDS=1
  CONC=(--rounds 1 --streams 256 --events 10 --interval-us 20000)
else
  IDLE=(--seconds 5 --conns 8) UPREADY=(--reps 7)
  LAT=(--rounds 5 -n 2000 --warmup 100) TTFB=(--rounds 5 -n 1000 --warmup 50)
  PACE=(--rounds 5 --events 200 --interval-us 5000) RPS_ROUNDS=3 RPS_SECONDS=3
  CONC=(--rounds 1 --streams 256 --events 50 --interval-us 20000)
fi
# clean TEXT: one line without the characters a JSON string would need escaped.
# shellcheck disable=SC1003
clean() { tr -d '"\\' <<<"$1" | tr '\n' ' ' | sed 's/ *$//'; }
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
[[ -n $(git -C "$ROOT" status --porcelain -- src include 2>/dev/null) ]] && commit+="+dirty"
printf '{"phase":"meta","mode":"%s","date":"%s","machine":"%s","lwgw_version":"%s","commit":"%s","nginx_version":"%s","wrk":"%s","load_start":"%s","nofile":%d}\n' \
  "$( ((QUICK)) && echo quick || echo full)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  "$(clean "$(nproc) cores, $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')")" \
  "$(clean "$("$LWGW" version 2>/dev/null | head -n 1)")" "$commit" \
  "$(clean "$("$NGINX" -v 2>&1 | sed 's|.*/||')")" "$(clean "$("$WRK" --version 2>&1 | head -n 1 | cut -d' ' -f1-2)")" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "$NOFILE" >>"$RESULTS"

phase() { say "== $*"; }

phase "idle: threads, RSS and wakeups (no connections, then idle keep-alive connections)"
tool idle "${T_PROXIES[@]}" "${AUTH[@]}" "${IDLE[@]}"

phase "lwgw up (background) until it returns, then lwgw down"
lwgw_env "$TMP/lwgw-up"
UP_ENV=("${LW_ENV[@]}")
lwgw_login "$TMP/lwgw-up" "$TMP/lwgw-up/login.log"
timeout --foreground -k 5 900 env -i "${UP_ENV[@]}" "$TOOL" upready --lwgw "$LWGW" "${UPREADY[@]}" >>"$RESULTS"

phase "latency, 1 connection, interleaved rounds"
tool latency "${T_ALL[@]}" "${AUTH[@]}" "${LAT[@]}"

phase "time to first streamed byte, 1 connection, interleaved rounds"
tool ttfb "${T_ALL[@]}" "${AUTH[@]}" "${TTFB[@]}"

phase "paced SSE streams, one at a time, interleaved rounds"
tool pace "${T_ALL[@]}" "${AUTH[@]}" "${PACE[@]}"

# Before wrk: what a process keeps after a load peak would otherwise count as these phases' RSS.
phase "one 32 MiB request body (peak RSS of the proxy process)"
tool body --target "lwgw=$LW_PORT:$LW_PID" "${AUTH[@]}" --mib 32

phase "256 concurrent paced streams per target (peak RSS of the proxy process)"
tool concurrent "${T_ALL[@]}" "${AUTH[@]}" "${CONC[@]}"

cat >"$TMP/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '{"model":"bench","messages":[{"role":"user","content":"hi"}]}'
wrk.headers["Content-Type"] = "application/json"
EOF
[[ -z $TOKEN ]] || printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$TOKEN" >>"$TMP/post.lua"
NAMES=(direct nginx)
PORTS=("$UP_PORT" "$NGX_PORT")
[[ -n $HA_PORT ]] && NAMES+=(haproxy) PORTS+=("$HA_PORT")
NAMES+=(lwgw)
PORTS+=("$LW_PORT")
for conns in 16 64; do
  phase "requests/s, wrk -t1 -c$conns, ${RPS_SECONDS}s per target, $RPS_ROUNDS round(s), interleaved"
  for ((round = 0; round < RPS_ROUNDS; round++)); do
    for ((k = 0; k < ${#NAMES[@]}; k++)); do
      j=$(((k + round) % ${#NAMES[@]}))
      out=$(timeout --foreground $((RPS_SECONDS + 30)) "$WRK" -t1 -c"$conns" -d"${RPS_SECONDS}s" --timeout 10s \
        -s "$TMP/post.lua" "http://127.0.0.1:${PORTS[j]}/v1/chat/completions" 2>&1) || true
      rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
      non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
      sockerr=$(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1+\2+\3+\4/p' <<<"$out")
      errors=$((${non2xx:-0} + ${sockerr:-0}))
      printf '{"phase":"rps","conns":%d,"target":"%s","round":%d,"seconds":%d,"rps":%s,"errors":%d}\n' \
        "$conns" "${NAMES[j]}" "$round" "$RPS_SECONDS" "${rps:-null}" "$errors" >>"$RESULTS"
      [[ -n $rps ]] || say "run.sh: wrk against ${NAMES[j]} gave no result: $(tail -n 2 <<<"$out")"
    done
  done
done

tool procstat "${T_PROXIES[@]}" --phase after
printf '{"phase":"meta","load_end":"%s"}\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RESULTS"
kill -0 "$LW_PID" 2>/dev/null || fail "lwgw exited during the run: $(tail -n 5 "$TMP/lwgw/proxy.out")"

say ""
rc=0
"$TOOL" report "$RESULTS" ${JSON_OUT:+--json "$JSON_OUT"} || rc=$?
[[ -z $JSON_OUT ]] || say "run.sh: JSON in $JSON_OUT"
exit "$rc"
