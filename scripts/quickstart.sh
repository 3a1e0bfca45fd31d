#!/usr/bin/env bash
# The README's first quick-start command: set up, then inspect and run the bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
llm2hls() { node bin/llm2hls.js "$@"; }
echo; echo "== llm2hls inspect examples/tiny_gpt.onnx"
llm2hls inspect examples/tiny_gpt.onnx
echo; echo "== llm2hls run examples/tiny_gpt.onnx --inputs examples/tiny_gpt_data --out out/tiny_gpt"
llm2hls run examples/tiny_gpt.onnx --inputs examples/tiny_gpt_data --out out/tiny_gpt
