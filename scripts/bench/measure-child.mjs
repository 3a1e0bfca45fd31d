// One measurement in a fresh process: `llm2hls-inspect FILE`, `llm2hls-estimate FILE`,
// `llm2hls-compile-fp32 FILE`, `llm2hls-compile-w8a16 FILE` or `ort-session FILE`.
// Prints {seconds, maxRssBytes} as JSON; seconds exclude Node start-up and module loading.
// On failure: the error's first line on stderr, exit code from llm2hls's error (70 otherwise).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [, , what, file] = process.argv;
let work;
let cleanup = () => {};
if (what === 'llm2hls-inspect') {
  const { inspectModel } = await import('../../dist/compiler/index.js');
  work = async () => inspectModel(file);
} else if (what === 'llm2hls-estimate') {
  const { estimateModel } = await import('../../dist/compiler/index.js');
  work = async () => estimateModel(file, { device: 'u55c', bindings: JSON.parse(process.env.LLM2HLS_BENCH_BIND ?? '{}') });
} else if (what === 'llm2hls-compile-fp32' || what === 'llm2hls-compile-w8a16') {
  const { compileModel } = await import('../../dist/compiler/index.js');
  const precision = what.slice('llm2hls-compile-'.length);
  const tmp = fs.mkdtempSync(path.join(process.env.LLM2HLS_BENCH_TMP ?? os.tmpdir(), 'llm2hls-bench-'));
  cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
  work = async () => compileModel(file, path.join(tmp, 'project'), {
    precision, device: 'u55c', bindings: JSON.parse(process.env.LLM2HLS_BENCH_BIND ?? '{}'),
  });
} else if (what === 'ort-session') {
  const ort = await import('onnxruntime-node');
  work = async () => (await ort.InferenceSession.create(file)).release();
} else {
  console.error(`unknown measurement '${what}'`);
  process.exit(2);
}
const t0 = performance.now();
let seconds;
try {
  await work();
  seconds = (performance.now() - t0) / 1000;
} catch (e) {
  // One line for scripts/bench.mjs to show; llm2hls's own errors carry the CLI's exit code.
  console.error(e instanceof Error ? e.message.split('\n')[0] : String(e));
  process.exitCode = e?.exitCode ?? 70;
} finally {
  cleanup();
}
if (seconds !== undefined) console.log(JSON.stringify({ seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
