// Shared lane legalization (issue #8): backend-rtl takes its lanes from backend-hls/kernels/lanes.ts,
// and they agree with the cost model's rtlLanes (compiler/dataflow/timing.ts).
import { describe, expect, it } from 'vitest';
import { addConstLanes, attentionLanes, divisorLanes, planLanes, ropeLanes } from '../../backend-hls/kernels/lanes.js';
import { divisorLanes as rtlDivisorLanes } from '../../backend-rtl/kernels.js';
import { divisorLanes as timingDivisorLanes } from '../../compiler/dataflow/timing.js';

describe('planned lanes, shared by the HLS and RTL renderers', () => {
  it('divisorLanes: the largest d <= want dividing every n', () => {
    expect(divisorLanes(4, 12)).toBe(4);
    expect(divisorLanes(5, 12)).toBe(4);
    expect(divisorLanes(8, 12, 18)).toBe(6);
    expect(divisorLanes(0, 7)).toBe(1);
    for (let w = 0; w <= 9; w++) for (const n of [1, 6, 7, 16, 30]) {
      expect(rtlDivisorLanes(w, n)).toBe(divisorLanes(w, n));
      expect(timingDivisorLanes(w, n)).toBe(divisorLanes(w, n));
    }
  });
  it('per kernel: rope divides hd/2, add_const divides row and period, attention UK <= hd', () => {
    expect(planLanes(0)).toBe(1);
    expect(ropeLanes(4, 6)).toBe(3);
    expect(ropeLanes(8, 16)).toBe(8);
    expect(addConstLanes(4, 12, 6)).toBe(3);
    expect(attentionLanes(2, 16, 8)).toEqual({ uk: 8, un: 2, lanes: 8 });
    expect(attentionLanes(0, 0, 8)).toEqual({ uk: 1, un: 1, lanes: 1 });
  });
});
