/**
 * Shape and data-movement ops: importing this module registers Transpose,
 * Reshape, Squeeze, Unsqueeze, Expand, Shape (shape-layout.ts); Concat, Split,
 * Slice, Gather, Trilu (shape-index.ts); Range, ConstantOfShape, Constant
 * (shape-const.ts). Shared helpers live in shape-util.ts.
 */
import './shape-layout.js';
import './shape-index.js';
import './shape-const.js';
