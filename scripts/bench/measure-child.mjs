// One measurement in a fresh process: `llm2hls-inspect FILE`, `llm2hls-estimate FILE` or `ort-session FILE`.
// Prints {seconds, maxRssBytes} as JSON; seconds exclude Node start-up and module loading.
const [, , what, file] = process.argv;
let work;
if (what === 'llm2hls-inspect') {
  const { inspectModel } = await import('../../dist/compiler/index.js');
  work = async () => inspectModel(file);
} else if (what === 'llm2hls-estimate') {
  const { estimateModel } = await import('../../dist/compiler/index.js');
  work = async () => estimateModel(file, { device: 'u55c', bindings: JSON.parse(process.env.LLM2HLS_BENCH_BIND ?? '{}') });
} else if (what === 'ort-session') {
  const ort = await import('onnxruntime-node');
  work = async () => (await ort.InferenceSession.create(file)).release();
} else {
  console.error(`unknown measurement '${what}'`);
  process.exit(2);
}
const t0 = performance.now();
await work();
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
