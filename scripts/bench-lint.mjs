#!/usr/bin/env node
// Lint 1,000 generated HLS files of ~40 lines and print the time against a
// reference measured in the same run: reading and parsing the same files with
// tree-sitter alone (the floor the lint cannot go below). Target: < 10 s on 2 cores.
//   node scripts/bench-lint.mjs [--files N]   (needs dist/: npx tsc -p tsconfig.json)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { lintFiles } = await import(path.join(root, 'dist/lint/index.js'));
const { parseCpp } = await import(path.join(root, 'dist/lint/parser.js'));
const arg = process.argv.indexOf('--files');
const count = arg > 0 ? Number(process.argv[arg + 1]) : 1000;

/** One ~40-line kernel, varied by i: loops, pragmas, interfaces, a template. */
function kernel(i) {
  const n = 8 << (i % 4);
  const f = [2, 4, 8][i % 3];
  return `// generated kernel ${i}
#define N_${i} ${n}
typedef ap_int<${8 + (i % 9)}> data_t;
const int M_${i} = ${n / 2};

template <int P>
void stage_${i}(hls::stream<data_t> &in, hls::stream<data_t> &out) {
  data_t buf[N_${i}];
#pragma HLS array_partition variable=buf cyclic factor=${f} dim=1
  for (int k = 0; k < N_${i}; k++) {
#pragma HLS pipeline II=1
    buf[k] = in.read();
  }
  for (int k = 0; k < N_${i}; k += P) {
#pragma HLS pipeline II=1
    data_t acc = 0;
    for (int u = 0; u < P; u++) {
#pragma HLS unroll
      acc += buf[k + u] >> ${i % 8};
    }
    out.write(acc);
  }
}

void top_${i}(const int *mem, int len, hls::stream<data_t> &in, hls::stream<data_t> &out) {
#pragma HLS interface mode=m_axi port=mem offset=slave bundle=gmem
#pragma HLS interface mode=s_axilite port=len
#pragma HLS interface mode=axis port=in
#pragma HLS interface mode=axis port=out
#pragma HLS dataflow
  hls::stream<data_t> mid;
  int sum = 0;
  for (int j = 0; j < M_${i}; j++) sum += mem[j];
  stage_${i}<${f}>(in, mid);
  stage_${i}<${f}>(mid, out);
}
`;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm2hls-bench-lint-'));
try {
  const files = [];
  for (let i = 0; i < count; i++) {
    const p = path.join(dir, `k${String(i).padStart(4, '0')}.cpp`);
    fs.writeFileSync(p, kernel(i));
    files.push(p);
  }
  const lines = kernel(0).split('\n').length;
  await parseCpp('int warm;'); // load the wasm once, outside both timings

  let t = performance.now();
  for (const p of files) (await parseCpp(fs.readFileSync(p, 'utf8'))).delete();
  const parseSeconds = (performance.now() - t) / 1000;

  t = performance.now();
  const result = await lintFiles([dir]);
  const lintSeconds = (performance.now() - t) / 1000;

  console.log(`files: ${result.files} of ${lines} lines, findings: ${result.findings.length}`);
  console.log(`read + parse only: ${parseSeconds.toFixed(2)} s`);
  console.log(`lint: ${lintSeconds.toFixed(2)} s (${(lintSeconds / parseSeconds).toFixed(1)}x read + parse; target < 10 s)`);
  if (result.findings.length > 0) console.log(`first finding: ${JSON.stringify(result.findings[0])}`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
