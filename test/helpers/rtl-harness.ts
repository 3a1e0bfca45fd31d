/**
 * Test harness of the Verilog kernel library (templates/rtl/): runs one
 * module under Verilator with a valid/ready testbench (random input gaps and
 * output backpressure, seeded), runs its C++ twin from templates/kernels/
 * with g++ and llm2hls's host types (as `make csim` does), and checks the
 * modules against Verilator's lint, Icarus Verilog and Yosys.
 *
 * Builds are cached per (module, numeric parameters) for the life of the
 * test process; data (stream beats, $readmemh ROM files) goes into a fresh
 * run folder per simulation, so one build serves every seed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { renderTemplate, tablesContext } from '../../backend-hls/compile.js';
import { DIALECTS } from '../../backend-hls/dialect.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RTL_DIR = path.join(ROOT, 'templates', 'rtl');
const KERNEL_DIR = path.join(ROOT, 'templates', 'kernels');
const CPP_DIR = path.join(ROOT, 'test', 'rtl', 'cpp');
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'llm2hls-rtl-'));
process.on('exit', () => fs.rmSync(WORK, { recursive: true, force: true }));

/** Module parameters; a string is a Verilog string parameter (a ROM file name), a bigint a 64-bit one. */
export type Params = Record<string, number | string | bigint>;
const paramValue = (v: number | string | bigint) => (typeof v === 'string' ? `"${v}"` : typeof v === 'bigint' ? `64'd${v}` : String(v));

/** A valid/ready stream port: `<name>_valid`, `<name>_ready`, `<name>_data` of `width` bits. */
export interface StreamPort { name: string; width: number }

export interface RtlModule {
  /** Module name = file name (templates/rtl/<top>.v); submodules come from the same folder. */
  top: string;
  /** The top's file when it is not in templates/rtl (a test-only wrapper). */
  file?: string;
  params: Params;
  inputs: StreamPort[];
  outputs: StreamPort[];
}

export interface SimOptions {
  seed: number;
  /** Percent of cycles an input holds back its next beat. */
  inGap?: number;
  /** Percent of cycles an output is not ready. */
  outStall?: number;
  /** Extra files for the run folder (ROM images), by name. */
  files?: Record<string, string>;
  maxCycles?: number;
}

export interface SimResult {
  /** Output beats per output stream, in order. */
  beats: bigint[][];
  /** The cycle each of those beats was taken. */
  cycles: number[][];
  totalCycles: number;
}

const key = (...parts: unknown[]) => crypto.createHash('sha1')
  .update(JSON.stringify(parts, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))).digest('hex').slice(0, 16);
const paramArgs = (p: Params) => Object.entries(p).map(([k, v]) => `-G${k}=${paramValue(v)}`);

function portsHeader(m: RtlModule): string {
  const words = (w: number) => Math.ceil(w / 32);
  const mask = (w: number) => `0x${(2 ** (w % 32 || 32) - 1).toString(16)}u`;
  const setData = (p: StreamPort) => {
    const d = `d->${p.name}_data`;
    if (p.width <= 32) return `${d} = b[0] & (${mask(p.width)});`;
    if (p.width <= 64) return `${d} = ((uint64_t(b[1] & (${mask(p.width - 32)})) << 32) | b[0]);`;
    const n = words(p.width);
    return `for (int k = 0; k < ${n}; k++) ${d}[k] = b[k]; ${d}[${n - 1}] &= ${mask(p.width - 32 * (n - 1))};`;
  };
  const getData = (p: StreamPort) => {
    const d = `d->${p.name}_data`;
    if (p.width <= 32) return `r[0] = ${d};`;
    if (p.width <= 64) return `r[0] = uint32_t(${d}); r[1] = uint32_t(${d} >> 32);`;
    return `for (int k = 0; k < ${words(p.width)}; k++) r[k] = ${d}[k];`;
  };
  const sw = (ports: StreamPort[], body: (p: StreamPort) => string) => ports.map((p, i) => `    case ${i}: ${body(p)} break;`).join('\n');
  return `static const int N_IN = ${m.inputs.length}, N_OUT = ${m.outputs.length};
static const int IN_WORDS[] = {${m.inputs.map((p) => words(p.width)).join(', ')}};
static void set_in_valid(Vdut *d, int i, bool v) { switch (i) {\n${sw(m.inputs, (p) => `d->${p.name}_valid = v;`)}\n  } }
static bool get_in_ready(Vdut *d, int i) { switch (i) {\n${sw(m.inputs, (p) => `return d->${p.name}_ready;`)}\n  } return false; }
static void set_in_data(Vdut *d, int i, const Beat &b) { switch (i) {\n${sw(m.inputs, setData)}\n  } }
static void set_out_ready(Vdut *d, int o, bool v) { switch (o) {\n${sw(m.outputs, (p) => `d->${p.name}_ready = v;`)}\n  } }
static bool get_out_ready(Vdut *d, int o) { switch (o) {\n${sw(m.outputs, (p) => `return d->${p.name}_ready;`)}\n  } return false; }
static bool get_out_valid(Vdut *d, int o) { switch (o) {\n${sw(m.outputs, (p) => `return d->${p.name}_valid;`)}\n  } return false; }
static Beat get_out_data(Vdut *d, int o) {
  static const int W[] = {${m.outputs.map((p) => words(p.width)).join(', ')}};
  Beat r(W[o], 0);
  switch (o) {\n${sw(m.outputs, getData)}\n  }
  return r;
}
`;
}

const builds = new Map<string, Promise<string>>();
/** Verilator's runtime (verilated.o) is the slow part of a build: compiled once, kept across test processes. */
const RUNTIME_CACHE = path.join(os.tmpdir(), `llm2hls-rtl-verilated-${os.userInfo().uid}`);
const MAKE_OPT = ['OPT_FAST=-O1', 'OPT_SLOW=-O0', 'OPT_GLOBAL=-O1'];

/** Builds the module's Verilator simulation (cached); returns the binary. */
export function buildSim(m: RtlModule): Promise<string> {
  const k = key('sim', m);
  let b = builds.get(k);
  if (!b) {
    b = (async () => {
      const dir = path.join(WORK, `sim-${m.top}-${k}`);
      const obj = path.join(dir, 'obj');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'ports.h'), portsHeader(m));
      await execa('verilator', [
        '--cc', '--exe', '--prefix', 'Vdut', '--top-module', m.top, '-Wno-fatal', '-Wno-lint',
        ...paramArgs(m.params), '-y', RTL_DIR, m.file ?? path.join(RTL_DIR, `${m.top}.v`), path.join(CPP_DIR, 'tb.cpp'),
        '-CFLAGS', `-O1 -I${dir}`, '-Mdir', obj, '-o', 'sim',
      ], { cwd: dir });
      const version = (await execa('verilator', ['--version'])).stdout.trim().replace(/\W+/g, '_');
      const cached = path.join(RUNTIME_CACHE, `${version}.o`);
      if (fs.existsSync(cached)) {
        // Newer than verilated.cpp, so make takes it as built.
        fs.copyFileSync(cached, path.join(obj, 'verilated.o'));
        const now = new Date();
        fs.utimesSync(path.join(obj, 'verilated.o'), now, now);
      }
      await execa('make', ['-j', '2', '-C', obj, '-f', 'Vdut.mk', ...MAKE_OPT]);
      if (!fs.existsSync(cached)) {
        fs.mkdirSync(RUNTIME_CACHE, { recursive: true });
        const tmp = `${cached}.${process.pid}`;
        fs.copyFileSync(path.join(obj, 'verilated.o'), tmp);
        fs.renameSync(tmp, cached);
      }
      return path.join(obj, 'sim');
    })();
    builds.set(k, b);
  }
  return b;
}

let runs = 0;

/** Simulates the module on input beats (one list per input stream) until each output has `want[i]` beats. */
export async function simulate(m: RtlModule, inputs: bigint[][], want: number[], o: SimOptions): Promise<SimResult> {
  const bin = await buildSim(m);
  const dir = path.join(WORK, `run-${runs++}`);
  fs.mkdirSync(dir);
  inputs.forEach((beats, i) => fs.writeFileSync(path.join(dir, `in${i}.txt`), beats.map((b) => b.toString(16)).join('\n') + '\n'));
  for (const [name, text] of Object.entries(o.files ?? {})) fs.writeFileSync(path.join(dir, name), text);
  const maxCycles = o.maxCycles ?? 1_000_000;
  const r = await execa(bin, [String(o.seed), String(o.inGap ?? 0), String(o.outStall ?? 0), String(maxCycles), ...want.map(String)], { cwd: dir });
  const beats: bigint[][] = m.outputs.map(() => []);
  const cycles: number[][] = m.outputs.map(() => []);
  for (const line of fs.readFileSync(path.join(dir, 'out.txt'), 'utf8').split('\n')) {
    if (!line) continue;
    const [s, c, hex] = line.split(' ');
    beats[Number(s)].push(BigInt(`0x${hex}`));
    cycles[Number(s)].push(Number(c));
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return { beats, cycles, totalCycles: Number(/cycles (\d+)/.exec(r.stdout)?.[1] ?? -1) };
}

// ---------------------------------------------------------------------------
// The C++ twin

let twinHeaders: string | undefined;

/** llm2hls_types.h and llm2hls_tables.h as a compiled project has them (host types for g++). */
function headers(): string {
  if (!twinHeaders) {
    twinHeaders = path.join(WORK, 'include');
    fs.mkdirSync(twinHeaders, { recursive: true });
    const d = DIALECTS.vitis;
    fs.writeFileSync(path.join(twinHeaders, 'llm2hls_types.h'), renderTemplate('project/llm2hls_types.h.hbs',
      { top: 'rtl_twin', target: d.name, defineMacro: d.defineMacro, typeHeader: d.typeHeader, macros: d.kernelMacros }));
    fs.writeFileSync(path.join(twinHeaders, 'llm2hls_tables.h'), renderTemplate('project/llm2hls_tables.h.hbs', tablesContext()));
  }
  return twinHeaders;
}

const twins = new Map<string, Promise<string>>();

/**
 * Runs test/rtl/cpp/<driver>.cpp (a driver of one templates/kernels kernel),
 * compiled with `defines` (its CFG constants, as -DTWIN_<name>), on whitespace-separated
 * integers; returns the integers it prints.
 */
export async function runTwin(driver: string, defines: Record<string, number>, input: ArrayLike<number | bigint>): Promise<number[]> {
  const k = key('twin', driver, defines);
  let b = twins.get(k);
  if (!b) {
    b = (async () => {
      const bin = path.join(WORK, `twin-${driver}-${k}`);
      await execa('g++', ['-std=c++17', '-O1', '-DLLM2HLS_HOST_TYPES', `-I${headers()}`, `-I${KERNEL_DIR}`,
        ...Object.entries(defines).map(([n, v]) => `-DTWIN_${n}=${v}`), path.join(CPP_DIR, `${driver}.cpp`), '-o', bin]);
      return bin;
    })();
    twins.set(k, b);
  }
  const r = await execa(await b, [], { input: Array.from(input, String).join(' ') + '\n' });
  return r.stdout.split(/\s+/).filter(Boolean).map(Number);
}

// ---------------------------------------------------------------------------
// Tool acceptance

/** `verilator --lint-only -Wall`: returns its complaints ('' when clean). */
export async function lint(top: string, params: Params): Promise<string> {
  const r = await execa('verilator', ['--lint-only', '-Wall', '-y', RTL_DIR, ...paramArgs(params), '--top-module', top, path.join(RTL_DIR, `${top}.v`)], { reject: false });
  return r.exitCode === 0 ? '' : r.stderr;
}

/** Icarus Verilog elaborates the module (Verilog-2005); returns its complaints. */
export async function icarus(top: string, params: Params): Promise<string> {
  const r = await execa('iverilog', ['-g2005', '-Wall', '-o', '/dev/null', '-y', RTL_DIR, '-s', top,
    ...Object.entries(params).map(([k, v]) => `-P${top}.${k}=${paramValue(v)}`), path.join(RTL_DIR, `${top}.v`)], { reject: false });
  return r.exitCode === 0 ? r.stderr.trim() : `exit ${r.exitCode}: ${r.stderr}`;
}

/**
 * Yosys reads the module (and its submodules), sets the parameters and runs
 * a generic `synth` (`coarse`: up to its fine-grained mapping, for the modules
 * whose wide multipliers and table ROMs make the gate mapping slow); `files` go
 * into the folder it runs in ($readmemh images). Returns the log of `stat`.
 */
export async function yosysSynth(top: string, params: Params, files: Record<string, string> = {}, o: { coarse?: boolean } = {}): Promise<string> {
  const dir = path.join(WORK, `yosys-${runs++}`);
  fs.mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const sources = fs.readdirSync(RTL_DIR).filter((f) => f.endsWith('.v')).map((f) => path.join(RTL_DIR, f));
  const sets = Object.entries(params).map(([k, v]) => `-set ${k} ${paramValue(v)}`).join(' ');
  const chparam = sets ? `chparam ${sets} ${top}; ` : '';
  const script = `read_verilog -defer ${sources.join(' ')}; ${chparam}hierarchy -check -top ${top}; synth -top ${top}${o.coarse ? ' -run :fine' : ''}; tee -q -o stat.txt stat`;
  const r = await execa('yosys', ['-q', '-p', script], { cwd: dir, reject: false });
  const stat = r.exitCode === 0 ? fs.readFileSync(path.join(dir, 'stat.txt'), 'utf8') : '';
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.exitCode !== 0) throw new Error(`yosys failed on ${top}: ${r.stderr || r.stdout}`);
  return stat;
}
