/** Importing this module registers the transformer kernels (llm.* ops, README.md). */
import './linear.js';
import './norm.js';
import './activation.js';
import './attention.js';
import './rope.js';
