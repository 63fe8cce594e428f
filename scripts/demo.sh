#!/usr/bin/env bash
# `make demo`: lwgw against a stand-in gateway on a throwaway HOME (your real dotfiles are never
# touched). Starts the stand-in on free loopback ports and stops everything it started on exit.
set -euo pipefail
build_dir=${1:-build}
build_dir=$(cd "$build_dir" && pwd)
lwgw="$build_dir/lwgw"
standin="$build_dir/tests/lwgw-standin-gateway"
for f in "$lwgw" "$standin"; do
  [[ -x $f ]] || { echo "demo: $f is missing; run \`make build\` first" >&2; exit 1; }
done
command -v curl >/dev/null || { echo "demo: curl is needed for the streaming part" >&2; exit 1; }

demo_home=$(mktemp -d "${TMPDIR:-/tmp}/lwgw-demo.XXXXXX")
pids=()
cleanup() {
  local pid
  "$lwgw" -q down --timeout 10 >/dev/null 2>&1 || true
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$demo_home"
}
trap cleanup EXIT
export HOME="$demo_home" XDG_CONFIG_HOME="$demo_home/.config" XDG_STATE_HOME="$demo_home/.local/state"
export XDG_RUNTIME_DIR="$demo_home/run" LWGW_SYSTEM_CONFIG="$demo_home/etc/lwgw/config.toml"
unset LWGW_VK LWGW_CONFIG LWGW_GATEWAY_URL LWGW_LISTEN LWGW_LOG_LEVEL
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
mkdir -p "$XDG_RUNTIME_DIR"

bold() { printf '\033[1m%s\033[0m\n' "$*"; }
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

demo_key=vk-lw-01HZX9N0DEM0DEM0DEM0DEM0DE

# Starts a stand-in gateway with a profile; sets $url once it listens.
url=
start_standin() {
  local name=$1
  shift
  "$standin" --port 0 --key "$demo_key" --drain-delay-ms 200 --frame-delay-ms 120 "$@" \
    >"$demo_home/$name.out" 2>"$demo_home/$name.log" &
  pids+=($!)
  local i
  for i in $(seq 1 100); do
    if grep -q '^listening ' "$demo_home/$name.out" 2>/dev/null; then
      url=$(sed -n 's/^listening /http:\/\//p' "$demo_home/$name.out")
      return 0
    fi
    sleep 0.1
  done
  echo "demo: the stand-in gateway did not start:" >&2
  cat "$demo_home/$name.log" >&2
  return 1
}

bold "lwgw demo: a throwaway HOME in $demo_home, a stand-in gateway on loopback"
start_standin seed --profile seed
seed_url=$url
start_standin current --profile current
current_url=$url
printf 'stand-in gateway (the gateway as of 2026-04-19): %s\n' "$seed_url"
printf 'stand-in gateway (today'"'"'s gateway):                 %s\n' "$current_url"

step "lwgw --version"
"$lwgw" --version

step "printf '%s\n' $demo_key | lwgw login --gateway $seed_url --key-stdin"
printf '%s\n' "$demo_key" | "$lwgw" login --gateway "$seed_url" --key-stdin
step "lwgw whoami"
"$lwgw" whoami

step "lwgw config set proxy.listen 127.0.0.1:0   # any free port, so the demo never meets a real lwgw"
"$lwgw" config set proxy.listen 127.0.0.1:0
step "lwgw up"
"$lwgw" up
proxy_url="http://$("$lwgw" status --json | sed -n 's/.*"listen": "\([^"]*\)".*/\1/p')"
local_token=$("$lwgw" env --api-key)
step "lwgw status"
"$lwgw" status

step "lwgw smoke --completion"
"$lwgw" smoke --completion

step "lwgw smoke --via-proxy   # the same probes through the local proxy"
"$lwgw" smoke --via-proxy

step "lwgw diff            # the 2026-04-19 gateway against its verified output"
"$lwgw" diff

step "lwgw diff --gateway $current_url   # today's gateway: drift, not breaking"
"$lwgw" diff --gateway "$current_url"

step "lwgw diff --gateway $current_url --record known-good.json; lwgw diff --baseline known-good.json"
"$lwgw" -q diff --gateway "$current_url" --record "$demo_home/known-good.json" >/dev/null
"$lwgw" diff --gateway "$current_url" --baseline "$demo_home/known-good.json" | tail -n 1

# One streamed request per dialect through the local proxy, which swaps the local token for the VK;
# tokens print as they arrive.
stream() {
  local title=$1 path=$2 header=$3 body=$4 filter=$5
  step "$title"
  curl -sN "$proxy_url$path" -H "$header" -H 'content-type: application/json' \
    -H 'anthropic-version: 2023-06-01' --data "$body" |
    while IFS= read -r line; do
      line=${line%$'\r'}
      [[ $line == data:* ]] || continue
      data=${line#data: }
      [[ $data == "[DONE]" ]] && continue
      text=$(sed -n "$filter" <<<"$data")
      [[ -n $text ]] && printf '%s' "$text"
    done
  printf '\n'
}
stream "Anthropic Messages (Claude Code): POST /v1/messages, stream" "/v1/messages?beta=true" \
  "x-api-key: $local_token" \
  '{"model":"claude-haiku-4-5-20251001","max_tokens":32,"stream":true,"messages":[{"role":"user","content":"Say hello"}]}' \
  's/.*"text_delta","text":"\([^"]*\)".*/\1/p'
stream "OpenAI chat (Aider, opencode, Cursor): POST /v1/chat/completions, stream" \
  "/v1/chat/completions" "Authorization: Bearer $local_token" \
  '{"model":"gpt-5-mini","stream":true,"messages":[{"role":"user","content":"Say hello"}]}' \
  's/.*"delta":{"content":"\([^"]*\)".*/\1/p'
stream "OpenAI Responses (Codex): POST /v1/responses, stream" "/v1/responses" \
  "Authorization: Bearer $local_token" \
  '{"model":"gpt-5-mini","stream":true,"input":"Say hello"}' \
  's/.*"type":"response.output_text.delta".*"delta":"\([^"]*\)".*/\1/p'
stream "Gemini (Gemini CLI): POST /v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse" \
  "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse" "x-goog-api-key: $local_token" \
  '{"contents":[{"role":"user","parts":[{"text":"Say hello"}]}]}' \
  's/.*"parts":\[{"text":"\([^"]*\)"}\].*/\1/p'

step "lwgw status   # the smoke probes and the four streams went through it"
"$lwgw" status
step "lwgw logs -n 4"
"$lwgw" logs -n 4
step "lwgw down"
"$lwgw" down

step "stopping the stand-in gateways (SIGTERM: drain, then stop)"
for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
pids=()
cat "$demo_home/seed.log"

step lwgw logout
"$lwgw" logout
printf '\nDemo finished; nothing is left running and its throwaway HOME (%s) is removed.\n' \
  "$demo_home"
