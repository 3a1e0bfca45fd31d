#!/usr/bin/env node
/**
 * Compiles a fixed set of models x precisions x targets x devices with this
 * checkout's dist/ and compares the generated projects byte for byte with a
 * reference set (made the same way by an earlier build): a refactor of the
 * emitter must leave every generated file unchanged.
 *
 *   node scripts/check-emit-identical.mjs --out /tmp/split-ref --ref none   # make the reference
 *   node scripts/check-emit-identical.mjs                                   # /tmp/split-new vs /tmp/split-ref
 *
 * A compile that fails is recorded as FAILED.txt (its stderr) so that the
 * same failure on both sides compares equal. Beside each HLS project, the
 * whole EmitResult (design record included, closures left out) is dumped as
 * <case>.emit.json: backend-rtl renders the design, so it must not move either.
 * Exit 1 on any difference.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const outDir = resolve(opt('--out', '/tmp/split-new'));
const refArg = opt('--ref', '/tmp/split-ref');
const refDir = refArg === 'none' ? undefined : resolve(refArg);
const jobs = Number(opt('--jobs', String(Math.max(1, cpus().length))));
const models = resolve(opt('--models', join(root, '..', '..', 'shared', 'models')));

const MODELS = [
  { name: 'tiny_gpt', file: join(root, 'examples', 'tiny_gpt.onnx'), bind: ['sequence=8'], rtl: true },
  ...['gpt2_mini', 'gpt2_mini_op17', 'llama_mini', 'encoder_mini'].map((name) => ({ name, file: join(models, `${name}.onnx`), bind: [], rtl: true })),
  { name: 'gpt2_mini_past', file: join(models, 'gpt2_mini_past.onnx'), bind: ['sequence=4', 'past_sequence=3'], rtl: false },
];

const cases = [];
for (const m of MODELS) {
  const add = (target, precision, device) => cases.push({ model: m, target, precision, device, dir: `${m.name}-${target}-${precision}-${device}` });
  for (const p of ['fp32', 'w8a16', 'w8a8', 'w4a16']) add('vitis', p, 'u55c');
  for (const p of ['fp32', 'w8a16']) add('bambu', p, 'u55c');
  add('vitis', 'w8a16', 'kv260');
  add('bambu', 'w8a16', 'kv260');
  if (m.rtl) for (const p of ['w8a16', 'w4a16']) add('rtl', p, 'kv260');
}

/** Child mode: rebuild the emitter's input as compileModel does and dump its result. */
if (argv[0] === '--emit-json') {
  const [, file, precisionName, deviceName, target, out, ...binds] = argv;
  const dist = (m) => import(join(root, 'dist', m));
  const { fusedGraph, quantizedGraph, deviceInfo, toolVersion } = await dist('backend-hls/compile.js');
  const { emitProject } = await dist('backend-hls/emit.js');
  const { defaultPlan, plannerPlan, withOverrides } = await dist('backend-hls/plan.js');
  const { emptyConfig } = await dist('backend-hls/config.js');
  const { dialectFor } = await dist('backend-hls/dialect.js');
  const { precisionByName } = await dist('compiler/numerics/precision.js');
  const { deviceByName } = await dist('compiler/devices/index.js');
  const bindings = Object.fromEntries(binds.map((b) => { const [k, v] = b.split('='); return [k, Number(v)]; }));
  const precision = precisionByName(precisionName);
  const deviceData = deviceByName(deviceName);
  const device = deviceInfo(deviceData);
  const { graph, spec } = precision.float ? { graph: fusedGraph(file, bindings) } : quantizedGraph(file, bindings, precision.name);
  let base;
  try { base = plannerPlan(graph, precision, deviceData, defaultPlan(device)).plan; } catch { base = defaultPlan(device); }
  const emit = emitProject(graph, { dialect: dialectFor(target), precision, plan: withOverrides(base, emptyConfig()), device, version: toolVersion(), spec });
  const json = JSON.stringify(emit, (k, v) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'function' ? undefined : v), 1);
  writeFileSync(out, `${json}\n`);
  process.exit(0);
}

const run = (args, onFail) => new Promise((done) => {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  child.on('close', (code) => { if (code !== 0) onFail(`exit ${code}\n${err}`); done(code); });
});

const compile = async (c) => {
  const dir = join(outDir, c.dir);
  const binds = c.model.bind.flatMap((b) => ['--bind', b]);
  const failed = (what) => (text) => { mkdirSync(dir, { recursive: true }); writeFileSync(join(dir, what), text); };
  const code = await run([join(root, 'bin', 'llm2hls.js'), 'compile', c.model.file, '-o', dir, '--target', c.target,
    '--precision', c.precision, '--device', c.device, ...binds], failed('FAILED.txt'));
  if (c.target === 'rtl') return code;
  const emitted = await run([fileURLToPath(import.meta.url), '--emit-json', c.model.file, c.precision, c.device, c.target,
    join(outDir, `${c.dir}.emit.json`), ...c.model.bind], failed('EMIT-FAILED.txt'));
  return code || emitted;
};

/** Every file below dir, relative, sorted. */
const walk = (dir, rel = '') => readdirSync(join(dir, rel), { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? walk(dir, join(rel, e.name)) : [join(rel, e.name)])).sort();

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
let next = 0, failed = 0;
await Promise.all(Array.from({ length: jobs }, async () => {
  while (next < cases.length) { const c = cases[next++]; if (await compile(c)) failed++; }
}));
console.log(`compiled ${cases.length} projects into ${outDir} (${failed} failed to compile, recorded as FAILED.txt)`);
if (!refDir) process.exit(0);

const diffs = [];
let files = 0;
for (const c of cases) {
  const a = join(refDir, c.dir), b = join(outDir, c.dir);
  if (!existsSync(a)) { diffs.push(`${c.dir}: missing in the reference`); continue; }
  if (c.target !== 'rtl') {
    files++;
    const ja = join(refDir, `${c.dir}.emit.json`), jb = join(outDir, `${c.dir}.emit.json`);
    if (!existsSync(ja) || !existsSync(jb) || !readFileSync(ja).equals(readFileSync(jb))) diffs.push(`${c.dir}.emit.json: differs or missing`);
  }
  const fa = walk(a), fb = walk(b), sb = new Set(fb), sa = new Set(fa);
  for (const f of fa) if (!sb.has(f)) diffs.push(`${c.dir}/${f}: only in the reference`);
  for (const f of fb) if (!sa.has(f)) diffs.push(`${c.dir}/${f}: only in the new set`);
  for (const f of fa) {
    if (!sb.has(f)) continue;
    files++;
    const pa = join(a, f), pb = join(b, f);
    if (statSync(pa).size !== statSync(pb).size || !readFileSync(pa).equals(readFileSync(pb))) diffs.push(`${c.dir}/${f}: differs`);
  }
}
for (const d of diffs) console.log(d);
console.log(`compared ${cases.length} projects (${files} files) with ${refDir}: ${diffs.length} differences`);
process.exit(diffs.length ? 1 : 0);
