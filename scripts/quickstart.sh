#!/usr/bin/env bash
# The README's first quick-start command: set up, then inspect the bundled example, run its
# golden model, plan it for an FPGA, compile it to an HLS project and prove that in C simulation,
# then compile the same design to Verilog and simulate it cycle by cycle with Verilator.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --rtl
llm2hls() { node bin/llm2hls.js "$@"; }
step() { echo; echo "== llm2hls $*"; llm2hls "$@"; }
step inspect examples/tiny_gpt.onnx
step run examples/tiny_gpt.onnx --inputs examples/tiny_gpt_data --out out/tiny_gpt
step estimate examples/tiny_gpt.onnx --bind sequence=8
step compile examples/tiny_gpt.onnx -o out/tiny_gpt_hls --precision w8a16 --bind sequence=8 --force
step sim out/tiny_gpt_hls --mode csim --inputs examples/tiny_gpt_data --out out/tiny_gpt_csim
step compile examples/tiny_gpt.onnx -o out/tiny_gpt_rtl --target rtl --device kv260 --bind sequence=8 --force
step sim out/tiny_gpt_rtl --mode verilator --inputs examples/tiny_gpt_data --out out/tiny_gpt_verilator
# The next steps in the form that works here: `llm2hls` once setup.sh --link put it on PATH.
if [ "$(command -v llm2hls 2>/dev/null)" != "" ] && [ "$(readlink -f "$(command -v llm2hls)")" = "$(readlink -f bin/llm2hls.js)" ]; then run=llm2hls; else run="node bin/llm2hls.js"; fi
cat <<NEXT

Done: out/tiny_gpt_hls is a Vitis HLS project, bit-exact with the w8a16 golden model in C simulation;
out/tiny_gpt_rtl is the same design (planned for kv260) in Verilog, bit-exact in Verilator, its cycles
printed against the estimate.
What to try next:
  $run generate test/fixtures/exported/gpt2_mini_past.onnx --prompt-ids 1,2,3 --max-new-tokens 8
      greedy generation through the KV cache
  $run sim out/tiny_gpt_hls --mode csim-threads --inputs examples/tiny_gpt_data --out out/tiny_gpt_threads
      one thread per task, FIFOs bounded to their planned depths
  $run estimate examples/tiny_gpt.onnx --bind sequence=8 --device kv260
      the same plan on a smaller FPGA
  $run inspect YOUR_MODEL.onnx
      can llm2hls compile your own export?
  make -C out/tiny_gpt_hls hls
      synthesize with Vitis HLS, where it is installed
  make -C out/tiny_gpt_rtl lint
      the generated Verilog under verilator --lint-only -Wall
Help: $run COMMAND --help; JSON output: docs/cli.md; the TypeScript API: docs/api.md.
NEXT
