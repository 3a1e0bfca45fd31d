/** Importing this module registers every supported op. */
import './elementwise.js';
import './reduce.js';
import './nn.js';
import './shape.js';

export { getOp, supportedOps } from './registry.js';
export { OpCall } from './op.js';
export type { OpDef } from './op.js';
