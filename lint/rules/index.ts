/** Every rule, in the order of the Chrysalis table (docs/lint.md). */
import type { Rule } from '../rule.js';
import { oob } from './oob.js';
import { init } from './init.js';
import { shft } from './shft.js';
import { inf } from './inf.js';
import { apt } from './apt.js';
import { fnd } from './fnd.js';
import { did } from './did.js';
import { dfp } from './dfp.js';
import { idap } from './idap.js';
import { ramb } from './ramb.js';
import { sma } from './sma.js';
import { ams } from './ams.js';
import { mlp } from './mlp.js';
import { ilnu } from './ilnu.js';
import { use } from './use.js';
import { mlu } from './mlu.js';
import { zero } from './zero.js';
import { buf } from './buf.js';

export const RULES: Rule[] = [oob, init, shft, inf, use, mlu, zero, buf, apt, fnd, did, dfp, idap, ramb, sma, ams, mlp, ilnu];
