/** The table of supported default-domain ops. */
import { OpDef } from './op.js';
import { OpSchema, schemaAt } from './schema.js';

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

/** The ONNX signature of `opType` at `opset`, when it is an op llm2hls knows and the opset has it. */
export function getSchema(opType: string, opset: number): OpSchema | undefined {
  return schemaAt(registry.get(opType)?.schema, opset);
}
