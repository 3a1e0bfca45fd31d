/**
 * Precision presets: the bit widths the planner budgets for and the
 * quantizer implements. The arithmetic behind them is in docs/numerics.md.
 */
import { UserError } from '../errors.js';

export type PrecisionName = 'fp32' | 'w8a16' | 'w8a8' | 'w4a16';

export interface Precision {
  name: PrecisionName;
  /** Bits per stored weight (per-output-channel symmetric integers, or float32). */
  weightBits: number;
  /** Bits per activation element on streams (fixed point, or float32). */
  activationBits: number;
  /** Accumulator width of dot products. */
  accumulatorBits: number;
  /** float32 everywhere: for checking structure against ONNX Runtime, not the hardware default. */
  float: boolean;
}

export const PRECISIONS: Record<PrecisionName, Precision> = {
  fp32: { name: 'fp32', weightBits: 32, activationBits: 32, accumulatorBits: 32, float: true },
  w8a16: { name: 'w8a16', weightBits: 8, activationBits: 16, accumulatorBits: 48, float: false },
  w8a8: { name: 'w8a8', weightBits: 8, activationBits: 8, accumulatorBits: 32, float: false },
  w4a16: { name: 'w4a16', weightBits: 4, activationBits: 16, accumulatorBits: 48, float: false },
};

export const DEFAULT_PRECISION: PrecisionName = 'w8a16';

export function precisionByName(name: string): Precision {
  const p = PRECISIONS[name as PrecisionName];
  if (!p) throw new UserError(`unknown precision '${name}' (choose ${Object.keys(PRECISIONS).join(', ')})`);
  return p;
}
