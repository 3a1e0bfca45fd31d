// One measurement in a fresh process: `llm2hls-inspect FILE`, `llm2hls-estimate FILE`,
// `llm2hls-compile-fp32 FILE`, `llm2hls-compile-w8a16 FILE` or `ort-session FILE`.
// Prints {seconds, maxRssBytes} as JSON; seconds exclude Node start-up and module loading.
// On failure: the error's first line on stderr (for scripts/bench.mjs to show), and the
// exit code of llm2hls's error (1 bad input, 3 unsupported, ...), else 70.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [, , what, file] = process.argv;
const bindings = JSON.parse(process.env.LLM2HLS_BENCH_BIND ?? '{}');

/** The work to time, and what to clean up after it. */
async function measurement() {
  if (what === 'ort-session') {
    const ort = await import('onnxruntime-node');
    return { work: async () => (await ort.InferenceSession.create(file)).release() };
  }
  const { inspectModel, estimateModel, compileModel } = await import('../../dist/compiler/index.js');
  if (what === 'llm2hls-inspect') return { work: async () => inspectModel(file) };
  if (what === 'llm2hls-estimate') return { work: async () => estimateModel(file, { device: 'u55c', bindings }) };
  if (what === 'llm2hls-compile-fp32' || what === 'llm2hls-compile-w8a16') {
    const precision = what.slice('llm2hls-compile-'.length);
    const tmp = fs.mkdtempSync(path.join(process.env.LLM2HLS_BENCH_TMP ?? os.tmpdir(), 'llm2hls-bench-'));
    return {
      work: async () => compileModel(file, path.join(tmp, 'project'), { precision, device: 'u55c', bindings }),
      cleanup: () => fs.rmSync(tmp, { recursive: true, force: true }),
    };
  }
  throw Object.assign(new Error(`unknown measurement '${what}'`), { exitCode: 2 });
}

try {
  const { work, cleanup } = await measurement();
  const t0 = performance.now();
  try {
    await work();
  } finally {
    cleanup?.();
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
} catch (e) {
  console.error(e instanceof Error ? e.message.split('\n')[0] : String(e));
  process.exitCode = e?.exitCode ?? 70;
}
