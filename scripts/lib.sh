# Shared by scripts/start and scripts/test: install what a fresh Debian or
# Ubuntu machine lacks. Sourced, not run.

set -euo pipefail

# Installs the Debian packages named in "$@" that are not installed yet,
# with apt-get as root and through sudo otherwise.
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# What building and running the window needs (platform-notes B.1):
# webkit2gtk 4.1 brings gtk, soup and javascriptcore; xdg-utils lets the
# system PDF viewer be found.
BUILD_PACKAGES=(build-essential pkg-config libwebkit2gtk-4.1-dev xdg-utils ca-certificates curl)

# Rust comes from rustup (Debian's rustc is too old for Tauri 2).
ensure_rust() {
  [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
  if ! command -v cargo >/dev/null 2>&1; then
    echo "==> installing the Rust toolchain with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    . "$HOME/.cargo/env"
  fi
  # The test command runs the formatter and clippy; a minimal toolchain
  # (rustup's --profile minimal, or one installed earlier) may lack them.
  if command -v rustup >/dev/null 2>&1; then
    cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
    cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
  fi
}

cd "$(dirname "${BASH_SOURCE[0]}")/.."
