/**
 * Test harness of the Verilog kernel library (templates/rtl/): runs one
 * module under Verilator with a C++ valid/ready testbench (test/rtl/cpp/tb.cpp;
 * random input gaps and output backpressure, seeded) or under Icarus Verilog
 * with a generated Verilog testbench that does the same, runs its C++ twin
 * from templates/kernels/ with g++ and llm2hls's host types (as `make csim`
 * does), and checks the modules against Verilator's lint, Icarus Verilog
 * and Yosys.
 *
 * Builds are cached per module and parameter set for the life of the test
 * process; data (stream beats, $readmemh ROM files) goes into a fresh run
 * folder per simulation, so one build serves every seed and data set.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll } from 'vitest';
import { renderTemplate, tablesContext } from '../../backend-hls/compile.js';
import { DIALECTS } from '../../backend-hls/dialect.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RTL_DIR = path.join(ROOT, 'templates', 'rtl');
const KERNEL_DIR = path.join(ROOT, 'templates', 'kernels');
const CPP_DIR = path.join(ROOT, 'test', 'rtl', 'cpp');
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'llm2hls-rtl-'));
// Each test file imports its own copy of this module: its work folder goes with it.
afterAll(() => fs.rmSync(WORK, { recursive: true, force: true }));

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
  /** Verilator (default, the C++ testbench) or Icarus Verilog (a generated Verilog testbench, as cocotb would run). */
  simulator?: 'verilator' | 'icarus';
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
  const bin = o.simulator === 'icarus' ? await buildIcarus(m) : await buildSim(m);
  const dir = path.join(WORK, `run-${runs++}`);
  fs.mkdirSync(dir);
  inputs.forEach((beats, i) => fs.writeFileSync(path.join(dir, `in${i}.txt`), beats.map((b) => b.toString(16)).join('\n') + '\n'));
  for (const [name, text] of Object.entries(o.files ?? {})) fs.writeFileSync(path.join(dir, name), text);
  const args = [String(o.seed), String(o.inGap ?? 0), String(o.outStall ?? 0), String(o.maxCycles ?? 1_000_000), ...want.map(String)];
  const r = o.simulator === 'icarus'
    ? await execa('vvp', ['-n', bin, ...['SEED', 'GAP', 'STALL', 'MAX'].map((k, i) => `+${k}=${args[i]}`), ...want.map((w, i) => `+WANT${i}=${w}`)], { cwd: dir })
    : await execa(bin, args, { cwd: dir });
  if (/timeout/.test(r.stdout)) throw new Error(`${m.top}: ${r.stdout.trim()}`);
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

/**
 * The same testbench in Verilog for Icarus: inputs from in<i>.txt with random
 * gaps, outputs with random backpressure ($random, seeded by +SEED), every
 * output beat written as "<stream> <cycle> <hex>" to out.txt.
 */
function icarusTestbench(m: RtlModule): string {
  const decl: string[] = [], conn: string[] = ['.clk(clk)', '.rst_n(rst_n)'], init: string[] = [], step: string[] = [];
  m.inputs.forEach((p, i) => {
    decl.push(`reg i${i}_valid = 0; wire i${i}_ready; reg [${p.width - 1}:0] i${i}_data = 0;`,
      `reg [${p.width - 1}:0] i${i}_mem [0:65535]; integer i${i}_k = 0, i${i}_n = 0;`);
    conn.push(`.${p.name}_valid(i${i}_valid)`, `.${p.name}_ready(i${i}_ready)`, `.${p.name}_data(i${i}_data)`);
    init.push(`i${i}_n = count("in${i}.txt"); $readmemh("in${i}.txt", i${i}_mem, 0, i${i}_n - 1);`);
    // A beat stays until taken; after a transfer (or while idle) the next one may wait a gap.
    step.push(`if (i${i}_valid && i${i}_ready) i${i}_k = i${i}_k + 1;`,
      `if (!(i${i}_valid && !i${i}_ready)) begin`,
      `  if (i${i}_k < i${i}_n && roll(0) >= gap) begin i${i}_valid <= 1; i${i}_data <= i${i}_mem[i${i}_k]; end else i${i}_valid <= 0;`,
      'end');
  });
  m.outputs.forEach((p, o) => {
    decl.push(`wire o${o}_valid; reg o${o}_ready = 0; wire [${p.width - 1}:0] o${o}_data; integer o${o}_n = 0, o${o}_want;`);
    conn.push(`.${p.name}_valid(o${o}_valid)`, `.${p.name}_ready(o${o}_ready)`, `.${p.name}_data(o${o}_data)`);
    init.push(`if (!$value$plusargs("WANT${o}=%d", o${o}_want)) o${o}_want = 0;`);
    step.push(`if (o${o}_valid && o${o}_ready) begin $fwrite(f, "${o} %0d %h\\n", cycle, o${o}_data); o${o}_n = o${o}_n + 1; end`,
      `o${o}_ready <= roll(0) >= stall;`);
  });
  const done = m.outputs.map((_, o) => `o${o}_n >= o${o}_want`).join(' && ');
  const params = Object.entries(m.params).map(([k, v]) => `.${k}(${paramValue(v)})`).join(', ');
  return `\`timescale 1ns/1ps
module tb;
  reg clk = 0, rst_n = 0;
  integer seed, gap, stall, max_cycles, cycle = 0, f;
  ${decl.join('\n  ')}
  ${m.top} #(${params}) dut (${conn.join(', ')});
  function integer roll;
    input dummy;
    roll = ($random(seed) & 32'h7fffffff) % 100;
  endfunction
  // Lines of a hex file (one beat each).
  function integer count;
    input [8*16-1:0] name;
    integer fd, n, r;
    reg [1023:0] word;
    begin
      fd = $fopen(name, "r");
      n = 0;
      r = $fscanf(fd, "%h", word);
      while (r == 1) begin
        n = n + 1;
        r = $fscanf(fd, "%h", word);
      end
      $fclose(fd);
      count = n;
    end
  endfunction
  initial begin
    if (!$value$plusargs("SEED=%d", seed)) seed = 1;
    if (!$value$plusargs("GAP=%d", gap)) gap = 0;
    if (!$value$plusargs("STALL=%d", stall)) stall = 0;
    if (!$value$plusargs("MAX=%d", max_cycles)) max_cycles = 1000000;
    ${init.join('\n    ')}
    f = $fopen("out.txt", "w");
    repeat (2) @(posedge clk);
    rst_n <= 1;
  end
  always #5 clk = ~clk;
  // Handshakes are sampled at the rising edge that performs them; the
  // testbench drives its next values with nonblocking assignments, like the design.
  always @(posedge clk) if (rst_n) begin
    ${step.join('\n    ')}
    cycle = cycle + 1;
    if (${done}) begin
      $fclose(f);
      $display("cycles %0d", cycle);
      $finish;
    end
    if (cycle > max_cycles) begin
      $display("timeout after %0d cycles", cycle);
      $finish;
    end
  end
endmodule
`;
}

const icarusBuilds = new Map<string, Promise<string>>();

function buildIcarus(m: RtlModule): Promise<string> {
  const k = key('icarus', m);
  let b = icarusBuilds.get(k);
  if (!b) {
    b = (async () => {
      const dir = path.join(WORK, `icarus-${m.top}-${k}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'tb.v'), icarusTestbench(m));
      const out = path.join(dir, 'sim.vvp');
      await execa('iverilog', ['-g2005', '-o', out, '-y', RTL_DIR, '-s', 'tb', path.join(dir, 'tb.v'), m.file ?? path.join(RTL_DIR, `${m.top}.v`)]);
      return out;
    })();
    icarusBuilds.set(k, b);
  }
  return b;
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
  // chparam reads Verilog constants without a minus sign: a negative integer goes as its 32-bit signed pattern.
  const value = (v: number | string | bigint) => (typeof v === 'number' && v < 0 ? `32'sh${(v >>> 0).toString(16)}` : paramValue(v));
  const sets = Object.entries(params).map(([k, v]) => `-set ${k} ${value(v)}`).join(' ');
  const chparam = sets ? `chparam ${sets} ${top}; ` : '';
  const script = `read_verilog -defer ${sources.join(' ')}; ${chparam}hierarchy -check -top ${top}; synth -top ${top}${o.coarse ? ' -run :fine' : ''}; tee -q -o stat.txt stat`;
  const r = await execa('yosys', ['-q', '-p', script], { cwd: dir, reject: false });
  const stat = r.exitCode === 0 ? fs.readFileSync(path.join(dir, 'stat.txt'), 'utf8') : '';
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.exitCode !== 0) throw new Error(`yosys failed on ${top}: ${r.stderr || r.stdout}`);
  return stat;
}
