#!/usr/bin/env bash
# `make demo`: shows lwgw on a throwaway HOME (your real dotfiles are never touched).
set -euo pipefail
build_dir=${1:-build}
lwgw="$(cd "$build_dir" && pwd)/lwgw"
demo_home=$(mktemp -d "${TMPDIR:-/tmp}/lwgw-demo.XXXXXX")
trap 'rm -rf "$demo_home"' EXIT
export HOME="$demo_home" XDG_CONFIG_HOME="$demo_home/.config" XDG_STATE_HOME="$demo_home/.local/state"
export XDG_RUNTIME_DIR="$demo_home/run" LWGW_SYSTEM_CONFIG="$demo_home/etc/lwgw/config.toml"
unset LWGW_VK LWGW_CONFIG LWGW_GATEWAY_URL LWGW_LISTEN LWGW_LOG_LEVEL
mkdir -p "$XDG_RUNTIME_DIR"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step lwgw --version
"$lwgw" --version
step lwgw --help
"$lwgw" --help
step "printf '%s\n' vk-lw-01HZX9N0DEMO0DEMO0DEMO0DEM | lwgw login --gateway http://127.0.0.1:9 --key-stdin --no-verify"
printf '%s\n' vk-lw-01HZX9N0DEMO0DEMO0DEMO0DEM | "$lwgw" login --gateway http://127.0.0.1:9 --key-stdin --no-verify
step lwgw whoami
"$lwgw" whoami
step lwgw config set proxy.listen 127.0.0.1:5577
"$lwgw" config set proxy.listen 127.0.0.1:5577
step lwgw config show
"$lwgw" config show
step lwgw logout
"$lwgw" logout
printf '\nDemo finished; its throwaway HOME (%s) is removed.\n' "$demo_home"
