/**
 * Resource report of generated Verilog by Yosys `synth_xilinx`: the script
 * (templates/project-rtl/yosys.ys.hbs, which a generated project's `make yosys`
 * runs too), running it with a time limit, and turning Yosys' JSON cell
 * statistics into the planner's { dsp, bram18k, uram, lut, ff }, so estimates
 * can be compared with synthesis. docs/yosys.md says which cells count as what.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { renderTemplate } from '../backend-hls/compile.js';
import { DEFAULT_DEVICE, Device, DeviceResources, deviceByName } from '../compiler/devices/index.js';

/** synth_xilinx families llm2hls targets (Yosys 0.23 knows more; these cover the device files). */
export type YosysFamily = 'xcup' | 'xcu' | 'xc7';

const FAMILY_NAMES: Record<YosysFamily, string> = { xcup: 'UltraScale+', xcu: 'UltraScale', xc7: '7 Series' };

export interface YosysTarget {
  family: YosysFamily;
  /** Whether to let Yosys infer URAM288 (-uram, xcup only): the device has URAM. */
  uram: boolean;
  /** Set when the family stands in for one Yosys does not know. */
  familyNote?: string;
}

export const VERSAL_NOTE = 'Yosys 0.23 has no Versal family: xcup (UltraScale+) stands in, so DSPs are DSP48E2 '
  + '(Versal has DSP58), block RAM RAMB18E2/RAMB36E2 (same sizes as Versal RAMB18E5/RAMB36E5) and LUTs, '
  + 'FFs and URAM288 as on UltraScale+.';

/** The synth_xilinx family of a device (by name or its data file). */
export function yosysFamily(device: string | Device): YosysTarget {
  const d = typeof device === 'string' ? deviceByName(device) : device;
  const uram = d.resources.uram > 0;
  switch (d.family) {
    case 'ultrascale+': return { family: 'xcup', uram };
    case 'versal': return { family: 'xcup', uram, familyNote: VERSAL_NOTE };
    default: throw new Error(`device ${d.name}: no Yosys family for '${String(d.family)}'`);
  }
}

/** Top-level parameter values: a string is a Verilog string (a ROM file name), a bigint a 64-bit constant. */
export type YosysParams = Record<string, number | string | bigint>;

export interface YosysScriptOptions {
  /** Verilog sources, read in this order. */
  files: string[];
  top: string;
  params?: YosysParams;
  family: YosysFamily;
  /** Infer URAM288 (xcup only). */
  uram?: boolean;
  familyNote?: string;
  /** Folder of the $readmemh images: relative string parameters (ROM file names) are resolved against it. */
  romDir?: string;
  /** Where `stat -json` writes; default stat.json (in the folder yosys runs in). */
  statFile?: string;
  /**
   * 'full' (default): the whole synth_xilinx flow. 'dsp-bram': stop after memory
   * mapping (`-run :fine`), before LUT mapping with ABC, the slow part: DSP48,
   * block RAM and URAM cells are final there, LUTs and FFs are not counted.
   */
  flow?: YosysFlow;
}

export type YosysFlow = 'full' | 'dsp-bram';

const noSpace = (what: string, p: string) => {
  // A .ys script splits its commands at whitespace.
  if (/\s/.test(p)) throw new Error(`yosys script: ${what} '${p}' contains whitespace`);
  return p;
};

function paramValue(name: string, v: number | string | bigint, romDir?: string): string {
  if (typeof v === 'bigint') return v < 0n ? `64'sh${BigInt.asUintN(64, v).toString(16)}` : `64'd${v}`;
  if (typeof v === 'string') {
    const file = romDir && !path.isAbsolute(v) ? path.resolve(romDir, v) : v;
    return `"${noSpace(`parameter ${name}`, file)}"`;
  }
  if (!Number.isInteger(v)) throw new Error(`yosys script: parameter ${name} = ${v} is not an integer`);
  // chparam reads Verilog constants without a minus sign: a negative integer goes as its 32-bit pattern.
  return v < 0 ? `32'sh${(v >>> 0).toString(16)}` : String(v);
}

/** The .ys script: read, set the top's parameters, synth_xilinx, JSON statistics. */
export function yosysScript(o: YosysScriptOptions): string {
  if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(o.top)) throw new Error(`yosys script: '${o.top}' is not a Verilog module name`);
  if (o.uram && o.family !== 'xcup') throw new Error(`yosys script: URAM inference needs family xcup, not ${o.family}`);
  return renderTemplate('project-rtl/yosys.ys.hbs', {
    top: o.top,
    files: o.files.map((f) => noSpace('file', f)),
    // Sorted: the same design gives the same script.
    params: Object.keys(o.params ?? {}).sort().map((name) => ({ name, value: paramValue(name, o.params![name], o.romDir) })),
    family: o.family,
    familyName: FAMILY_NAMES[o.family],
    familyNote: o.familyNote ?? '',
    flags: [o.uram ? '-uram' : '', o.flow === 'dsp-bram' ? '-run :fine' : ''].filter(Boolean).join(' '),
    dspBramOnly: o.flow === 'dsp-bram',
    statFile: noSpace('stat file', o.statFile ?? 'stat.json'),
  });
}

export interface YosysReport extends DeviceResources {
  family: YosysFamily;
  /** Which flow ran: with 'dsp-bram', lut, ff and lutAsMemory are NaN (not counted). */
  flow: YosysFlow;
  familyNote?: string;
  /** LUTs used as distributed RAM or shift registers (included in lut). */
  lutAsMemory: number;
  /** Every cell type of the netlist and its count (sorted by name). */
  cells: Record<string, number>;
  /** Yosys' warnings. */
  warnings: string[];
  /** Wall time of the yosys run. */
  seconds: number;
}

// LUTs per distributed-RAM primitive (UG574: a SLICEM's eight LUT6 make one RAM32M16/RAM64M8/RAM512X1S).
const LUTRAM_LUTS: Record<string, number> = {
  RAM16X1S: 1, RAM16X1D: 2, RAM32X1S: 1, RAM32X1D: 2, RAM64X1S: 1, RAM64X1D: 2,
  RAM128X1S: 2, RAM128X1D: 4, RAM256X1S: 4, RAM256X1D: 8, RAM512X1S: 8,
  RAM32M: 4, RAM64M: 4, RAM32M16: 8, RAM64M8: 8, RAM32X16DR8: 8, RAM64X8SW: 8,
};

/** One cell rule: a cell type matching `match` (a regular expression, also valid in Python's re) adds `weight` to `resource`. */
export interface CellRule {
  match: string;
  resource: 'dsp' | 'bram18k' | 'uram' | 'lut' | 'ff';
  weight: number;
  /** LUTs used as memory (distributed RAM, SRL): also counted in lutAsMemory. */
  memory?: boolean;
}

/**
 * The one table of which synth_xilinx cells count as what (docs/yosys.md);
 * the first matching rule counts a cell. countResources uses it, and a
 * generated project's yosys/count.py gets it rendered as JSON.
 */
export const CELL_RULES: readonly CellRule[] = [
  { match: '^(DSP48|DSP58)', resource: 'dsp', weight: 1 },
  { match: '^(RAMB18|FIFO18)', resource: 'bram18k', weight: 1 },
  { match: '^(RAMB36|FIFO36)', resource: 'bram18k', weight: 2 },
  { match: '^URAM288', resource: 'uram', weight: 1 },
  { match: '^LUT[1-6]$', resource: 'lut', weight: 1 },
  ...Object.entries(LUTRAM_LUTS).map(([type, luts]): CellRule => ({ match: `^${type}$`, resource: 'lut', weight: luts, memory: true })),
  { match: '^SRL(C?16E|C32E)$', resource: 'lut', weight: 1, memory: true },
  { match: '^(FD[RSCP]E|LD[CP]E)(_1)?$', resource: 'ff', weight: 1 },
];
const RULES = CELL_RULES.map((r) => ({ ...r, re: new RegExp(r.match) }));

/** DSP, BRAM18K, URAM, LUT, FF of synth_xilinx cell counts (docs/yosys.md). */
export function countResources(cells: Record<string, number>): DeviceResources & { lutAsMemory: number } {
  const r = { dsp: 0, bram18k: 0, uram: 0, lut: 0, ff: 0, lutAsMemory: 0 };
  for (const [type, n] of Object.entries(cells)) {
    const rule = RULES.find((x) => x.re.test(type));
    if (!rule) continue;
    r[rule.resource] += n * rule.weight;
    if (rule.memory) r.lutAsMemory += n * rule.weight;
  }
  return r;
}

/** Cell counts of `stat -json` output (the whole design; names without Yosys' leading backslash). */
export function parseStat(json: string): Record<string, number> {
  const stat = JSON.parse(json) as {
    design?: { num_cells_by_type?: Record<string, number> };
    modules?: Record<string, { num_cells_by_type?: Record<string, number> }>;
  };
  // `design` is the hierarchy's total; a single (flattened) module has the same counts.
  const byType = stat.design?.num_cells_by_type
    ?? (Object.keys(stat.modules ?? {}).length === 1 ? Object.values(stat.modules!)[0].num_cells_by_type : undefined);
  if (!byType) throw new Error('yosys stat -json: no cell counts of the design');
  const cells: Record<string, number> = {};
  for (const k of Object.keys(byType).sort()) cells[k.replace(/^\\/, '')] = byType[k];
  return cells;
}

export interface RunYosysOptions extends Omit<YosysScriptOptions, 'family' | 'statFile'> {
  /** The device (name or data file) whose family to synthesize for; or give `family`. */
  device?: string | Device;
  family?: YosysFamily;
  /** Time limit, default 600 s. */
  timeoutSeconds?: number;
  /** The yosys binary, default `yosys` on PATH. */
  yosys?: string;
}

/**
 * Synthesizes `top` with synth_xilinx and returns its resources. Yosys runs
 * in `romDir` (else a scratch folder), so $readmemh names set inside the
 * design resolve there too.
 */
export async function runYosys(o: RunYosysOptions): Promise<YosysReport> {
  const target: YosysTarget = o.family ? { family: o.family, uram: o.uram ?? false, familyNote: o.familyNote }
    : yosysFamily(o.device ?? DEFAULT_DEVICE);
  const uram = o.uram ?? target.uram;
  const familyNote = o.familyNote ?? target.familyNote;
  const timeout = o.timeoutSeconds ?? 600;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'llm2hls-yosys-'));
  try {
    const statFile = path.join(work, 'stat.json');
    const files = o.files.map((f) => path.resolve(f));
    const script = yosysScript({ ...o, files, family: target.family, uram, familyNote, statFile,
      romDir: o.romDir && path.resolve(o.romDir) });
    fs.writeFileSync(path.join(work, 'yosys.ys'), script);
    const t0 = performance.now();
    const r = await execa(o.yosys ?? 'yosys', ['-q', '-s', path.join(work, 'yosys.ys')], {
      cwd: o.romDir ?? work, reject: false, timeout: timeout * 1000, all: true,
    });
    const seconds = Math.round((performance.now() - t0) / 10) / 100;
    if (r.timedOut) throw new Error(`yosys: synthesis of ${o.top} took longer than the limit of ${timeout} s`);
    if ((r as { code?: string }).code === 'ENOENT' || /ENOENT/.test(String(r.message ?? ''))) {
      throw new Error(`yosys not found (${o.yosys ?? 'yosys'}): install it with apt-get install yosys`);
    }
    const log = String(r.all ?? '');
    if (r.exitCode !== 0) {
      const error = /^ERROR: .*$/m.exec(log)?.[0] ?? log.trim().split('\n').slice(-5).join('\n');
      throw new Error(`yosys failed on ${o.top}: ${error}`);
    }
    const cells = parseStat(fs.readFileSync(statFile, 'utf8'));
    const warnings = log.split('\n').filter((l) => l.startsWith('Warning: ')).map((l) => l.slice(9));
    const counts = countResources(cells);
    // Before LUT mapping there are no LUT6 or FDRE cells yet: say "not counted", not 0.
    if (o.flow === 'dsp-bram') Object.assign(counts, { lut: NaN, ff: NaN, lutAsMemory: NaN });
    return { family: target.family, flow: o.flow ?? 'full', ...(familyNote ? { familyNote } : {}), ...counts, cells, warnings, seconds };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
