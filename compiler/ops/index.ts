/** Importing this module registers every supported op. */
import './elementwise.js';
import './reduce.js';
import './nn.js';
import './shape.js';
// The transformer kernels (llm.Linear ...) register like ops, so fused graphs run everywhere.
import '../kernels/index.js';

export { getOp, getSchema, supportedOps } from './registry.js';
export { OpCall } from './op.js';
export type { OpDef } from './op.js';
