#!/usr/bin/env bash
# Installs lwgw's build and test dependencies, idempotently: only what is missing.
# Debian/Ubuntu: apt-get (as root, or through sudo). macOS: Homebrew.
set -euo pipefail

debian_packages=(
  g++ cmake make pkg-config git
  libcli11-dev libcpp-httplib-dev nlohmann-json3-dev libcurl4-openssl-dev libssl-dev libevent-dev
  libtomlplusplus-dev doctest-dev
  zsh fish groff-base man-db
  dpkg-dev lintian ruby
  clang-format clang-tidy
  clang libclang-rt-14-dev llvm
)
brew_packages=(cmake pkg-config cli11 cpp-httplib nlohmann-json curl openssl@3 tomlplusplus libevent doctest zsh fish groff)

log() { printf 'deps: %s\n' "$*" >&2; }

install_debian() {
  local missing=()
  for p in "${debian_packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "all Debian packages present"
    return 0
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { log "need root or sudo to install: ${missing[*]}"; exit 1; }
    sudo=(sudo)
  fi
  log "installing: ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_brew() {
  command -v brew >/dev/null || { log "Homebrew is required on macOS: https://brew.sh"; exit 1; }
  local missing=()
  for p in "${brew_packages[@]}"; do
    brew list --versions "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "all Homebrew packages present"
    return 0
  fi
  log "installing: ${missing[*]}"
  brew install "${missing[@]}"
}

case "$(uname -s)" in
  Linux)
    if command -v apt-get >/dev/null; then install_debian; else
      log "unsupported Linux distribution: install ${debian_packages[*]} by hand"; exit 1
    fi ;;
  Darwin) install_brew ;;
  *) log "unsupported system $(uname -s)"; exit 1 ;;
esac
