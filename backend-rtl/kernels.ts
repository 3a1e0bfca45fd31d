/**
 * One Verilog instance per kernel task of the planned design: which module
 * of templates/rtl/ realizes the task, its parameters (the task's C++ CFG
 * constants in upper case, docs/backend-rtl.md), the lanes of each stream
 * port, and its ROM images. The configuration is the one backend-hls/emit.ts
 * computed for the C++ kernels; only the Verilog-specific choices are made
 * here (a module's lane constraints, ROM layouts, table files).
 */
import { UnsupportedError, UserError } from '../compiler/errors.js';
import { Precision } from '../compiler/numerics/precision.js';
import { EXP2, GELU_ERF_GATE, GELU_TANH_GATE, RECIP, RSQRT, SIGMOID } from '../compiler/numerics/tables.js';
import type { DesignTask, WeightEntry } from '../backend-hls/emit.js';
import { sanitizeIdentifier } from '../backend-hls/sanitize.js';
import { addConstLanes, attentionLanes, planLanes, ropeLanes } from '../backend-hls/kernels/lanes.js';
import { embeddingRoms, hexImage, linearRoms, rowsToBeats } from './rom.js';
import { tableFile } from './tables.js';

/** ROM images live in rtl/mem/ and are named relative to rtl/, where simulators and Yosys run. */
export const MEM_DIR = 'mem';
const memFile = (name: string) => `${MEM_DIR}/${name}`;

export interface PortSpec { port: string; lanes: number; bits: number }
export type ParamValue = number | bigint | { file: string } | { bits: number; value: bigint };

export interface Instance {
  module: string;
  params: Record<string, ParamValue>;
  inputs: PortSpec[];
  output?: PortSpec;
  /** ROM images by file name (relative to rtl/mem/). */
  roms: Record<string, string>;
  /** Lanes this instance realizes (may be fewer than planned where a module needs a divisor). */
  lanes: { par: number; kpar: number };
}

/** The entry's elements in stored order. */
function values(e: WeightEntry): number[] {
  const out: number[] = [];
  for (const c of e.chunks()) {
    if (c instanceof Uint8Array) throw new Error(`weight ${e.original}: raw bytes where integers were expected`);
    for (let i = 0; i < c.length; i++) out.push(Number(c[i]));
  }
  return out;
}
function bigValues(e: WeightEntry): bigint[] {
  const out: bigint[] = [];
  for (const c of e.chunks()) for (let i = 0; i < c.length; i++) out.push(BigInt(c[i] as number | bigint));
  return out;
}

export { divisorLanes } from '../backend-hls/kernels/lanes.js';

const GATE_TABLES = [SIGMOID, GELU_ERF_GATE, GELU_TANH_GATE]; // gate_q's CFG::table 0, 1, 2

export interface KernelContext { precision: Precision; A: number; idBits: number }

/** The instance of one design task (fixed-point kernels only). */
export function kernelInstance(t: DesignTask, ctx: KernelContext): Instance {
  const p = (name: string): number => {
    const v = t.params[name];
    if (v === undefined) throw new Error(`task ${t.id}: no parameter ${name}`);
    return Number(v);
  };
  const A = ctx.A;
  if (t.params.y_bits !== undefined && p('y_bits') !== A) throw new UnsupportedError(`${t.opType} ${sanitizeIdentifier(t.node)}: output format of ${p('y_bits')} bits; the RTL streams carry ${A}-bit activations`);
  const file = (role: string) => ({ file: memFile(`${t.id}_${role}.hex`) });
  const rom = (role: string) => `${t.id}_${role}.hex`;
  const lanes1 = planLanes;
  const io = (port: string, lanes: number, bits = A): PortSpec => ({ port, lanes, bits });
  switch (t.kernel) {
    case 'linear_q': {
      const K = p('in_dim'), N = p('out_dim'), par = lanes1(t.par), kpar = lanes1(t.kpar);
      const bias = t.weights.length === 4;
      const [w, ...rest] = t.weights;
      const [b, m, s] = bias ? rest : [undefined, ...rest];
      const roms = linearRoms({ K, N, par, kpar, wBits: ctx.precision.weightBits, accBits: ctx.precision.accumulatorBits },
        values(w), values(m!), values(s!), b ? bigValues(b) : undefined);
      return {
        module: 'llm2hls_linear',
        params: {
          IN_DIM: K, OUT_DIM: N, PAR: par, KPAR: kpar, II: lanes1(t.ii), X_BITS: A, W_BITS: ctx.precision.weightBits, Y_BITS: A,
          ACC_BITS: ctx.precision.accumulatorBits, BIAS: bias ? 1 : 0, W_FILE: file('w'), B_FILE: file('b'), Q_FILE: file('q'),
        },
        inputs: [io('in', kpar)], output: io('out', par),
        roms: { [rom('w')]: roms.w, [rom('q')]: roms.q, ...(roms.b ? { [rom('b')]: roms.b } : {}) },
        lanes: { par, kpar },
      };
    }
    case 'embedding_q': {
      const D = p('dim'), lanes = lanes1(t.par);
      const [table, m, s] = t.weights;
      const roms = embeddingRoms({ D, lanes, wBits: ctx.precision.weightBits }, values(table), values(m), values(s));
      return {
        module: 'llm2hls_embedding',
        params: { VOCAB: p('vocab'), DIM: D, LANES: lanes, ID_BITS: ctx.idBits, W_BITS: ctx.precision.weightBits, Y_BITS: A, T_FILE: file('t'), Q_FILE: file('q') },
        inputs: [io('in', 1, ctx.idBits)], output: io('out', lanes),
        roms: { [rom('t')]: roms.table, [rom('q')]: roms.q },
        lanes: { par: lanes, kpar: 1 },
      };
    }
    case 'norm_q': case 'norm_q_nobeta': {
      const D = p('dim'), lanes = lanes1(t.par);
      const [g, beta] = t.weights;
      const roms: Record<string, string> = { [rom('g')]: hexImage(rowsToBeats(values(g), D, lanes, 16), lanes * 16) };
      if (beta) roms[rom('b')] = hexImage(rowsToBeats(bigValues(beta).map(Number), D, lanes, 48), lanes * 48);
      return {
        module: 'llm2hls_norm',
        params: {
          DIM: D, LANES: lanes, X_BITS: A, Y_BITS: A, CENTER: p('center'), INV_D_M: p('inv_d_m'), INV_D_SHIFT: p('inv_d_shift'),
          EPS_U: { bits: 64, value: BigInt(t.params.eps_u) }, GAMMA_FRAC: p('gamma_frac'), Y_FRAC: p('y_frac'), BETA: beta ? 1 : 0,
          G_FILE: file('g'), B_FILE: file('b'), RSQRT_FILE: { file: memFile(tableFile(RSQRT)) },
        },
        inputs: [io('in', lanes)], output: io('out', lanes), roms, lanes: { par: lanes, kpar: 1 },
      };
    }
    case 'rope_q': {
      const hd = p('head_dim'), lanes = ropeLanes(t.par, hd);
      const [cos, sin] = t.weights;
      const img = (e: WeightEntry) => { const v = values(e); return hexImage(rowsToBeats(v, v.length, lanes, 16), lanes * 16); };
      return {
        module: 'llm2hls_rope',
        params: { TOKENS: p('tokens'), HEADS: p('heads'), HEAD_DIM: hd, LANES: lanes, X_BITS: A, Y_BITS: A, SHIFT: p('shift'), C_FILE: file('cos'), S_FILE: file('sin') },
        inputs: [io('in', lanes)], output: io('out', lanes), roms: { [rom('cos')]: img(cos), [rom('sin')]: img(sin) }, lanes: { par: lanes, kpar: 1 },
      };
    }
    case 'gate_q': {
      const lanes = lanes1(t.par);
      return {
        module: 'llm2hls_activation',
        params: { LANES: lanes, X_BITS: A, X_FRAC: p('x_frac'), Y_BITS: A, SHIFT: p('shift'), TABLE_FILE: { file: memFile(tableFile(GATE_TABLES[p('table')])) } },
        inputs: [io('in', lanes)], output: io('out', lanes), roms: {}, lanes: { par: lanes, kpar: 1 },
      };
    }
    case 'swiglu_q': {
      const lanes = lanes1(t.par);
      return {
        module: 'llm2hls_swiglu',
        params: { LANES: lanes, X_BITS: A, G_FRAC: p('g_frac'), Y_BITS: A, SHIFT: p('shift'), TABLE_FILE: { file: memFile(tableFile(SIGMOID)) } },
        inputs: [io('gate', lanes), io('up', lanes)], output: io('out', lanes), roms: {}, lanes: { par: lanes, kpar: 1 },
      };
    }
    case 'add_q': {
      const lanes = lanes1(t.par);
      return {
        module: 'llm2hls_add',
        params: { LANES: lanes, X_BITS: A, Y_BITS: A, A_SHIFT: p('a_shift'), B_SHIFT: p('b_shift'), SHIFT: p('shift') },
        inputs: [io('a', lanes), io('b', lanes)], output: io('out', lanes), roms: {}, lanes: { par: lanes, kpar: 1 },
      };
    }
    case 'add_q_const': {
      const period = p('period'), row = t.shape[t.shape.length - 1] ?? period;
      const lanes = addConstLanes(t.par, row, period);
      return {
        module: 'llm2hls_add_const',
        params: { LANES: lanes, PERIOD: period, X_BITS: A, Y_BITS: A, A_SHIFT: p('a_shift'), B_SHIFT: p('b_shift'), SHIFT: p('shift'), C_FILE: file('c') },
        inputs: [io('a', lanes)], output: io('out', lanes),
        roms: { [rom('c')]: hexImage(rowsToBeats(values(t.weights[0]), period, lanes, A), lanes * A) }, lanes: { par: lanes, kpar: 1 },
      };
    }
    case 'attention_q': {
      if (p('past') > 0) throw new UserError(`attention ${sanitizeIdentifier(t.node)}: a KV cache with past rows (decode) has no RTL kernel yet; compile the prefill model, or use --target vitis`, 4);
      const hd = p('head_dim');
      const { uk, un, lanes } = attentionLanes(t.par, t.kpar, hd);
      return {
        module: 'llm2hls_attention',
        params: {
          TOKENS: p('tokens'), NEW_KEYS: p('new_keys'), PAST: 0, CACHE_LEN: p('cache_len'), HEADS: p('heads'), KV_HEADS: p('kv_heads'),
          HEAD_DIM: hd, V_HEAD_DIM: p('v_head_dim'), CAUSAL: p('causal'), SCORE_M: p('score_m'), SCORE_SHIFT: p('score_shift'),
          OUT_SHIFT: p('out_shift'), X_BITS: A, Y_BITS: A, LANES: lanes, UK: uk, UN: un,
          EXP_FILE: { file: memFile(tableFile(EXP2)) },
          RECIP_FILE: { file: memFile(tableFile(RECIP)) },
        },
        inputs: [io('q', lanes), io('k', lanes), io('v', lanes)], output: io('out', lanes), roms: {}, lanes: { par: un, kpar: uk },
      };
    }
    default:
      throw new UserError(`${t.opType} ${sanitizeIdentifier(t.node)}: kernel ${t.kernel} has no Verilog module yet; use --target vitis`, 4);
  }
}
