/**
 * place-weights: decide which weights and KV-cache state live on chip
 * (BRAM/URAM) and which stream from external memory (HBM/DDR), and bind the
 * external ones to channels.
 *
 * On-chip memory for weights is budgeted at half of the device's BRAM+URAM
 * bits: the rest is needed for banking (a memory read by many lanes needs
 * many blocks however small it is), row and tile buffers, and FIFOs. While the
 * weights exceed the budget, memories move off chip in order of how little
 * it costs: embedding tables first (a token reads one row), then KV state,
 * then dense weights, largest first (fewest ports for the bytes moved).
 * External memories get channels in proportion to their traffic per pass,
 * on the least loaded channels.
 */
import { DataflowGraph, Memory, bytesOf, memMap } from '../ir.js';
import { DataflowPass, PlanContext } from '../pipeline.js';

export const ONCHIP_WEIGHT_SHARE = 0.5;

export const placeWeights: DataflowPass = {
  name: 'place-weights',
  run(g: DataflowGraph, ctx: PlanContext): void {
    const res = ctx.device.resources;
    const budget = ONCHIP_WEIGHT_SHARE * (res.bram18k * 18432 + res.uram * 294912);
    const users = new Map<string, string[]>();
    for (const t of g.tasks) for (const m of t.mems) users.set(m, [...(users.get(m) ?? []), t.kind]);
    const placeable = g.mems.filter((m) => m.role !== 'reorder');
    const bits = (m: Memory) => m.shape.reduce((a, b) => a * b, 1) * m.bits;
    const sparse = (m: Memory) => (users.get(m.name) ?? []).every((k) => k === 'embedding');
    for (const m of placeable) if (m.location.kind === 'unplaced') m.location = { kind: 'onchip' };
    let onchip = placeable.filter((m) => m.location.kind === 'onchip').reduce((s, m) => s + bits(m), 0);
    const rank = (m: Memory) => (m.role === 'weight' && sparse(m) ? 0 : m.role === 'state' ? 1 : 2);
    const candidates = placeable.filter((m) => m.location.kind === 'onchip').sort((a, b) => rank(a) - rank(b) || bits(b) - bits(a));
    const moved: Memory[] = placeable.filter((m) => m.location.kind === 'external');
    for (const m of candidates) {
      if (onchip <= budget) break;
      onchip -= bits(m);
      moved.push(m);
    }
    // Channel binding, proportional to traffic (an embedding table is read a row per token).
    const T = g.tokens;
    const traffic = (m: Memory) => (sparse(m) ? Math.min(bytesOf(m), T * Math.ceil((m.shape[m.shape.length - 1] * m.bits) / 8)) : bytesOf(m));
    const channels = ctx.device.memory.channels;
    const total = moved.reduce((s, m) => s + traffic(m), 0);
    const load = new Array<number>(channels).fill(0);
    for (const m of moved.sort((a, b) => traffic(b) - traffic(a))) {
      const k = Math.max(1, Math.min(channels, Math.round((channels * traffic(m)) / Math.max(1, total))));
      const chosen = [...load.keys()].sort((a, b) => load[a] - load[b] || a - b).slice(0, k).sort((a, b) => a - b);
      for (const c of chosen) load[c] += traffic(m) / k;
      m.location = { kind: 'external', channels: chosen };
    }
    void memMap;
  },
};
