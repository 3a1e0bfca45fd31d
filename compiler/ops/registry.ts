/** The table of supported default-domain ops. */
import { OpDef } from './op.js';

const registry = new Map<string, OpDef>();

export function registerOp(opType: string, def: OpDef): void {
  if (registry.has(opType)) throw new Error(`op ${opType} registered twice`);
  registry.set(opType, def);
}

export function getOp(opType: string): OpDef | undefined {
  return registry.get(opType);
}

export function supportedOps(): string[] {
  return [...registry.keys()].sort();
}
