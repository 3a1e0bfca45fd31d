/**
 * backend-rtl/yosys.ts: real synth_xilinx runs of small library modules of
 * known structure (the exact counts Yosys 0.23 gives, and how they scale with
 * the lanes), the family of every device file, the script, and the errors.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deviceByName, deviceNames } from '../../compiler/devices/index.js';
import { linearRoms } from '../../backend-rtl/rom.js';
import { kernelInstances, kernelShapes, runYosysDesign } from '../../backend-rtl/yosys-design.js';
import { VERSAL_NOTE, YosysReport, countResources, runYosys, yosysFamily, yosysScript } from '../../backend-rtl/yosys.js';
import { RTL_DIR } from '../helpers/rtl-harness.js';
import { limited } from '../helpers/two-at-a-time.js';
import { rng } from '../numerics/rng.js';

const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'llm2hls-yosys-test-'));
afterAll(() => fs.rmSync(WORK, { recursive: true, force: true }));
const rtl = (...names: string[]) => names.map((n) => path.join(RTL_DIR, `${n}.v`));


const fifo = (width: number, depth: number, device = 'u55c') => limited(() => runYosys({
  files: rtl('llm2hls_fifo'), top: 'llm2hls_fifo', params: { WIDTH: width, DEPTH: depth }, device,
}));

const fifoInst = (p: string, w: number, d: number) => `llm2hls_fifo #(.WIDTH(${w}), .DEPTH(${d})) ${p} (.clk(clk), .rst_n(rst_n),
    .in_valid(${p}_in_valid), .in_ready(${p}_in_ready), .in_data(${p}_in_data),
    .out_valid(${p}_out_valid), .out_ready(${p}_out_ready), .out_data(${p}_out_data));`;

/** A FIFO of 512 x 32 and one of 4096 x 72 side by side: one run (Yosys' start costs 6 s), BRAM and URAM told apart. */
function twoFifos(): string {
  const file = path.join(WORK, 'two_fifos.v');
  const port = (p: string, w: number) => `input wire ${p}_in_valid, output wire ${p}_in_ready, input wire [${w - 1}:0] ${p}_in_data,
  output wire ${p}_out_valid, input wire ${p}_out_ready, output wire [${w - 1}:0] ${p}_out_data`;
  fs.writeFileSync(file, `module two_fifos(input wire clk, input wire rst_n,\n  ${port('a', 32)},\n  ${port('b', 72)});
  ${fifoInst('a', 32, 512)}\n  ${fifoInst('b', 72, 4096)}\nendmodule\n`);
  return file;
}

/** A project folder as --target rtl writes it (rtl/<top>.v, rtl/lib/) with three FIFOs of 4 x 32: one kernel shape. */
function threeFifoProject(): string {
  const dir = path.join(WORK, 'three-fifos');
  fs.mkdirSync(path.join(dir, 'rtl', 'lib'), { recursive: true });
  fs.copyFileSync(path.join(RTL_DIR, 'llm2hls_fifo.v'), path.join(dir, 'rtl', 'lib', 'llm2hls_fifo.v'));
  fs.writeFileSync(path.join(dir, 'rtl', 'top.v'), `module top(input wire clk, input wire rst_n);
  ${['a', 'b', 'c'].map((p) => fifoInst(p, 32, 4)).join('\n  ')}
endmodule
`);
  return dir;
}

/** llm2hls_linear, int16 activations x int8 weights, 48-bit accumulators, seeded random ROMs (a zero ROM would fold away). */
function linear(par: number, kpar: number, flow: 'full' | 'dsp-bram' = 'full'): Promise<YosysReport> {
  const K = 4, N = 4, g = rng(par * 10 + kpar);
  const roms = linearRoms({ K, N, par, kpar, wBits: 8, accBits: 48 },
    Array.from({ length: N * K }, () => g.int(-127, 127)), Array.from({ length: N }, () => g.int(1, 65535)),
    Array.from({ length: N }, () => g.int(0, 20)), Array.from({ length: N }, () => g.int(-1000, 1000)));
  // Unique per call: two tests synthesize the same shape at the same time.
  const dir = fs.mkdtempSync(path.join(WORK, `linear-${par}-${kpar}-${flow}-`));
  for (const [name, text] of Object.entries({ 'w.hex': roms.w, 'q.hex': roms.q, 'b.hex': roms.b! })) fs.writeFileSync(path.join(dir, name), text);
  return limited(() => runYosys({
    files: rtl('llm2hls_linear', 'llm2hls_round_shift', 'llm2hls_sat'), top: 'llm2hls_linear', device: 'u55c', romDir: dir,
    params: { IN_DIM: K, OUT_DIM: N, PAR: par, KPAR: kpar, X_BITS: 16, W_BITS: 8, Y_BITS: 16, ACC_BITS: 48, BIAS: 1 }, flow,
  }));
}

describe('yosysFamily', () => {
  it('maps every device file to a synth_xilinx family', () => {
    const got = Object.fromEntries(deviceNames().map((n) => [n, yosysFamily(n)]));
    expect(got).toEqual({
      kv260: { family: 'xcup', uram: true },
      u280: { family: 'xcup', uram: true },
      u55c: { family: 'xcup', uram: true },
      vck190: { family: 'xcup', uram: true, familyNote: VERSAL_NOTE },
      // The ZU9EG has no URAM.
      zcu102: { family: 'xcup', uram: false },
    });
    expect(yosysFamily(deviceByName('vck190'))).toEqual(got.vck190);
  });
});

describe('yosysScript', () => {
  it('sets the parameters (sorted, negative and string values as Verilog constants) and resolves ROM names', () => {
    const s = yosysScript({ files: ['/a/x.v'], top: 'x', params: { B: -2, A: 'w.hex' }, family: 'xcup', uram: true, romDir: '/roms' });
    expect(s).toContain(`chparam -set A "/roms/w.hex" -set B 32'shfffffffe x\n`);
    expect(s).toContain('synth_xilinx -family xcup -top x -flatten -noiopad -noclkbuf -nowidelut -uram\n');
    expect(s).toContain('tee -q -o stat.json stat -json\n');
    expect(yosysScript({ files: ['/a/x.v'], top: 'x', family: 'xcup' })).not.toContain('chparam');
    expect(() => yosysScript({ files: ['/a b/x.v'], top: 'x', family: 'xcup' })).toThrow(/whitespace/);
  });

  it('counts LUT-RAM and SRL cells in LUTs, RAMB36 as two BRAM18K', () => {
    expect(countResources({ LUT6: 3, RAM32M16: 2, SRLC32E: 1, RAMB36E2: 2, RAMB18E2: 1, URAM288: 1, DSP48E2: 4, FDRE: 5, FDCE: 1, MUXF7: 9, CARRY4: 2 }))
      .toEqual({ dsp: 4, bram18k: 5, uram: 1, lut: 3 + 16 + 1, ff: 6, lutAsMemory: 17 });
  });
});

describe.concurrent('runYosys (synth_xilinx -family xcup)', () => {
  // The long runs queue first (longest first on two cores).
  it('llm2hls_linear: one DSP48E2 per int16 x int8 product and three per lane\'s acc * m; doubling PAR doubles them', async () => {
    const [one, two] = await Promise.all([linear(1, 1), linear(2, 1)]);
    // PAR * (KPAR + 3): the 16 x 8 product fits one DSP48E2 (27 x 18), the 49 x 17 requantization takes three.
    expect(one.dsp).toBe(4);
    expect(two.dsp).toBe(8);
    expect(two.dsp).toBe(2 * one.dsp);
    expect(one.cells.DSP48E2).toBe(one.dsp);
    for (const r of [one, two]) expect(r).toMatchObject({ bram18k: 0, uram: 0 });
    // Exact (Yosys 0.23, these seeded ROMs); more lanes, more of both.
    expect(one).toMatchObject({ lut: 874, ff: 282 });
    expect(two).toMatchObject({ lut: 1353, ff: 472 });
    console.log(`linear PAR=1 ${one.seconds} s (${one.lut} LUT, ${one.ff} FF), PAR=2 ${two.seconds} s (${two.lut} LUT, ${two.ff} FF)`);
  }, 300_000);

  it("the 'dsp-bram' flow (stops before LUT mapping) gives the full flow's DSP and BRAM, and no LUT or FF figure", async () => {
    const [full, fast] = await Promise.all([linear(2, 1), linear(2, 1, 'dsp-bram')]);
    expect(fast.flow).toBe('dsp-bram');
    expect({ dsp: fast.dsp, bram18k: fast.bram18k, uram: fast.uram }).toEqual({ dsp: full.dsp, bram18k: full.bram18k, uram: full.uram });
    expect([fast.lut, fast.ff, fast.lutAsMemory].every(Number.isNaN)).toBe(true);
    expect(yosysScript({ files: ['/a/x.v'], top: 'x', family: 'xcup', flow: 'dsp-bram' })).toContain('-nowidelut -run :fine\n');
  }, 300_000);

  it('a FIFO of 4 x 32 takes LUT-RAM and no BRAM; one of 512 x 32 a block RAM, one of 4096 x 72 a URAM', async () => {
    const [shallow, deep] = await Promise.all([fifo(32, 4), limited(() => runYosys({
      files: [...rtl('llm2hls_fifo'), twoFifos()], top: 'two_fifos', device: 'u55c',
    }))]);
    // Exact counts: the same design gives the same netlist (ABC included) run after run.
    expect(shallow).toMatchObject({ family: 'xcup', dsp: 0, bram18k: 0, uram: 0, lut: 37, lutAsMemory: 24, ff: 9 });
    expect(shallow.cells).toMatchObject({ RAM32M16: 3 });
    // 512 x 32 in one RAMB18E2; 4096 x 72 = 288 Kib in one URAM288, as the u55c has URAM (-uram).
    expect(deep).toMatchObject({ dsp: 0, bram18k: 1, uram: 1 });
    expect(deep.cells).toMatchObject({ RAMB18E2: 1, URAM288: 1 });
    for (const r of [shallow, deep]) expect(r.ff).toBeGreaterThan(0);
    console.log(`fifo 4x32 ${shallow.seconds} s (${shallow.lut} LUT, ${shallow.ff} FF), 512x32 + 4096x72 ${deep.seconds} s (${deep.lut} LUT, ${deep.ff} FF)`);
  }, 300_000);
});

describe('runYosysDesign (kernel shapes)', () => {
  it('groups instances by module and numeric parameters, not by ROM file', () => {
    const v = `  llm2hls_linear #(.IN_DIM(16), .PAR(2), .EPS_U(64'd687195), .W_FILE("mem/a_w.hex")) u_a (.clk(clk),
  llm2hls_linear #(.IN_DIM(16), .PAR(2), .EPS_U(64'd687195), .W_FILE("mem/b_w.hex")) u_b (.clk(clk),
  llm2hls_linear #(.IN_DIM(16), .PAR(4), .EPS_U(64'd687195), .W_FILE("mem/c_w.hex")) u_c (.clk(clk),`;
    const inst = kernelInstances(v);
    expect(inst[0]).toEqual({ module: 'llm2hls_linear', name: 'u_a', params: { IN_DIM: 16, PAR: 2, EPS_U: 687195n, W_FILE: 'mem/a_w.hex' } });
    expect(kernelShapes(inst).map((s) => [s.params.PAR, s.count, s.instances])).toEqual([[2, 2, ['u_a', 'u_b']], [4, 1, ['u_c']]]);
  });

  it('synthesizes a shape once and counts it per instance: three FIFOs are three times one', async () => {
    const [one, design] = await Promise.all([fifo(32, 4), limited(() => runYosysDesign({ project: threeFifoProject(), device: 'u55c' }))]);
    expect(design.kernels.map((k) => [k.module, k.count])).toEqual([['llm2hls_fifo', 3]]);
    expect(design.kernels[0].cells).toEqual(one.cells);
    expect({ lut: design.lut, ff: design.ff, lutAsMemory: design.lutAsMemory }).toEqual({ lut: 3 * one.lut, ff: 3 * one.ff, lutAsMemory: 3 * one.lutAsMemory });
  });
});

describe('runYosys errors', () => {
  it('names the top of a failed run, a missing binary and the time limit', async () => {
    await expect(runYosys({ files: rtl('llm2hls_fifo'), top: 'llm2hls_nope', device: 'u55c' }))
      .rejects.toThrow(/^yosys failed on llm2hls_nope: ERROR: .*llm2hls_nope/);
    await expect(runYosys({ files: rtl('llm2hls_fifo'), top: 'llm2hls_fifo', yosys: 'yosys-not-installed' }))
      .rejects.toThrow('yosys not found (yosys-not-installed): install it with apt-get install yosys');
    await expect(runYosys({ files: rtl('llm2hls_fifo'), top: 'llm2hls_fifo', timeoutSeconds: 0.2 }))
      .rejects.toThrow('yosys: synthesis of llm2hls_fifo took longer than the limit of 0.2 s');
  });
});
