#!/usr/bin/env bash
# End-to-end: a real coding CLI through lwgw against the stand-in gateway, in a throw-away HOME.
#
#   e2e.sh install                         install (or find) the pinned CLIs; print their versions
#   e2e.sh CLI proxy|direct|exec|failures  CLI: claude-code | codex | gemini-cli | opencode
#
# Needs LWGW_BIN and LWGW_STANDIN (ctest sets them). Optional: LWGW_E2E_VERSIONS=pinned|latest,
# LWGW_E2E_CACHE (install root), LWGW_E2E_TIMEOUT (seconds per CLI run, default 120),
# LWGW_E2E_MODELS (the models the stand-in serves, comma-separated; default one per family),
# LWGW_E2E_KEEP=1 (keep the temp dir). Exit 0 pass, 1 fail, 77 skipped (the reason is printed).
#
# The stand-in refuses any model it does not serve (400 model_not_allowed), and every request a
# CLI makes must name a served model: setup pins them (proxy and direct modes run each CLI with
# no model argument, so Gemini CLI's router and Claude Code's background model are in play).
#
# Hermetic: runs under `env -i` with a temp HOME/XDG_*, loopback only; the stand-in and the proxy
# listen on free 127.0.0.1 ports, so ctest may run several of these at once.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${LWGW_BIN:?LWGW_BIN must name the lwgw binary}" "${LWGW_STANDIN:?LWGW_STANDIN must name the stand-in}"

# ---- install (shared by every mode) ------------------------------------------------------------
install_out=$("$here/install-clis.sh" 2>"${TMPDIR:-/tmp}/lwgw-e2e-install.$$")
install_rc=$?
install_err=$(cat "${TMPDIR:-/tmp}/lwgw-e2e-install.$$"); rm -f "${TMPDIR:-/tmp}/lwgw-e2e-install.$$"
[ -n "$install_err" ] && printf '%s\n' "$install_err"
# ctest does not show a skipped test's output: the reason also goes to LWGW_E2E_REPORT, which
# `make test` prints after the summary.
[ "${1:-}" = install ] && [ -n "${LWGW_E2E_REPORT:-}" ] && rm -f "$LWGW_E2E_REPORT"
set_label=${LWGW_E2E_VERSIONS:-pinned}
if [ $install_rc -eq 77 ]; then
  reason=$(tail -1 <<<"${install_err:-the coding CLIs cannot be installed}")
  echo "e2e: SKIPPED — $reason"
  if [ -n "${LWGW_E2E_REPORT:-}" ] && [ "${1:-}" = install ]; then
    echo "the e2e tests (real coding CLIs, $set_label releases) were SKIPPED: $reason" >"$LWGW_E2E_REPORT"
  fi
  exit 77
elif [ $install_rc -ne 0 ]; then
  echo "e2e: FAIL — installing the coding CLIs failed (exit $install_rc)"
  exit 1
fi
prefix=$install_out
bin_dir="$prefix/node_modules/.bin"
node_dir=$(dirname "$(command -v node)")
# The Node install-clis.sh installed next to the CLIs, when one of them needs a newer one.
for d in "$prefix"/node/node_modules/node-linux-*/bin; do [ -x "$d/node" ] && node_dir=$d && PATH="$d:$PATH"; done

version_of() {
  case "$1" in
    claude-code) "$bin_dir/claude" --version ;;
    codex) "$bin_dir/codex" --version ;;
    gemini-cli) "$bin_dir/gemini" --version ;;
    opencode) "$bin_dir/opencode" --version ;;
  esac 2>/dev/null | tail -1
}

if [ "${1:-}" = install ]; then
  echo "e2e: CLIs in $prefix (LWGW_E2E_VERSIONS=$set_label), Node $("$node_dir/node" --version)"
  versions=
  for c in claude-code codex gemini-cli opencode; do
    vh=$(mktemp -d)
    v=$(HOME=$vh version_of "$c")
    rm -rf "$vh"
    [ -n "$v" ] || { echo "e2e: FAIL — $c does not run (--version printed nothing)"; exit 1; }
    echo "e2e: $c: $v"
    versions="$versions${versions:+, }$c $v"
  done
  # `make test` prints the report after ctest's summary: which releases the e2e tests ran.
  [ -n "${LWGW_E2E_REPORT:-}" ] && echo "the e2e tests ran the $set_label releases: $versions" >"$LWGW_E2E_REPORT"
  exit 0
fi

cli=${1:?usage: e2e.sh install | CLI proxy|direct|exec|failures}
mode=${2:?usage: e2e.sh CLI proxy|direct|exec|failures}
timeout_s=${LWGW_E2E_TIMEOUT:-120}
prompt="Say hello in five words."
reply="Hello from the stand-in gateway"
served_models=${LWGW_E2E_MODELS:-gpt-5-mini,claude-haiku-4-5-20251001,gemini-2.5-flash}
first_served() { tr ',' '\n' <<<"$served_models" | grep -m1 -E "$1"; }
gemini_model=$(first_served '^gemini-')
claude_model=$(first_served '^claude-')
gpt_model=$(first_served '^(gpt-|o[0-9])')
chat_model=${gpt_model:-$(first_served .)}

# Per CLI: the one-shot command (observed with the real binaries), the endpoint it must hit, the credential header the
# gateway must see, and the CLI's own headers that must arrive intact. `one_shot` names a served model where the CLI
# takes one, and so does `run_args` (lwgw exec pins no model: it touches no file); `setup_shot` is the command with no
# model, the one setup's settings choose.
case "$cli" in
  claude-code)
    run_args=(--model "$claude_model" -p "$prompt")
    one_shot="claude -p '$prompt'"
    setup_shot=$one_shot
    # The haiku alias is Claude Code's background model (ANTHROPIC_DEFAULT_HAIKU_MODEL).
    background_shot="claude -p --model haiku '$prompt'"
    endpoint='^/v1/messages$'
    cred_header=authorization
    cli_headers='[["anthropic-beta","claude-code-"],["anthropic-version","^2023-06-01$"],["x-claude-code-session-id","."],["user-agent","^claude-cli/"]]'
    ;;
  codex)
    run_args=(exec --skip-git-repo-check -m "$gpt_model" "$prompt")
    one_shot="codex exec --skip-git-repo-check '$prompt'"
    setup_shot=$one_shot
    endpoint='^/v1/responses$'
    cred_header=authorization
    cli_headers='[["originator","^codex_exec$"],["x-codex-turn-metadata","session_id"],["session-id","."],["user-agent","^codex_exec/"]]'
    ;;
  gemini-cli)
    # -m skips the router call (a non-streaming generateContent before the real one); without it, model.name does.
    run_args=(--skip-trust -m "$gemini_model" -p "$prompt")
    one_shot="gemini --skip-trust -m $gemini_model -p '$prompt'"
    setup_shot="gemini --skip-trust -p '$prompt'"
    endpoint='^/v1beta/models/[^/:]+:streamGenerateContent$'
    cred_header=x-goog-api-key
    cli_headers='[["x-goog-api-client","google-genai-sdk/"],["user-agent","^GeminiCLI"]]'
    ;;
  opencode)
    # The model must be one the provider block lists (setup writes the gateway's /v1/models).
    run_args=(run -m "lwgw/$chat_model" "$prompt")
    one_shot="opencode run -m lwgw/$chat_model '$prompt'"
    setup_shot="opencode run '$prompt'"
    endpoint='^/v1/chat/completions$'
    cred_header=authorization
    cli_headers='[["user-agent","^opencode/"],["x-session-id","^ses_"]]'
    ;;
  *) echo "e2e: unknown CLI $cli"; exit 2 ;;
esac

echo "e2e: $cli $mode with $(version_of "$cli") (${LWGW_E2E_VERSIONS:-pinned} set; lwgw: $("$LWGW_BIN" version 2>/dev/null | head -1)); the stand-in serves $served_models"

# ---- a throw-away world ----------------------------------------------------------------------------
T=$(mktemp -d "${TMPDIR:-/tmp}/lwgw-e2e-$cli-$mode.XXXXXX")
H="$T/home"
mkdir -p "$H" "$T/run" "$T/work"
chmod 700 "$T/run"
standin_pid=
failures=0

# Everything below runs in this environment only (env -i): nothing of the caller's HOME, keys,
# proxies or vendor variables leaks in. Telemetry and update checks off; no internet is needed.
world=(
  HOME="$H" XDG_CONFIG_HOME="$H/.config" XDG_CACHE_HOME="$H/.cache" XDG_DATA_HOME="$H/.local/share"
  XDG_STATE_HOME="$H/.local/state" XDG_RUNTIME_DIR="$T/run" SHELL=/bin/bash TERM=dumb LANG=C.UTF-8
  NO_COLOR=1 PATH="$bin_dir:$(dirname "$LWGW_BIN"):$node_dir:/usr/local/bin:/usr/bin:/bin"
  TMPDIR="$T"
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_AUTOUPDATER=1 CLAUDE_CODE_MAX_RETRIES=1
  OPENCODE_DISABLE_MODELS_FETCH=1 OPENCODE_DISABLE_AUTOUPDATE=1 OPENCODE_DISABLE_SHARE=1
)
w() { env -i "${world[@]}" "$@"; }
lwgw() { w "$LWGW_BIN" "$@" 2>&1; }

cleanup() {
  lwgw down >/dev/null 2>&1
  [ -n "$standin_pid" ] && kill "$standin_pid" 2>/dev/null && wait "$standin_pid" 2>/dev/null
  if [ "${LWGW_E2E_KEEP:-0}" = 1 ]; then echo "e2e: kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

fail() { echo "e2e: FAIL $*"; failures=$((failures + 1)); }
ok() { echo "e2e: ok   $*"; }
check() { # check DESCRIPTION command…
  local what=$1; shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}

rand() { head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
vk="lw_vk_e2e$(rand)"
vk_revoked="lw_vk_e2erevoked$(rand)"
vk_budget="lw_vk_e2ebudget$(rand)"

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start_standin() {
  "$LWGW_STANDIN" --host 127.0.0.1 --port 0 --profile current --drain-delay-ms 20 --record "$T/record.jsonl" \
    --models "$served_models" \
    --key "$vk" --key "$vk_revoked:revoked" --key "$vk_budget:budget_exceeded" \
    >"$T/standin.out" 2>"$T/standin.err" &
  standin_pid=$!
  local i
  for i in $(seq 1 200); do
    grep -q '^listening ' "$T/standin.out" 2>/dev/null && break
    sleep 0.05
  done
  gw_port=$(sed -n 's/^listening .*:\([0-9]*\)$/\1/p' "$T/standin.out")
  [ -n "$gw_port" ] || { echo "e2e: FAIL the stand-in did not start: $(cat "$T/standin.err")"; exit 1; }
  gw="http://127.0.0.1:$gw_port"
  : >"$T/record.jsonl"
}

# Snapshot of HOME: type, mode, path, link target and content hash of every file and symlink,
# except lwgw's own directories (config + credentials + env file, state: backups, manifest, logs).
snapshot() {
  (cd "$H" && find . -mindepth 1 \( -path ./.config/lwgw -o -path ./.local/state/lwgw \) -prune -o \
      \( -type f -o -type l \) -printf '%p\t%y %m %l\n' | LC_ALL=C sort |
    while IFS=$'\t' read -r p meta; do
      if [ -f "$p" ] && [ ! -L "$p" ]; then echo "$p $meta $(sha256sum <"$p" | cut -c1-64)"; else echo "$p $meta"; fi
    done)
}

# Dotfiles a user already has: setup must merge into them and teardown give them back byte for byte.
# ~/.bashrc is a symlink into a dotfiles directory, as dotfile managers make it.
seed_home() {
  mkdir -p "$H/dotfiles" "$H/.claude" "$H/.codex" "$H/.gemini" "$H/.config/opencode"
  printf '# my bashrc\nexport EDITOR=vi\nalias ll="ls -l"\n' >"$H/dotfiles/bashrc"
  ln -s dotfiles/bashrc "$H/.bashrc"
  printf '{\n  "cleanupPeriodDays": 30,\n  "env": {\n    "MY_SETTING": "1"\n  }\n}\n' >"$H/.claude/settings.json"
  printf '# my codex settings\n\n[history]\npersistence = "none"  # keep no history\n' >"$H/.codex/config.toml"
  printf '{\n  "general": {\n    "vimMode": false\n  }\n}\n' >"$H/.gemini/settings.json"
  printf '{\n  "$schema": "https://opencode.ai/config.json",\n  "autoupdate": false\n}\n' \
    >"$H/.config/opencode/opencode.json"
}

show() { # show LABEL FILE: the file indented, bash's job-control noise (no tty) left out
  grep -vE '^bash: (cannot set terminal process group|no job control in this shell)' "$2" | sed "s/^/  $1| /"
}

# run_cli LABEL: the one-shot command in a new interactive bash, as a user would type it.
run_cli() {
  local label=$1 cmd=${2:-$one_shot} limit=${3:-$timeout_s}
  rec_from=$(($(wc -l <"$T/record.jsonl") + 1))
  local t0=$SECONDS
  (cd "$T/work" && w timeout -k 10 "$limit" bash -ic "$cmd" </dev/null >"$T/$label.out" 2>"$T/$label.err")
  rc=$?
  elapsed=$((SECONDS - t0))
  echo "e2e: \$ bash -ic \"$cmd\"  -> exit $rc"
  show out "$T/$label.out"
  show err "$T/$label.err"
  if [ -z "${3:-}" ] && { [ $rc -eq 124 ] || [ $rc -eq 137 ]; }; then fail "$label: no answer within ${limit}s (timeout)"; fi
  output=$(cat "$T/$label.out" "$T/$label.err")
}

# run_exec LABEL [--direct]: lwgw exec, no rc file involved.
run_exec() {
  local label=$1; shift
  rec_from=$(($(wc -l <"$T/record.jsonl") + 1))
  (cd "$T/work" && w timeout -k 10 "$timeout_s" "$LWGW_BIN" exec "$@" "$cli" -- "${run_args[@]}" \
      </dev/null >"$T/$label.out" 2>"$T/$label.err")
  rc=$?
  echo "e2e: \$ lwgw exec $* $cli -- ${run_args[*]}  -> exit $rc"
  show out "$T/$label.out"
  show err "$T/$label.err"
  [ $rc -eq 124 ] || [ $rc -eq 137 ] && fail "$label: no answer within ${timeout_s}s (timeout)"
  output=$(cat "$T/$label.out" "$T/$label.err")
}

local_token() { node -e 'try{console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).local_token||"")}catch(e){console.log("")}' "$H/.config/lwgw/credentials"; }

assert_success() { # after run_cli/run_exec: exit 0, the reply printed, the request as the gateway saw it
  local label=$1 extra=${2:-}
  check "$label: $cli exited 0" [ "$rc" -eq 0 ]
  check "$label: $cli printed the gateway's reply" grep -qF "$reply" "$T/$label.out"
  local lt; lt=$(local_token)
  local spec
  spec=$(node -e 'const [p,h,k,lt,ch,extra,models,want]=process.argv.slice(1);
    console.log(JSON.stringify({path:p,header:h,key:k,forbid:[lt].filter(Boolean),cli_headers:JSON.parse(ch),
      allow_extra_same_key:extra?extra.split(","):[],models:models.split(","),want_model:want||undefined}))' \
    "$endpoint" "$cred_header" "$vk" "$lt" "$cli_headers" "$extra" "$served_models" "${want_model:-}")
  if node "$here/check-record.js" "$T/record.jsonl" "$rec_from" "$spec"; then
    ok "$label: the gateway saw the virtual key in $cred_header only, no local token, the CLI's headers intact, only served models"
  else
    fail "$label: the gateway's record"
  fi
}

# The model setup says it chose for SLOT (`<cli>: model X (served…), background Y (served…)`).
chosen_model() { sed -n "s/^$cli: .*\b$1 \([^ ,]*\) (served.*/\1/p" "$T/setup.out" | head -1; }

# After setup: it pinned a served model for each of the CLI's settings, and said which.
assert_models_pinned() {
  local line
  line=$(grep -E "^$cli: model " "$T/setup.out")
  if [ -n "$line" ] && ! grep -q 'NOT served\|not checked' <<<"$line"; then ok "setup chose served models: $line"
  else fail "setup did not say which served model $cli gets (setup output above)"; fi
}

assert_error() { # assert_error LABEL REGEX DESCRIPTION: a failed run whose output names the problem
  local label=$1 re=$2 what=$3
  check "$label: $cli exited non-zero" [ "$rc" -ne 0 ]
  if grep -qiE -- "$re" <<<"$output"; then ok "$label: $cli's output names $what"; else
    fail "$label: $cli's output does not name $what (/$re/)"; fi
}

login() { # login KEY [--no-verify]
  lwgw config set credentials.store file >/dev/null || fail "config set credentials.store"
  printf '%s\n' "$1" | lwgw login --gateway "$gw" --key-stdin "${@:2}" >"$T/login.out" 2>&1 ||
    { show login "$T/login.out"; fail "lwgw login"; }
}

configure_proxy_port() {
  proxy_port=$(free_port)
  check "lwgw config set proxy.listen 127.0.0.1:$proxy_port" lwgw config set proxy.listen "127.0.0.1:$proxy_port" -q
}

up() { lwgw up >"$T/up.out" 2>&1 || { show up "$T/up.out"; fail "lwgw up"; return 1; }; ok "lwgw up"; }

teardown_restores() { # compare HOME against the snapshot taken before setup
  local before=$1 after_setup=$2
  check "lwgw teardown $cli" lwgw teardown "$cli" -q
  snapshot >"$T/snap.after"
  local changed created_left cli_files
  changed=$(LC_ALL=C comm -23 "$before" "$T/snap.after")
  # files setup created (not there before), that must be gone again
  created_left=$(LC_ALL=C comm -13 <(cut -d' ' -f1 "$before") <(cut -d' ' -f1 "$after_setup") |
    LC_ALL=C comm -12 - <(cut -d' ' -f1 "$T/snap.after"))
  cli_files=$(LC_ALL=C comm -13 <(cut -d' ' -f1 "$after_setup") <(cut -d' ' -f1 "$T/snap.after") | wc -l)
  # A file setup created that the CLI has written since (Claude Code's ~/.claude.json) is the CLI's
  # now: teardown keeps it, but nothing of lwgw's may remain in it.
  local p rewritten="" kept=""
  for p in $created_left; do
    if [ "$(awk -v p="$p" '$1 == p {print $NF}' "$after_setup")" != \
      "$(awk -v p="$p" '$1 == p {print $NF}' "$T/snap.after")" ]; then
      rewritten+="$p "
    else kept+="$p"$'\n'; fi
  done
  created_left=${kept%$'\n'}
  for p in $rewritten; do
    if grep -qE 'hasCompletedOnboarding|ANTHROPIC_AUTH_TOKEN|lwgw_lt_|vk-lw-' "$H/$p"; then
      fail "teardown: $p (written by the CLI since setup) still holds lwgw's settings"
    else ok "teardown: $p, written by the CLI since setup, keeps the CLI's content and none of lwgw's"; fi
  done
  if [ -z "$changed" ]; then ok "teardown: every file that was there before setup is byte-identical (links still links)"
  else fail "teardown: changed or missing after teardown:"; sed 's/^/  changed| /' <<<"$changed"; fi
  if [ -z "$created_left" ]; then ok "teardown: the files setup created are gone"
  else fail "teardown: setup's files left behind:"; sed 's/^/  left| /' <<<"$created_left"; fi
  echo "e2e: ($cli_files file(s) the CLI itself wrote — sessions, caches, logs — are not compared)"
}

# ---- the modes ---------------------------------------------------------------------------------
start_standin
seed_home
echo "e2e: stand-in gateway $gw; HOME $H"

case "$mode" in
  proxy | direct)
    login "$vk"
    configure_proxy_port
    snapshot >"$T/snap.before"
    flag=(); [ "$mode" = direct ] && flag=(--direct)
    if lwgw setup "$cli" "${flag[@]}" --shell bash >"$T/setup.out" 2>&1; then ok "lwgw setup $cli ${flag[*]} --shell bash"
    else fail "lwgw setup $cli ${flag[*]}"; fi
    show setup "$T/setup.out"
    assert_models_pinned
    snapshot >"$T/snap.setup"
    want_model=$(chosen_model model)
    if [ "$mode" = proxy ]; then
      up
      run_cli "$mode" "$setup_shot"
      assert_success "$mode"
      if [ -n "${background_shot:-}" ]; then
        want_model=$(chosen_model background)
        run_cli "$mode-background" "$background_shot"
        assert_success "$mode-background"
      fi
    else
      # no proxy at all: the CLI must reach the gateway itself
      lwgw status >/dev/null 2>&1; check "direct: no proxy runs (lwgw status exit 4)" [ $? -eq 4 ]
      run_cli "$mode" "$setup_shot"
      # Claude Code sends an apiKeyHelper key in x-api-key AND Authorization (observed with the real binaries)
      assert_success "$mode" "$([ "$cli" = claude-code ] && echo x-api-key)"
    fi
    want_model=
    teardown_restores "$T/snap.before" "$T/snap.setup"
    if [ "$mode" = proxy ]; then check "lwgw down" lwgw down -q; fi
    ;;

  exec)
    login "$vk"
    configure_proxy_port
    snapshot >"$T/snap.before"
    up
    run_exec exec
    assert_success exec
    run_exec exec-direct --direct
    assert_success exec-direct "$([ "$cli" = claude-code ] && echo x-api-key)"
    snapshot >"$T/snap.after"
    changed=$(LC_ALL=C comm -23 "$T/snap.before" "$T/snap.after")
    if [ -z "$changed" ]; then ok "exec: no dotfile touched"; else
      fail "exec changed files:"; sed 's/^/  changed| /' <<<"$changed"; fi
    check "lwgw down" lwgw down -q
    ;;

  failures)
    # Each CLI's own retry budget, not the suite's shortcut: lwgw's x-should-retry must stop
    # Claude Code by itself.
    w2=(); for x in "${world[@]}"; do [ "$x" = CLAUDE_CODE_MAX_RETRIES=1 ] || w2+=("$x"); done
    world=("${w2[@]}")
    # lwgw's own errors end Claude Code within 10 s (x-should-retry: false); the others within
    # their own retry budgets, with lwgw's text in their output.
    within() { # within LABEL SECONDS
      if [ "$cli" = claude-code ]; then
        check "$1: $cli gave up within $2 s (took ${elapsed}s)" [ "$elapsed" -le "$2" ]
      else
        echo "e2e: ($1: $cli took ${elapsed}s)"
      fi
    }
    budget_s=$([ "$cli" = claude-code ] && echo 60 || echo 240)

    # 1. The proxy is down and no service manager runs one: `lwgw exec` starts it.
    login "$vk"
    configure_proxy_port
    check "lwgw setup $cli --shell bash --no-service" lwgw setup "$cli" --shell bash -q --no-service
    lwgw status >"$T/status.out" 2>&1
    st=$?
    show status "$T/status.out"
    check "proxy down: lwgw status exits 4" [ $st -eq 4 ]
    run_exec exec-starts
    assert_success exec-starts
    check "exec-starts: lwgw said it started the proxy" grep -q "started the proxy on" "$T/exec-starts.err"

    # 2. proxy.listen moves: the CLIs and the proxy follow without another command.
    new_port=$(free_port)
    lwgw config set proxy.listen "127.0.0.1:$new_port" >"$T/move.out" 2>&1
    check "lwgw config set proxy.listen 127.0.0.1:$new_port" [ $? -eq 0 ]
    show move "$T/move.out"
    run_cli moved
    assert_success moved
    check "moved: the proxy answers on the new port" grep -q "127.0.0.1:$new_port" <(lwgw status)

    # 3. The gateway is down (nothing listens at gateway.url): lwgw's 502.
    lwgw config set gateway.url "http://127.0.0.1:$(free_port)" -q
    sleep 1 # the proxy reloads on SIGHUP
    run_cli gateway-down "$one_shot" "$budget_s"
    assert_error gateway-down "cannot reach the gateway" "lwgw's 502 message"
    within gateway-down 10
    lwgw config set gateway.url "$gw" -q
    sleep 1

    # 4. Logged out while the proxy runs: lwgw's 401 names `lwgw login`.
    check "lwgw logout" lwgw logout
    sleep 1 # the proxy sees the credential store change
    run_cli logged-out "$one_shot" "$budget_s"
    assert_error logged-out "lwgw login" "lwgw's 401 message"
    within logged-out 10

    # 5. Revoked key: the gateway's 403 message must reach the user.
    login "$vk_revoked" --no-verify
    sleep 1
    run_cli revoked
    assert_error revoked "virtual key is revoked" "the gateway's 403 message"
    # 6. Budget exceeded: the 402 message.
    login "$vk_budget" --no-verify
    sleep 1
    run_cli budget
    assert_error budget "budget exceeded" "the gateway's 402 message"
    check "lwgw down" lwgw down -q

    # 7. Another program holds the proxy's port: exec refuses at once, naming it.
    login "$vk"
    node -e 'require("http").createServer((q,s)=>{s.statusCode=404;s.end("not lwgw")}).listen(+process.argv[1],"127.0.0.1")' \
      "$new_port" &
    foreign=$!
    for i in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$new_port") 2>/dev/null && break; sleep 0.1; done
    run_exec port-held
    check "port-held: lwgw exec exits 4" [ "$rc" -eq 4 ]
    check "port-held: lwgw names the program on the port" grep -q "that is not lwgw" "$T/port-held.err"
    kill "$foreign" 2>/dev/null; wait "$foreign" 2>/dev/null
    ;;
  *) echo "e2e: unknown mode $mode"; exit 2 ;;
esac

if [ $failures -ne 0 ]; then
  echo "e2e: $cli $mode: $failures check(s) failed"
  echo "--- stand-in log ---"; tail -20 "$T/standin.err"
  [ -f "$H/.local/state/lwgw/proxy.log" ] && { echo "--- proxy log ---"; tail -20 "$H/.local/state/lwgw/proxy.log"; }
  exit 1
fi
echo "e2e: $cli $mode: all checks passed"
