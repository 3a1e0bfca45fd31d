import { describe, expect, it } from 'vitest';
import { lintSource } from '../../lint/index.js';
import { PAIRS } from './pairs.js';

describe('lint rules: every buggy example raises its class (semantic ones as warnings), every fixed one nothing', () => {
  for (const p of PAIRS) {
    it(`${p.cls}: ${p.name}`, async () => {
      const bug = await lintSource('bug.cpp', p.bug, { defines: p.defines });
      expect(bug.map((f) => f.class), JSON.stringify(bug, null, 1)).toContain(p.cls);
      // The semantic classes need intent: warnings, never errors.
      const severity = ['USE', 'MLU', 'ZERO', 'BUF'].includes(p.cls) ? 'warning' : 'error';
      expect(bug.filter((f) => f.class === p.cls).map((f) => f.severity)).toEqual(bug.filter((f) => f.class === p.cls).map(() => severity));
      const ok = await lintSource('ok.cpp', p.ok, { defines: p.defines });
      expect(ok, JSON.stringify(ok, null, 1)).toEqual([]);
    });
  }
});
