#!/usr/bin/env node
// rtl-vs-estimate: the planner's latency estimate (`llm2hls estimate`, latency.cycles of
// one pass) against the cycle-accurate Verilator simulation of the design --target rtl
// builds from the same plan (`llm2hls sim --mode verilator`: first input beat to last
// output beat). Compiles every fixture x precision x device, simulates it, prints a table
// and, where they differ, the kernel whose last output beat the estimate misplaces most.
// Exit 1 if a design is not bit-exact or its estimate is off by more than --tolerance.
//
//   node scripts/rtl-vs-estimate.mjs [--devices kv260,u55c] [--precisions w8a16,w4a16]
//        [--models tiny_gpt,gpt2_mini,...] [--work DIR] [--tolerance 0.10] [--json]
//        [--yosys [--yosys-full] [--yosys-timeout 600] [--resource-tolerance 0.25]]
//
// --yosys also synthesizes every design kernel shape by kernel shape (backend-rtl/
// yosys-design.ts, built into dist/) and prints estimated vs Yosys DSP and BRAM18K; a
// design off by more than --resource-tolerance in either fails too. The flow stops
// before LUT mapping (DSP and BRAM only, kernel shapes shared between designs run once);
// --yosys-full runs all of synth_xilinx (LUT and FF too; hours on the fixtures).
//
// Projects live in --work (default /tmp/llm2hls-rtl-vs-estimate) and are reused: a
// project is recompiled only when its estimate (the plan) changed, and `make sim` reuses
// the Verilator build while the sources are unchanged.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'llm2hls.js');
const shared = path.resolve(root, '..', '..', 'shared', 'models');
const sharedModels = fs.existsSync(shared) ? shared : path.resolve(root, '..', 'shared', 'models');

/** Fixtures: name -> model file and bindings. gpt2_mini_past (a KV-cache decoder) has no RTL design. */
const FIXTURES = {
  tiny_gpt: { file: path.join(root, 'examples', 'tiny_gpt.onnx'), bind: ['sequence=8'] },
  gpt2_mini: { file: path.join(sharedModels, 'gpt2_mini.onnx') },
  gpt2_mini_op17: { file: path.join(sharedModels, 'gpt2_mini_op17.onnx') },
  llama_mini: { file: path.join(sharedModels, 'llama_mini.onnx') },
  encoder_mini: { file: path.join(sharedModels, 'encoder_mini.onnx') },
};

function parseArgs(argv) {
  const o = { devices: ['kv260', 'u55c'], precisions: ['w8a16', 'w4a16'], models: Object.keys(FIXTURES), work: '/tmp/llm2hls-rtl-vs-estimate', tolerance: 0.1, json: false, yosys: false, yosysFull: false, yosysTimeout: 600, resourceTolerance: 0.25 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    if (a === '--devices') o.devices = val().split(',');
    else if (a === '--precisions') o.precisions = val().split(',');
    else if (a === '--models') o.models = val().split(',');
    else if (a === '--work') o.work = path.resolve(val());
    else if (a === '--tolerance') o.tolerance = Number(val());
    else if (a === '--json') o.json = true;
    else if (a === '--yosys') o.yosys = true;
    else if (a === '--yosys-timeout') o.yosysTimeout = Number(val());
    else if (a === '--yosys-full') o.yosys = o.yosysFull = true;
    else if (a === '--resource-tolerance') o.resourceTolerance = Number(val());
    else if (a === '--help' || a === '-h') { console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 21).map((l) => l.replace(/^\/\/ ?/, '')).join('\n')); process.exit(0); }
    else throw new Error(`unknown option ${a}`);
  }
  for (const m of o.models) if (!FIXTURES[m]) throw new Error(`unknown model ${m} (fixtures: ${Object.keys(FIXTURES).join(', ')})`);
  return o;
}

function run(args, opts = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { maxBuffer: 64 << 20, ...opts }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const taskId = (name) => `t_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;

async function one(model, precision, device, o) {
  const fx = FIXTURES[model];
  const dir = path.join(o.work, `${model}_${precision}_${device}`);
  const common = [fx.file, '--device', device, '--precision', precision, ...(fx.bind ?? []).flatMap((b) => ['--bind', b])];
  const est = await run(['estimate', ...common, '--json']);
  if (est.code !== 0) return { model, precision, device, error: `estimate exit ${est.code}: ${est.stderr.trim().split('\n').pop()}` };
  const report = JSON.parse(est.stdout);
  const estimate = report.latency.cycles;
  // Recompile only when the plan changed (the manifest keeps the estimate it was compiled with).
  let stale = true;
  if (fs.existsSync(path.join(dir, 'manifest.json'))) {
    stale = planOf(dir) !== planKey(report);
  }
  if (stale) {
    const c = await run(['compile', ...common, '-o', dir, '--target', 'rtl']);
    if (c.code !== 0) return { model, precision, device, estimate, error: `compile exit ${c.code}: ${c.stderr.trim().split('\n').pop()}` };
    fs.writeFileSync(path.join(dir, 'plan-key.txt'), planKey(report));
  }
  const out = path.join(dir, 'sim-out');
  const s = await run(['sim', dir, '--mode', 'verilator', '--inputs', path.join(dir, 'sim', 'sample'), '--out', out, '--json']);
  let sim;
  try { sim = JSON.parse(s.stdout); } catch { return { model, precision, device, estimate, error: `sim exit ${s.code}: ${(s.stderr || s.stdout).trim().split('\n').pop()}` }; }
  const rtl = sim.rtl ?? {};
  const cycles = rtl.cycles;
  const exact = s.code === 0 && sim.bitExact === true && sim.passed !== false;
  // The kernel whose last output beat the estimate places furthest from the simulation.
  const log = fs.existsSync(path.join(dir, 'sim', 'run.log')) ? fs.readFileSync(path.join(dir, 'sim', 'run.log'), 'utf8') : '';
  const simLast = new Map([...log.matchAll(/^llm2hls-stat kernel (\S+) first (\d+) last (\d+)/gm)].map((m) => [m[1], Number(m[3]) + 1]));
  const busy = new Map((rtl.kernels ?? []).map((k) => [k.name, k.busy]));
  let worst;
  for (const k of report.kernels) {
    const id = taskId(k.name);
    if (!simLast.has(id)) continue;
    const diff = k.finish - simLast.get(id);
    if (!worst || Math.abs(diff) > Math.abs(worst.diff)) worst = { kernel: k.name, kind: k.kind, diff, estFinish: k.finish, simLast: simLast.get(id), estCycles: k.cycles, simBusy: busy.get(id) };
  }
  return {
    model, precision, device, estimate, cycles, ratio: cycles / estimate, exact,
    buildSeconds: sim.buildSeconds, simSeconds: sim.runSeconds,
    worst: worst && worst.diff !== 0 ? worst : undefined,
    ...(o.yosys ? { resources: report.resources, yosys: await yosysOf(dir, device, o) } : {}),
  };
}

const yosysCache = new Map();
/** Yosys resources of a compiled project, kernel shape by kernel shape. */
async function yosysOf(dir, device, o) {
  const { runYosysDesign } = await import(path.join(root, 'dist', 'backend-rtl', 'yosys-design.js'));
  const t0 = Date.now();
  const y = await runYosysDesign({ project: dir, device, timeoutSeconds: o.yosysTimeout,
    flow: o.yosysFull ? 'full' : 'dsp-bram', cache: o.yosysFull ? undefined : yosysCache });
  return { dsp: y.dsp, bram18k: y.bram18k, uram: y.uram, lut: y.lut, ff: y.ff, incomplete: y.incomplete,
    failed: y.kernels.filter((k) => k.error).map((k) => k.module), wallSeconds: (Date.now() - t0) / 1000 };
}

/** What the RTL design depends on: every task's lanes (the FIFO depths follow from them and the shapes). */
function planKey(report) {
  return JSON.stringify(report.kernels.map((k) => [k.name, k.parallelism.uk, k.parallelism.un]));
}
function planOf(dir) {
  const f = path.join(dir, 'plan-key.txt');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
}

const o = parseArgs(process.argv.slice(2));
fs.mkdirSync(o.work, { recursive: true });
const rows = [];
for (const device of o.devices) {
  for (const model of o.models) {
    for (const precision of o.precisions) {
      const t0 = Date.now();
      const r = await one(model, precision, device, o);
      r.wallSeconds = (Date.now() - t0) / 1000;
      rows.push(r);
      if (!o.json) process.stderr.write(`${model} ${precision} ${device}: ${r.error ?? `${r.estimate} estimated, ${r.cycles} simulated`} (${r.wallSeconds.toFixed(0)} s)\n`);
    }
  }
}

const fmt = (x, d = 0) => (x === undefined || x === null || Number.isNaN(x) ? '-' : typeof x === 'number' ? x.toFixed(d) : String(x));
const off = (est, got) => (est === got ? 0 : Math.abs(got - est) / Math.max(est, 1));
const resourcesOff = (r) => r.yosys && (r.yosys.incomplete > 0 || ['dsp', 'bram18k'].some((k) => off(r.resources[k], r.yosys[k]) > o.resourceTolerance));
const bad = rows.filter((r) => r.error || !r.exact || Math.abs(r.ratio - 1) > o.tolerance || resourcesOff(r));
if (o.json) {
  console.log(JSON.stringify({ tolerance: o.tolerance, rows, failed: bad.length }, null, 2));
} else {
  const head = ['model', 'precision', 'device', 'estimated', 'simulated', 'sim/est', 'bit-exact', 'build s', 'sim s', 'worst kernel (est - sim last beat)'];
  const body = rows.map((r) => (r.error
    ? [r.model, r.precision, r.device, fmt(r.estimate), '-', '-', '-', '-', '-', r.error]
    : [r.model, r.precision, r.device, fmt(r.estimate), fmt(r.cycles), fmt(r.ratio, 3), r.exact ? 'yes' : 'NO', fmt(r.buildSeconds, 0), fmt(r.simSeconds, 1),
      r.worst ? `${r.worst.kernel} (${r.worst.kind}) ${r.worst.diff > 0 ? '+' : ''}${r.worst.diff}` : '-']));
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map(() => '---').join('|')}|`);
  for (const b of body) console.log(`| ${b.join(' | ')} |`);
  if (o.yosys) printResources(rows);
  console.log(`\n${rows.length - bad.length}/${rows.length} within ${(100 * o.tolerance).toFixed(0)}% and bit-exact${o.yosys ? `, Yosys DSP and BRAM18K within ${(100 * o.resourceTolerance).toFixed(0)}%` : ''}`);
}
process.exitCode = bad.length ? 1 : 0;

/** Estimated vs Yosys resources, one row per design (a shape whose synthesis failed makes Yosys' figures a lower bound). */
function printResources(rows) {
  const keys = o.yosysFull ? ['dsp', 'bram18k', 'lut', 'ff'] : ['dsp', 'bram18k'];
  const head = ['model', 'precision', 'device', ...keys.flatMap((k) => [`${k} est`, `${k} yosys`, 'y/e']), 'yosys wall s', 'not synthesized'];
  console.log(`\n| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
  for (const r of rows.filter((x) => x.yosys)) {
    const cols = keys.flatMap((k) => [fmt(r.resources[k]), fmt(r.yosys[k]), r.resources[k] ? fmt(r.yosys[k] / r.resources[k], 2) : '-']);
    console.log(`| ${[r.model, r.precision, r.device, ...cols, fmt(r.yosys.wallSeconds), r.yosys.failed.join(', ') || '-'].join(' | ')} |`);
  }
}
