#!/usr/bin/env node
// yosys-design: Yosys synth_xilinx resources of a `--target rtl` project, kernel shape by
// kernel shape (backend-rtl/yosys-design.ts; docs/yosys.md "Whole designs"), beside the
// planner's estimate from the project's manifest. Writes PROJECT/yosys-design.json.
//
//   node scripts/yosys-design.mjs PROJECT [--device kv260] [--jobs 2] [--timeout 600] [--flow full|dsp-bram]
//
// --flow dsp-bram stops synth_xilinx before LUT mapping: DSP and block RAM only, minutes instead of hours.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { runYosysDesign } = await import(path.join(root, 'dist', 'backend-rtl', 'yosys-design.js'));

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i < 0 ? dflt : args.splice(i, 2)[1]; };
const device = opt('--device', undefined);
const jobs = Number(opt('--jobs', 2));
const timeout = Number(opt('--timeout', 600));
const flow = opt('--flow', 'full');
if (flow !== 'full' && flow !== 'dsp-bram') { console.error(`--flow: '${flow}' is not full or dsp-bram`); process.exit(2); }
const project = args[0];
if (!project) { console.error('usage: yosys-design.mjs PROJECT [--device D] [--jobs N] [--timeout S] [--flow full|dsp-bram]'); process.exit(2); }

const manifest = JSON.parse(fs.readFileSync(path.join(project, 'manifest.json'), 'utf8'));
const t0 = Date.now();
const r = await runYosysDesign({
  project, device: device ?? manifest.device.id, concurrency: jobs, timeoutSeconds: timeout, flow,
  onKernel: (k) => console.error(k.error ? `  ${k.module} x${k.count}: ${k.error}` : `  ${k.module} x${k.count}: ${k.dsp} DSP, ${k.bram18k} BRAM18K, ${k.uram} URAM, ${k.lut} LUT, ${k.ff} FF (${k.seconds} s)`),
});
const wall = Math.round((Date.now() - t0) / 1000);
const { kernels, cells, ...totals } = r;
// The planner's estimate, as the project's yosys/count.py carries it.
const countPy = path.join(project, 'yosys', 'count.py');
const m = fs.existsSync(countPy) && /ESTIMATE = json\.loads\(r'''(.*)'''\)/.exec(fs.readFileSync(countPy, 'utf8'));
const out = { ...totals, wallSeconds: wall, estimate: m ? JSON.parse(m[1]) : undefined, kernels, cells };
fs.writeFileSync(path.join(project, 'yosys-design.json'), JSON.stringify(out, (_, v) => typeof v === 'bigint' ? String(v) : v, 2) + '\n');
console.log(JSON.stringify({ dsp: r.dsp, bram18k: r.bram18k, uram: r.uram, lut: r.lut, ff: r.ff, shapes: kernels.length, incomplete: r.incomplete, wallSeconds: wall, estimate: out.estimate }));
