#!/usr/bin/env node
/**
 * Benchmark of --target rtl projects: for each model and device, compiles
 * the RTL project, builds its Verilator simulation from clean (make
 * sim-build), runs it (make sim) and prints build seconds (wall and CPU),
 * simulated cycles and cycles per second; as a reference measured in the
 * same run, the C++ csim build of the model's --target vitis project (make
 * build/csim), and the RTL build time as a multiple of it. With --yosys also
 * `make yosys` and the estimate beside Yosys' counts (DSP, BRAM18K, LUT, FF,
 * ratios).
 *
 *   node scripts/bench-rtl.mjs [--models tiny_gpt,gpt2_mini,...|FILE.onnx [--bind n=v]] [--devices kv260,u55c]
 *        [--yosys] [--yosys-timeout S] [--no-csim] [--cold] [--opt -Og] [--json FILE] [--keep]
 *        [--cli OTHER_CHECKOUT/bin/llm2hls.js]
 *
 * --cold builds with an empty Verilator runtime cache (VERILATED_CACHE), so
 * the runtime is compiled too; by default the Makefile's cache is used, as
 * after a project's first build on the machine (each line says whether the
 * runtime was cached or compiled). --opt sets the Makefile's OPT (generated code's
 * optimization). Run `npx tsc -p tsconfig.json` first: it runs bin/llm2hls.js.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let CLI = path.join(ROOT, 'bin', 'llm2hls.js');

// The exported fixtures live beside the main checkout (../shared/models); a worktree is one level deeper.
const SHARED = [path.join(ROOT, '..', 'shared', 'models'), path.join(ROOT, '..', '..', 'shared', 'models')].find((d) => fs.existsSync(d));
const FIXTURES = {
  tiny_gpt: { file: path.join(ROOT, 'examples', 'tiny_gpt.onnx'), bind: ['sequence=8'] },
  gpt2_mini: { file: SHARED && path.join(SHARED, 'gpt2_mini.onnx'), bind: [] },
  llama_mini: { file: SHARED && path.join(SHARED, 'llama_mini.onnx'), bind: [] },
  encoder_mini: { file: SHARED && path.join(SHARED, 'encoder_mini.onnx'), bind: [] },
};

function parseArgs(argv) {
  const o = { models: Object.keys(FIXTURES), devices: ['kv260'], yosys: false, yosysTimeout: 1800, csim: true, cold: false, opt: undefined, json: undefined, keep: false, bind: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], next = () => argv[++i];
    if (a === '--models') o.models = next().split(',');
    else if (a === '--devices') o.devices = next().split(',');
    else if (a === '--yosys') o.yosys = true;
    else if (a === '--yosys-timeout') o.yosysTimeout = Number(next());
    else if (a === '--no-csim') o.csim = false;
    else if (a === '--cold') o.cold = true;
    else if (a === '--opt') o.opt = next();
    else if (a === '--json') o.json = next();
    else if (a === '--keep') o.keep = true;
    else if (a === '--bind') o.bind.push(next());
    // Another checkout's CLI (its templates and Makefile): the before of a before/after.
    else if (a === '--cli') CLI = path.resolve(next());
    else if (a === '--help' || a === '-h') { console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(2, 20).join('\n')); process.exit(0); }
    else throw new Error(`bench-rtl: unknown option ${a}`);
  }
  for (const m of o.models) {
    if (FIXTURES[m]) continue;
    // Any other .onnx file, with the --bind values.
    if (!m.endsWith('.onnx') || !fs.existsSync(m)) throw new Error(`bench-rtl: unknown model ${m} (${Object.keys(FIXTURES).join(', ')}, or an .onnx file)`);
    FIXTURES[m] = { file: path.resolve(m), bind: o.bind };
  }
  return o;
}

// GNU time gives the children's CPU seconds; without it, wall time only.
const GNU_TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Runs a command; returns wall and CPU (user + sys) seconds and its output. */
function timed(cmd, args, opts = {}) {
  const tfile = path.join(os.tmpdir(), `bench-rtl-time-${process.pid}`);
  const [c, a] = GNU_TIME ? [GNU_TIME, ['-f', '%U %S', '-o', tfile, cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  const r = spawnSync(c, a, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  const wall = (performance.now() - t0) / 1000;
  let cpu;
  if (GNU_TIME && fs.existsSync(tfile)) {
    const [u, s] = fs.readFileSync(tfile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    cpu = u + s;
    fs.rmSync(tfile, { force: true });
  }
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${(r.stderr || r.stdout || '').split('\n').slice(-15).join('\n')}`);
  return { wall, cpu, stdout: r.stdout, stderr: r.stderr };
}

function compile(model, device, target, dir) {
  const f = FIXTURES[model];
  if (!f.file || !fs.existsSync(f.file)) throw new Error(`bench-rtl: ${model}: no model file (${f.file ?? 'shared/models not found'})`);
  execFileSync('node', [CLI, 'compile', f.file, '-o', dir, '--target', target, '--device', device, '--force',
    ...f.bind.flatMap((b) => ['--bind', b])], { stdio: ['ignore', 'ignore', 'inherit'] });
}

const fmt = (x, d = 1) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
const ratio = (a, b) => (a !== undefined && b ? a / b : undefined);

function main() {
  const o = parseArgs(process.argv.slice(2));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'llm2hls-bench-rtl-'));
  // --cold: a fresh, empty runtime cache per build; else the Makefile's default one, as a user has it.
  const makeEnv = (cache) => (cache ? { ...process.env, VERILATED_CACHE: cache } : process.env);
  const optArgs = o.opt ? [`OPT=${o.opt}`] : [];
  const rows = [];
  console.log(`bench-rtl: ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}, ${o.cold ? 'cold (empty runtime cache per build)' : 'default runtime cache'}${o.opt ? `, OPT=${o.opt}` : ''}`);
  try {
    for (const device of o.devices) for (const model of o.models) {
      const name = `${path.basename(model, '.onnx')}@${device}`;
      const rtl = path.join(work, `${path.basename(model, '.onnx')}-${device}-rtl`);
      compile(model, device, 'rtl', rtl);
      const cache = o.cold ? path.join(work, `cache-${path.basename(model, '.onnx')}-${device}`) : undefined;
      const build = timed('make', ['-C', rtl, 'sim-build', ...optArgs], { env: makeEnv(cache) });
      // The simulation binary alone, as make sim runs it (in rtl/, where the ROM names resolve), without make's start-up.
      const { rtl: info } = JSON.parse(fs.readFileSync(path.join(rtl, 'manifest.json'), 'utf8'));
      fs.mkdirSync(path.join(rtl, 'sim', 'out'), { recursive: true });
      let run, simError;
      try {
        run = timed(path.join(rtl, 'build', 'verilator', `V${info.module}`),
          [path.join(rtl, 'sim', 'sample'), path.join(rtl, 'sim', 'out'), String(info.maxCycles)], { cwd: path.join(rtl, 'rtl') });
      } catch (e) {
        // A simulation that stalls or times out is reported, not fatal: the build time still counts.
        simError = /llm2hls-rtl [A-Z]+.*$/m.exec(String(e.message))?.[0] ?? String(e.message).split('\n')[0];
        run = { wall: NaN, stdout: '' };
      }
      const cycles = Number(/llm2hls-rtl cycles (\d+)/.exec(run.stdout)?.[1]);
      const row = { model: path.basename(model, '.onnx'), device, runtime: '', simError, buildSeconds: build.wall, buildCpuSeconds: build.cpu, simSeconds: run.wall, cycles, cyclesPerSecond: cycles / run.wall };
      // The build log lists the compiler runs: verilated.cpp among them when the runtime was not cached.
      row.runtime = /verilated\.cpp/.test(fs.readFileSync(path.join(rtl, 'build', 'verilator', 'build.log'), 'utf8')) ? 'compiled' : 'cached';
      const gen = path.join(rtl, 'build', 'verilator', 'obj');
      row.generatedMB = fs.readdirSync(gen).filter((f) => /\.(cpp|h)$/.test(f)).reduce((n, f) => n + fs.statSync(path.join(gen, f)).size, 0) / 1e6;
      if (o.csim) {
        const hls = path.join(work, `${path.basename(model, '.onnx')}-${device}-vitis`);
        compile(model, device, 'vitis', hls);
        const csim = timed('make', ['-s', '-C', hls, 'build/csim']);
        row.csimBuildSeconds = csim.wall;
        row.csimBuildCpuSeconds = csim.cpu;
      }
      if (o.yosys) {
        try {
          timed('make', ['-s', '-C', rtl, 'yosys', `YOSYS_TIMEOUT=${o.yosysTimeout}`]);
          const y = JSON.parse(fs.readFileSync(path.join(rtl, 'yosys.json'), 'utf8'));
          row.yosys = { dsp: y.dsp, bram18k: y.bram18k, uram: y.uram, lut: y.lut, ff: y.ff, seconds: y.seconds };
          row.estimate = y.estimate;
        } catch (e) {
          row.yosysError = String(e.message).split('\n').slice(0, 3).join(' ');
        }
      }
      rows.push(row);
      console.log(`${name}: build ${fmt(row.buildSeconds)} s (cpu ${fmt(row.buildCpuSeconds)} s, runtime ${row.runtime}, ${fmt(row.generatedMB)} MB C++), `
        + `${simError ? `sim failed: ${simError}` : `sim ${row.cycles} cycles in ${fmt(row.simSeconds, 2)} s`}${row.csimBuildSeconds !== undefined ? `, csim build ${fmt(row.csimBuildSeconds)} s` : ''}`);
      if (!o.keep) fs.rmSync(rtl, { recursive: true, force: true });
    }
  } finally {
    if (!o.keep) fs.rmSync(work, { recursive: true, force: true });
    else console.log(`projects kept in ${work}`);
  }

  console.log('\n| design | build s | build CPU s | C++ MB | csim build s | build / csim | cycles | sim s | cycles/s |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.model}@${r.device} | ${fmt(r.buildSeconds)} | ${fmt(r.buildCpuSeconds)} | ${fmt(r.generatedMB)} | ${fmt(r.csimBuildSeconds)} | `
      + `${fmt(ratio(r.buildSeconds, r.csimBuildSeconds), 2)} | ${r.simError ? `failed: ${r.simError}` : r.cycles} | ${fmt(r.simSeconds, 2)} | ${r.simError ? '-' : Math.round(r.cyclesPerSecond)} |`);
  }
  if (o.yosys) {
    console.log('\n| design | DSP est / yosys (ratio) | BRAM18K | URAM | LUT | FF | yosys s |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of rows) {
      if (!r.yosys) { console.log(`| ${r.model}@${r.device} | ${r.yosysError ?? 'no yosys.json'} ||||||`); continue; }
      const cell = (k) => `${r.estimate?.[k] ?? '-'} / ${r.yosys[k]} (${fmt(ratio(r.yosys[k], r.estimate?.[k]), 2)})`;
      console.log(`| ${r.model}@${r.device} | ${cell('dsp')} | ${cell('bram18k')} | ${cell('uram')} | ${cell('lut')} | ${cell('ff')} | ${r.yosys.seconds} |`);
    }
    console.log('ratio = yosys / estimate');
  }
  if (o.json) fs.writeFileSync(o.json, `${JSON.stringify(rows, null, 2)}\n`);
}

main();
