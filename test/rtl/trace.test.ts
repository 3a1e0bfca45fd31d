// `sim --mode verilator --trace FILE`: a Verilator build with tracing (the
// Makefile's TRACE=1) that writes a VCD wave of the whole run, still bit-exact.
// On a one-Linear model, so the traced build stays small (~20 s).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../compiler/tensor.js';
import { ModelBuilder } from '../../frontend/onnx-writer.js';
import { llm2hls, tempDir } from '../helpers/cli.js';

function oneLinear(dir: string): string {
  const b = new ModelBuilder('one_linear', 17);
  const x = b.input('x', 'float32', [1, 4, 16]);
  const w = b.initializer('w', Tensor.from('float32', [16, 8], Array.from({ length: 128 }, (_, i) => Math.sin(i) / 4)));
  b.output(b.node('MatMul', [x, w]), 'float32', [1, 4, 8]);
  const file = path.join(dir, 'one_linear.onnx');
  b.save(file, {});
  return file;
}

describe('sim --mode verilator --trace', () => {
  it('writes a VCD of every clock edge of the run, and the run stays bit-exact', async () => {
    const dir = tempDir('llm2hls-trace-');
    const project = path.join(dir, 'rtl');
    const c = await llm2hls('compile', oneLinear(dir), '-o', project, '--target', 'rtl', '--device', 'kv260');
    expect(c.exitCode, c.stderr).toBe(0);
    const wave = path.join(dir, 'wave.vcd');
    const r = await llm2hls('sim', project, '--mode', 'verilator', '--inputs', path.join(project, 'sim', 'sample'),
      '--out', path.join(dir, 'out'), '--trace', wave, '--json');
    expect(r.exitCode, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ mode: 'verilator', passed: true, bitExact: true });
    const vcd = fs.readFileSync(wave, 'utf8');
    expect(vcd).toMatch(/\$enddefinitions \$end/);
    expect(vcd).toMatch(/\$var wire +1 \S+ clk \$end/);
    expect(vcd).toMatch(/\$var wire +1 \S+ in0_valid \$end/);
    // Two samples a cycle (both clock edges), from reset to the last output beat.
    const times = [...vcd.matchAll(/^#(\d+)$/gm)].map((m) => Number(m[1]));
    expect(Math.max(...times)).toBeGreaterThanOrEqual(2 * j.rtl.cycles);
  }, 300_000);
});
