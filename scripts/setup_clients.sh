#!/usr/bin/env bash
# Sets up what the TypeScript and Go clients need (called by scripts/setup.sh; idempotent, quick when done):
# - clients/typescript/node_modules from the committed lockfile (`npm ci`: buf, protoc-gen-es, tsc, Connect);
#   needs node >= 20 and npm (this machine kind ships them);
# - Debian's Go toolchain and protobuf/gRPC packages (golang-go 1.19, golang-google-grpc-dev 1.33,
#   golang-google-protobuf-dev 1.28, protobuf-compiler, protoc-gen-go, protoc-gen-go-grpc), installed with
#   apt-get when missing (as root; `apt-get update` first when the package lists are stale).
# Any failed install fails this script loudly. Only on a developer machine without apt-get or node (and not
# in CI, where CI=true), it warns instead, and the client tests skip with that reason.
set -euo pipefail
cd "$(dirname "$0")/.."

GO_PACKAGES=(golang-go golang-google-grpc-dev golang-google-protobuf-dev protobuf-compiler protoc-gen-go protoc-gen-go-grpc)
NODE_MAJOR_MIN=20

say() { echo "setup_clients: $*" >&2; }
absent_here() {  # a tool this machine lacks: fatal in CI, a warning on a developer machine
    if [ "${CI:-}" = "true" ]; then
        say "ERROR: $1"; exit 1
    fi
    say "WARNING: $1; the client tests will skip"
}

# --- Go (Debian packages) ----------------------------------------------------------------------------------
missing=()
for package in "${GO_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        absent_here "no apt-get to install ${missing[*]}"
    else
        SUDO=()
        [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
        say "installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        if ! "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
            "${SUDO[@]}" apt-get update -qq
            "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
        fi
    fi
fi

# --- node packages (npm ci from the lockfile) --------------------------------------------------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    absent_here "node and npm are not installed (node >= $NODE_MAJOR_MIN)"
elif [ "$(node -p 'process.versions.node.split(".")[0]')" -lt "$NODE_MAJOR_MIN" ]; then
    absent_here "node $(node --version) is older than $NODE_MAJOR_MIN"
else
    lock_sum=$(sha256sum clients/typescript/package-lock.json | cut -d' ' -f1)
    stamp=clients/typescript/node_modules/.adapt-lock-sha256
    if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
        say "npm ci in clients/typescript"
        (cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error)
        echo "$lock_sum" > "$stamp"
    fi
fi
