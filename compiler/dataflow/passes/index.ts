/** The planning pipeline: structure, placement, tiling, lanes, FIFOs, schedule. */
import { DataflowPass } from '../pipeline.js';
import { fifoSize } from './fifo-size.js';
import { parallelize } from './parallelize.js';
import { placeWeights } from './place-weights.js';
import { schedule } from './schedule.js';
import { streamOrder } from './stream-order.js';
import { tile } from './tile.js';

export { fifoSize, parallelize, placeWeights, schedule, streamOrder, tile };

/**
 * Order: stream-order first (reorder buffers are structure), place-weights
 * before tile (only external data needs token tiles), tile before parallelize
 * (lanes are chosen for the traffic the tiles imply), fifo-size after
 * parallelize (depths are in beats of the chosen lanes), schedule last.
 */
export const PLANNING_PIPELINE: readonly DataflowPass[] = [streamOrder, placeWeights, tile, parallelize, fifoSize, schedule];

export function planningPass(name: string): DataflowPass | undefined {
  return PLANNING_PIPELINE.find((p) => p.name === name);
}
