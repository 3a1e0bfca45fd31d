#!/usr/bin/env bash
# One idempotent set-up: installs what is missing and builds llm2hls.
# Usage: scripts/setup.sh [--rtl] [--test] [--link]
#   --rtl   also install the Verilog tools (Verilator, Icarus Verilog, Yosys) for --target rtl projects
#   --test  also install what the tests need (implies --rtl)
#   --link  put `llm2hls` on PATH: a symlink in ~/.local/bin (or $LLM2HLS_BIN_DIR), no sudo
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0 want_link=0 want_rtl=0
cocotb_version=2.1.0   # the newest cocotb 2.x on PyPI; runtime/cocotb.ts needs 2.x (cocotb_tools.runner)
for arg in "$@"; do
  case "$arg" in
    --rtl) want_rtl=1 ;;
    --test) want_tests=1; want_rtl=1 ;;
    --link) want_link=1 ;;
    *) echo "usage: scripts/setup.sh [--rtl] [--test] [--link]" >&2; exit 2 ;;
  esac
done

# Colour only on a terminal, and never under NO_COLOR (https://no-color.org).
if [ -t 2 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' red=$'\033[31m' off=$'\033[0m'; else bold='' red='' off=''; fi
say() { printf '%s[setup]%s %s\n' "$bold" "$off" "$*" >&2; }
die() { printf '%s[setup] %s%s\n' "$red" "$*" "$off" >&2; exit 1; }

command -v node >/dev/null || die "Node.js 20 or newer is needed: install it from https://nodejs.org or your distribution (apt-get install nodejs npm)."
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || die "Node.js $(node -v) is too old: llm2hls needs Node.js 20 or newer."

# Debian packages: ONNX's backend conformance data and XRT for the tests, compilers for simulation.
apt_pkgs=()
[ "$want_tests" = 1 ] && ! dpkg -s libonnx-testdata >/dev/null 2>&1 && apt_pkgs+=(libonnx-testdata)
[ "$want_tests" = 1 ] && ! dpkg -s libxrt-dev >/dev/null 2>&1 && apt_pkgs+=(libxrt-dev)   # XRT headers: the tests build each project's host program
# Verilator, Icarus Verilog and Yosys: the tests simulate and synthesize each Verilog kernel against its C++ twin.
if [ "$want_rtl" = 1 ]; then
  for p in verilator iverilog yosys; do dpkg -s "$p" >/dev/null 2>&1 || apt_pkgs+=("$p"); done
fi
# cocotb (in .venv, below) needs python3 with venv; Debian ships venv's ensurepip apart.
if [ "$want_tests" = 1 ]; then
  if ! command -v python3 >/dev/null; then apt_pkgs+=(python3 python3-venv)
  elif ! python3 -c 'import ensurepip' >/dev/null 2>&1; then apt_pkgs+=(python3-venv); fi
fi
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

# cocotb 2.x for the cocotb testbench (runtime/cocotb.ts), in the project's own
# virtual environment: nothing goes into the system Python. Only cocotb (and
# what it pulls in), to keep CI's install short.
if [ "$want_tests" = 1 ]; then
  if [ ! -x .venv/bin/python ]; then
    say "creating the Python virtual environment .venv (python3 -m venv .venv)"
    rm -rf .venv
    python3 -m venv .venv || die "python3 -m venv .venv failed; run: sudo apt-get install python3-venv"
  fi
  have=$(.venv/bin/python -c 'import cocotb; print(cocotb.__version__)' 2>/dev/null || true)
  if [ "$have" != "$cocotb_version" ]; then
    say "installing cocotb $cocotb_version into .venv (pip install cocotb==$cocotb_version)"
    .venv/bin/python -m pip install -q --disable-pip-version-check "cocotb==$cocotb_version" \
      || die "could not install cocotb==$cocotb_version into .venv; check that PyPI is reachable"
  fi
  # cocotb loads libpython into the simulator; Debian keeps the shared library in its own package.
  if ! .venv/bin/python -c 'import sys, find_libpython; sys.exit(find_libpython.find_libpython() is None)' 2>/dev/null; then
    libpy=libpython$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "installing Debian package $libpy (the shared libpython cocotb needs)"
      apt-get install -y -q "$libpy" >/dev/null 2>&1 || die "could not install $libpy; run: sudo apt-get install $libpy"
    else
      die "cocotb needs the shared libpython; run: sudo apt-get install $libpy"
    fi
  fi
fi

# npm packages. onnxruntime-node's install script would download extra
# binaries (impossible offline); skipping it keeps the bundled CPU binaries.
# npm ci also builds (package.json's prepare script runs tsc), so only an
# existing install needs the build step below.
export ONNXRUNTIME_NODE_INSTALL=skip
# A node_modules that is a symlink (a git worktree sharing another checkout's) is
# never reinstalled: npm ci would empty the folder it points to.
if [ ! -L node_modules ] && { [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  say "installing npm packages and building"
  npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed; check that the npm registry is reachable"
else
  say "building"
  npx tsc -p tsconfig.json || die "TypeScript build failed"
fi

run="node bin/llm2hls.js"
if [ "$want_link" = 1 ]; then
  bin_dir="${LLM2HLS_BIN_DIR:-$HOME/.local/bin}"
  mkdir -p "$bin_dir" || die "cannot create $bin_dir"
  ln -sfn "$PWD/bin/llm2hls.js" "$bin_dir/llm2hls"
  say "linked $bin_dir/llm2hls -> $PWD/bin/llm2hls.js"
  case ":$PATH:" in
    *":$bin_dir:"*) run="llm2hls" ;;
    *) say "$bin_dir is not on PATH; add it (e.g. in ~/.bashrc): export PATH=\"$bin_dir:\$PATH\"" ;;
  esac
fi
say "ready: $run --help"
