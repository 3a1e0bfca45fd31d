import { describe, expect, it } from 'vitest';
import { lintSource } from '../../lint/index.js';
import { PAIRS } from './pairs.js';

describe('lint rules: every buggy example raises its class, every fixed one nothing', () => {
  for (const p of PAIRS) {
    it(`${p.cls}: ${p.name}`, async () => {
      const bug = await lintSource('bug.cpp', p.bug, { defines: p.defines });
      expect(bug.map((f) => f.class), JSON.stringify(bug, null, 1)).toContain(p.cls);
      const ok = await lintSource('ok.cpp', p.ok, { defines: p.defines });
      expect(ok, JSON.stringify(ok, null, 1)).toEqual([]);
    });
  }
});
