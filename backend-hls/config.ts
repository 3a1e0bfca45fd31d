/**
 * `--config FILE`: per-model, per-layer-type and per-layer overrides of
 * what the planner would choose.
 *
 *   {
 *     "model":      { "precision": "fp32", "parallelism": 1, "fifoDepth": 64,
 *                     "weightPlacement": "DDR[0]", "kvPlacement": "HBM[2]" },
 *     "layerTypes": { "llm.Linear": { "parallelism": 4, "weightPlacement": "HBM[1]" } },
 *     "layers":     { "/blocks.0/qkv/MatMul": { "fifoDepth": 256 } }
 *   }
 *
 * Precedence: layers > layerTypes > model > planner defaults. Unknown keys,
 * wrong types, unknown layer types, layer names that are not in the fused
 * graph and placements the device does not have (checkPlacements: its
 * memory kind, banks 0 .. channels-1 of compiler/devices/*.json) are errors
 * naming the key path.
 */
import fs from 'node:fs';
import { UserError, optionName } from '../compiler/errors.js';
import { PRECISIONS, PrecisionName } from '../compiler/numerics/precision.js';

/** A memory for weights or the KV cache: `DDR[n]`, `HBM[n]`, `PLRAM[n]`, or `DDR` / `HBM` for bank 0. */
export interface Placement { memory: 'DDR' | 'HBM' | 'PLRAM'; bank: number }

export interface LayerOverrides {
  precision?: PrecisionName;
  parallelism?: number;
  fifoDepth?: number;
  weightPlacement?: Placement;
}

export interface ModelOverrides extends LayerOverrides {
  kvPlacement?: Placement;
}

export interface HlsConfig {
  model: ModelOverrides;
  layerTypes: Record<string, LayerOverrides>;
  layers: Record<string, LayerOverrides>;
}

export const KERNEL_TYPES = [
  'llm.Linear', 'llm.Embedding', 'llm.LayerNorm', 'llm.RMSNorm', 'llm.Gelu', 'llm.SiLU', 'llm.SwiGLU', 'llm.RoPE',
  'llm.Attention', 'Add',
];

export function emptyConfig(): HlsConfig {
  return { model: {}, layerTypes: {}, layers: {} };
}

export function parsePlacement(value: unknown, where: string): Placement {
  const m = typeof value === 'string' ? /^(DDR|HBM|PLRAM)(?:\[(\d+)\])?$/i.exec(value.trim()) : null;
  if (!m) throw new UserError(`${where}: expected a memory like "DDR[0]", "HBM[3]" or "PLRAM[0]", got ${JSON.stringify(value)}`);
  return { memory: m[1].toUpperCase() as Placement['memory'], bank: m[2] === undefined ? 0 : Number(m[2]) };
}

export function formatPlacement(p: Placement): string {
  return `${p.memory}[${p.bank}]`;
}

function positiveInt(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new UserError(`${where}: expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UserError(`${where}: expected an object`);
  return value as Record<string, unknown>;
}

function keyPath(base: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

function parseLayer(value: unknown, where: string, allowModelKeys: boolean): ModelOverrides {
  const o = object(value, where);
  const out: ModelOverrides = {};
  for (const [key, v] of Object.entries(o)) {
    const at = keyPath(where, key);
    switch (key) {
      case 'precision':
        if (typeof v !== 'string' || !(v in PRECISIONS)) {
          throw new UserError(`${at}: unknown precision ${JSON.stringify(v)} (choose ${Object.keys(PRECISIONS).join(', ')})`);
        }
        out.precision = v as PrecisionName;
        break;
      case 'parallelism': out.parallelism = positiveInt(v, at); break;
      case 'fifoDepth': out.fifoDepth = positiveInt(v, at); break;
      case 'weightPlacement': out.weightPlacement = parsePlacement(v, at); break;
      case 'kvPlacement':
        if (!allowModelKeys) throw new UserError(`${at}: unknown key (kvPlacement is set under "model")`);
        out.kvPlacement = parsePlacement(v, at);
        break;
      default:
        throw new UserError(`${at}: unknown key (known: precision, parallelism, fifoDepth, weightPlacement${allowModelKeys ? ', kvPlacement' : ''})`);
    }
  }
  return out;
}

/** Parses a config object (already JSON-decoded); `source` names it in errors. */
export function parseConfig(value: unknown, source = 'config'): HlsConfig {
  const root = object(value, source);
  const config = emptyConfig();
  for (const [key, v] of Object.entries(root)) {
    const at = keyPath(source, key);
    if (key === 'model') config.model = parseLayer(v, at, true);
    else if (key === 'layerTypes') {
      for (const [type, o] of Object.entries(object(v, at))) {
        const tat = keyPath(at, type);
        if (!KERNEL_TYPES.includes(type)) throw new UserError(`${tat}: unknown layer type (known: ${KERNEL_TYPES.join(', ')})`);
        config.layerTypes[type] = parseLayer(o, tat, false);
      }
    } else if (key === 'layers') {
      for (const [name, o] of Object.entries(object(v, at))) config.layers[name] = parseLayer(o, keyPath(at, name), false);
    } else if (key === '$schema' || key === 'comment') {
      // documentation keys are allowed
    } else {
      throw new UserError(`${at}: unknown key (known: model, layerTypes, layers)`);
    }
  }
  return config;
}

export function loadConfig(file: string): HlsConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`${optionName('config', '--config')} ${file}: cannot read the file`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${optionName('config', '--config')} ${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseConfig(value, `${file}: config`);
}

/** Checks that every layer name in the config is a node of the fused graph. */
export function checkLayerNames(config: HlsConfig, nodeNames: ReadonlySet<string>, source = 'config'): void {
  for (const name of Object.keys(config.layers)) {
    if (!nodeNames.has(name)) {
      const sample = [...nodeNames].slice(0, 5).map((n) => JSON.stringify(n)).join(', ');
      throw new UserError(`${keyPath(`${source}.layers`, name)}: no fused layer has this name (layers are named after their root node, e.g. ${sample})`);
    }
  }
}

/** The overrides for one layer: layers > layerTypes > model. */
export function overridesFor(config: HlsConfig, opType: string, nodeName: string): LayerOverrides {
  const { kvPlacement: _kv, ...model } = config.model;
  return { ...model, ...(config.layerTypes[opType] ?? {}), ...(config.layers[nodeName] ?? {}) };
}

/** The memories a device offers for placements: its external memory kind, banks 0 .. channels-1. */
export function deviceMemories(device: { name: string; memory: { kind: string; channels: number } }): { memory: Placement['memory']; banks: number } {
  return { memory: device.memory.kind.toUpperCase().startsWith('HBM') ? 'HBM' : 'DDR', banks: Math.max(1, device.memory.channels) };
}

/**
 * Checks every weightPlacement / kvPlacement of the config against the
 * device's memories (compiler/devices/*.json): a bank the board does not
 * have would reach connectivity.cfg (or be replaced silently by a platform tag).
 */
export function checkPlacements(config: HlsConfig, device: { name: string; memory: { kind: string; channels: number } }, source = 'config'): void {
  const { memory, banks } = deviceMemories(device);
  const has = banks === 1 ? `${memory}[0]` : `${memory}[0] .. ${memory}[${banks - 1}]`;
  const check = (p: Placement | undefined, at: string) => {
    if (!p) return;
    if (p.memory !== memory || p.bank >= banks) {
      throw new UserError(`${at}: ${formatPlacement(p)} is not a memory of ${device.name} (it has ${has}: ${device.memory.kind}, ${banks} bank${banks === 1 ? '' : 's'})`);
    }
  };
  check(config.model.weightPlacement, `${source}.model.weightPlacement`);
  check(config.model.kvPlacement, `${source}.model.kvPlacement`);
  for (const [type, o] of Object.entries(config.layerTypes)) check(o.weightPlacement, `${keyPath(`${source}.layerTypes`, type)}.weightPlacement`);
  for (const [name, o] of Object.entries(config.layers)) check(o.weightPlacement, `${keyPath(`${source}.layers`, name)}.weightPlacement`);
}
