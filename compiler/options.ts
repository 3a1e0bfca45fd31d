/**
 * Checks of the options the API entry points take (compileModel, simulate,
 * estimateModel, generate ...). A TypeScript caller can pass anything at run
 * time, so each value is checked before use and a bad one is a UserError
 * (exit 1) naming the option in both forms, "clockMHz (--clock)", never a
 * TypeError from deep inside.
 */
import { UserError, optionName } from './errors.js';
import { DEFAULT_SEED, GREEDY, SamplingSettings } from './sampling.js';

/** An option's two names: the API's and the command line's. */
export interface OptionNames { api: string; cli: string }

const named = (o: OptionNames) => optionName(o.api, o.cli);
const shown = (v: unknown) => (typeof v === 'string' ? `'${v}'` : typeof v === 'number' ? String(v) : v === undefined ? 'undefined' : JSON.stringify(v) ?? String(v));

/** A non-empty string (a path, a name); `what` says what it should be. */
export function requiredString(value: unknown, o: OptionNames, what = 'a path'): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UserError(`${named(o)}: ${value === undefined ? 'missing' : `got ${shown(value)}`}; expected ${what}`);
  }
  return value;
}

/** An optional non-empty string: undefined stays undefined. */
export function optionalString(value: unknown, o: OptionNames, what = 'a path'): string | undefined {
  return value === undefined ? undefined : requiredString(value, o, what);
}

/** An optional finite number > 0 (`integer` to require a whole number). */
export function positiveNumber(value: unknown, o: OptionNames, options: { integer?: boolean; unit?: string } = {}): number | undefined {
  if (value === undefined) return undefined;
  const ok = typeof value === 'number' && Number.isFinite(value) && value > 0 && (!options.integer || Number.isInteger(value));
  if (!ok) throw new UserError(`${named(o)}: got ${shown(value)}; expected a positive ${options.integer ? 'integer' : 'number'}${options.unit ? ` of ${options.unit}` : ''}`);
  return value as number;
}

/** A required positive integer. */
export function requiredPositiveInt(value: unknown, o: OptionNames): number {
  if (value === undefined) throw new UserError(`${named(o)}: missing; expected a positive integer`);
  return positiveNumber(value, o, { integer: true })!;
}

/** An optional value out of a fixed list. */
export function oneOf<T extends string>(value: unknown, o: OptionNames, choices: readonly T[], what = 'value'): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new UserError(`${named(o)}: unknown ${what} ${shown(value)} (${choices.join(', ')})`);
  }
  return value as T;
}

/** An optional array of strings (a string alone is refused, not split into characters). */
export function stringArray(value: unknown, o: OptionNames): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new UserError(`${named(o)}: got ${shown(value)}; expected an array of strings${typeof value === 'string' ? ` (e.g. [${JSON.stringify(value)}])` : ''}`);
  }
  return value as string[];
}

/** An optional array of non-negative integers (token ids). */
export function idArray(value: unknown, o: OptionNames): number[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new UserError(`${named(o)}: got ${shown(value)}; expected an array of token ids (non-negative integers)`);
  const bad = value.find((v) => typeof v !== 'number' || !Number.isInteger(v) || v < 0);
  if (bad !== undefined) throw new UserError(`${named(o)}: ${shown(bad)} is not a token id (non-negative integer)`);
  return value as number[];
}

/** Bindings: an object of dim names to values (the values are checked where they are bound, frontend/bind.ts). */
export function bindingsObject(value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(`${named(OPT.bindings)}: got ${shown(value)}; expected an object such as { sequence: 8 }${typeof value === 'string' ? ' (parseBindings turns CLI-style strings into one)' : ''}`);
  }
}

/** The options argument itself: an object (or absent, when every option is optional). */
export function optionsObject(value: unknown, fn: string, required = false): Record<string, unknown> {
  if (value === undefined && !required) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(`${fn}: the options argument must be an object, got ${shown(value)}`);
  }
  return value as Record<string, unknown>;
}

/** The option names used by more than one entry point. */
export const OPT = {
  model: { api: 'model', cli: 'MODEL' },
  dir: { api: 'dir', cli: 'DIR' },
  outDir: { api: 'outDir', cli: '--out' },
  target: { api: 'target', cli: '--target' },
  device: { api: 'device', cli: '--device' },
  precision: { api: 'precision', cli: '--precision' },
  config: { api: 'config', cli: '--config' },
  calibrate: { api: 'calibrate', cli: '--calibrate' },
  clockMHz: { api: 'clockMHz', cli: '--clock' },
  printIrAfter: { api: 'printIrAfter', cli: '--print-ir-after' },
  mode: { api: 'mode', cli: '--mode' },
  inputs: { api: 'inputs', cli: '--inputs' },
  out: { api: 'out', cli: '--out' },
  tol: { api: 'tol', cli: '--tol' },
  promptIds: { api: 'promptIds', cli: '--prompt-ids' },
  maxNewTokens: { api: 'maxNewTokens', cli: '--max-new-tokens' },
  bindings: { api: 'bindings', cli: '--bind' },
  maxContext: { api: 'maxContext', cli: '--max-context' },
  prefillTokens: { api: 'prefillTokens', cli: '--prefill-tokens' },
  temperature: { api: 'temperature', cli: '--temperature' },
  topK: { api: 'topK', cli: '--top-k' },
  topP: { api: 'topP', cli: '--top-p' },
  seed: { api: 'seed', cli: '--seed' },
} as const satisfies Record<string, OptionNames>;

export const TARGETS = ['vitis', 'bambu', 'rtl'] as const;
export const SIM_MODES = ['csim', 'csim-threads', 'verilator', 'cocotb'] as const;

/** The model path an entry point takes. */
export function checkModelPath(modelPath: unknown): string {
  return requiredString(modelPath, OPT.model, 'the path of an ONNX model');
}

/** inspectModel's options. */
export function checkInspectOptions(modelPath: unknown, options: unknown): void {
  checkModelPath(modelPath);
  bindingsObject(optionsObject(options, 'inspectModel').bindings);
}

/** compileModel's options, before anything is read or written. */
export function checkCompileOptions(modelPath: unknown, outDir: unknown, options: unknown): void {
  checkModelPath(modelPath);
  requiredString(outDir, { api: 'outDir', cli: '-o, --out' }, 'a project directory');
  const o = optionsObject(options, 'compileModel');
  oneOf(o.target, OPT.target, TARGETS, 'target');
  optionalString(o.device, OPT.device, 'a device name');
  optionalString(o.precision, OPT.precision, 'a precision name');
  optionalString(o.calibrate, OPT.calibrate, 'a folder of calibration inputs');
  bindingsObject(o.bindings);
  if (o.config !== undefined && (typeof o.config !== 'object' || o.config === null || Array.isArray(o.config))) {
    requiredString(o.config, OPT.config, 'a config JSON file or a config object');
  }
}

/** simulate's options. */
export function checkSimOptions(dir: unknown, options: unknown): void {
  requiredString(dir, OPT.dir, 'a project directory written by compile');
  const o = optionsObject(options, 'simulate', true);
  oneOf(o.mode, OPT.mode, SIM_MODES, 'mode');
  requiredString(o.inputs, OPT.inputs, 'a folder with input_0.pb ...');
  requiredString(o.out, OPT.out, 'a folder to write output_0.pb ... into');
  optionalString(o.model, { api: 'model', cli: '--model' }, 'the path of an ONNX model');
  optionalString(o.trace, { api: 'trace', cli: '--trace' }, 'a file to write the wave into');
  if (o.tol !== undefined && !(typeof o.tol === 'number' && o.tol >= 0 && Number.isFinite(o.tol))) {
    throw new UserError(`${named(OPT.tol)}: got ${shown(o.tol)}; expected a non-negative number (relative to the output scale)`);
  }
}

/** estimateModel's / planModel's options. */
export function checkEstimateOptions(options: unknown): void {
  const o = optionsObject(options, 'estimateModel');
  bindingsObject(o.bindings);
  optionalString(o.device, OPT.device, 'a device name');
  optionalString(o.precision, OPT.precision, 'a precision name');
  positiveNumber(o.clockMHz, OPT.clockMHz, { unit: 'MHz' });
  stringArray(o.printIrAfter, OPT.printIrAfter);
  positiveNumber(o.maxContext, OPT.maxContext, { integer: true });
  positiveNumber(o.prefillTokens, OPT.prefillTokens, { integer: true });
  if (o.prefillTokens !== undefined && o.maxContext === undefined) {
    throw new UserError(`${named(OPT.prefillTokens)}: only with ${named(OPT.maxContext)} (the prefill phase of a KV-cache decoder)`);
  }
}

/** generate's options (the range of the ids against the vocabulary is checked once the model is read). */
export function checkGenerateOptions(modelPath: unknown, options: unknown): void {
  checkModelPath(modelPath);
  const o = optionsObject(options, 'generate', true);
  if (o.promptIds === undefined) throw new UserError(`${named(OPT.promptIds)}: missing; give at least one token id`);
  idArray(o.promptIds, OPT.promptIds);
  requiredPositiveInt(o.maxNewTokens, OPT.maxNewTokens);
  optionalString(o.precision, OPT.precision, 'a precision name');
  positiveNumber(o.maxContext, OPT.maxContext, { integer: true });
  samplingSettings(o);
}

/**
 * generate's sampling options, checked, as the settings it reports: greedy
 * unless temperature > 0; topK, topP and seed only with such a temperature
 * (the seed defaults to DEFAULT_SEED).
 */
export function samplingSettings(o: { temperature?: unknown; topK?: unknown; topP?: unknown; seed?: unknown }): SamplingSettings {
  const { temperature, topK, topP, seed } = o;
  if (temperature !== undefined && !(typeof temperature === 'number' && Number.isFinite(temperature) && temperature >= 0)) {
    throw new UserError(`${named(OPT.temperature)}: got ${shown(temperature)}; expected a non-negative number (0: greedy)`);
  }
  if (topK !== undefined && !(typeof topK === 'number' && Number.isInteger(topK) && topK > 0)) {
    throw new UserError(`${named(OPT.topK)}: got ${shown(topK)}; expected a positive integer`);
  }
  if (topP !== undefined && !(typeof topP === 'number' && topP > 0 && topP <= 1)) {
    throw new UserError(`${named(OPT.topP)}: got ${shown(topP)}; expected a number in (0, 1]`);
  }
  if (seed !== undefined && !(typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0)) {
    throw new UserError(`${named(OPT.seed)}: got ${shown(seed)}; expected a non-negative integer`);
  }
  if (temperature === undefined || temperature === 0) {
    const given = ([['topK', topK], ['topP', topP], ['seed', seed]] as const).find(([, v]) => v !== undefined);
    if (given) {
      throw new UserError(`${named(OPT[given[0]])}: only with ${named(OPT.temperature)} above 0 (${temperature === undefined ? 'without it' : 'at temperature 0'} generation is greedy)`);
    }
    return { ...GREEDY };
  }
  return {
    strategy: 'sample', temperature: temperature as number,
    topK: (topK as number | undefined) ?? null, topP: (topP as number | undefined) ?? null, seed: (seed as number | undefined) ?? DEFAULT_SEED,
  };
}
