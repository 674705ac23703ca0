# Shared by scripts/demo and scripts/test: installs what a fresh machine lacks.
# Sourced, not run. Versions are pinned (see ../shared BUILD-NOTES.md).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132
WEB_PUSH_TESTING_VERSION=1.2.2
export PATH="$HOME/.cargo/bin:$TOOLS/node_modules/.bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_wasm_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32 target"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes)"
    # Without --locked: a locked dependency version is missing from the registry.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
  if [ ! -x "$TOOLS/node_modules/.bin/wasm-opt" ]; then
    say "installing wasm-opt (binaryen $BINARYEN_VERSION from npm)"
    mkdir -p "$TOOLS"
    # Debian's binaryen 108 builds a .wasm that never hydrates: never use it.
    npm install --prefix "$TOOLS" --no-audit --no-fund "binaryen@$BINARYEN_VERSION" >/dev/null
  fi
}

ensure_browser() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "installing chromium and chromedriver"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  # The phrase book's icons are emoji, as on every phone; the screenshots
  # show them only with a colour emoji font.
  if [ ! -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; then
    say "installing the emoji font"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-color-emoji >/dev/null
  fi
}

# A real Web Push service on loopback for the push tests (web-push-testing:
# subscribes, checks VAPID and decrypts aes128gcm; see BUILD-NOTES.md).
ensure_push_receiver() {
  if ! command -v node >/dev/null; then
    say "installing Node.js"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$major" -lt 20 ]; then
    echo "web-push-testing needs Node.js 20 or later; this machine has $(node --version)" >&2
    return 1
  fi
  if [ ! -x "$TOOLS/node_modules/.bin/web-push-testing" ] ||
    [ "$(node -p "require('$TOOLS/node_modules/web-push-testing/package.json').version")" \
      != "$WEB_PUSH_TESTING_VERSION" ]; then
    say "installing web-push-testing $WEB_PUSH_TESTING_VERSION"
    mkdir -p "$TOOLS"
    npm install --prefix "$TOOLS" --no-audit --no-fund --save-exact \
      "web-push-testing@$WEB_PUSH_TESTING_VERSION" >/dev/null
  fi
}

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

ensure_postgres() {
  if [ -z "$(pg_bin)" ]; then
    say "installing PostgreSQL"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
}
