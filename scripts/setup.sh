#!/usr/bin/env bash
# One idempotent set-up: installs what is missing and builds llm2hls.
# Usage: scripts/setup.sh [--test]   (--test also installs what the tests need)
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[ "${1:-}" = "--test" ] && want_tests=1

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }

command -v node >/dev/null || die "Node.js 20 or newer is needed: install it from https://nodejs.org or your distribution (apt-get install nodejs npm)."
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || die "Node.js $(node -v) is too old: llm2hls needs Node.js 20 or newer."

# Debian packages: ONNX's backend conformance data and XRT for the tests, compilers for simulation.
apt_pkgs=()
[ "$want_tests" = 1 ] && ! dpkg -s libonnx-testdata >/dev/null 2>&1 && apt_pkgs+=(libonnx-testdata)
[ "$want_tests" = 1 ] && ! dpkg -s libxrt-dev >/dev/null 2>&1 && apt_pkgs+=(libxrt-dev)   # XRT headers: the tests build each project's host program
command -v g++ >/dev/null || apt_pkgs+=(g++)
command -v make >/dev/null || apt_pkgs+=(make)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian packages: ${apt_pkgs[*]}"
    apt-get install -y -q "${apt_pkgs[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "${apt_pkgs[@]}" >/dev/null; } \
      || die "could not install ${apt_pkgs[*]}; run: sudo apt-get install ${apt_pkgs[*]}"
  else
    die "missing Debian packages ${apt_pkgs[*]}; run: sudo apt-get install ${apt_pkgs[*]}"
  fi
fi

# npm packages. onnxruntime-node's install script would download extra
# binaries (impossible offline); skipping it keeps the bundled CPU binaries.
export ONNXRUNTIME_NODE_INSTALL=skip
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed; check that the npm registry is reachable"
fi

say "building"
npx tsc -p tsconfig.json || die "TypeScript build failed"
say "ready: node bin/llm2hls.js --help"
