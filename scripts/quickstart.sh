#!/usr/bin/env bash
# The README's first quick-start command: set up, then inspect the bundled example, run its
# golden model, plan it for an FPGA, compile it to an HLS project and prove that in C simulation.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
llm2hls() { node bin/llm2hls.js "$@"; }
echo; echo "== llm2hls inspect examples/tiny_gpt.onnx"
llm2hls inspect examples/tiny_gpt.onnx
echo; echo "== llm2hls run examples/tiny_gpt.onnx --inputs examples/tiny_gpt_data --out out/tiny_gpt"
llm2hls run examples/tiny_gpt.onnx --inputs examples/tiny_gpt_data --out out/tiny_gpt
echo; echo "== llm2hls estimate examples/tiny_gpt.onnx --device u55c --bind sequence=8"
llm2hls estimate examples/tiny_gpt.onnx --device u55c --bind sequence=8
echo; echo "== llm2hls compile examples/tiny_gpt.onnx -o out/tiny_gpt_hls --precision w8a16 --device u55c --bind sequence=8 --force"
llm2hls compile examples/tiny_gpt.onnx -o out/tiny_gpt_hls --precision w8a16 --device u55c --bind sequence=8 --force
echo; echo "== llm2hls sim out/tiny_gpt_hls --mode csim --inputs examples/tiny_gpt_data --out out/tiny_gpt_csim"
llm2hls sim out/tiny_gpt_hls --mode csim --inputs examples/tiny_gpt_data --out out/tiny_gpt_csim
