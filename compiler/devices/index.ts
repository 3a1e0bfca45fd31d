/**
 * Device facts (DSP, BRAM, URAM, LUT, FF, external memory, clock) as data
 * files, one per device (compiler/devices/NAME.json), read at run time.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { PrecisionName } from '../numerics/precision.js';

export interface DeviceResources { dsp: number; bram18k: number; uram: number; lut: number; ff: number }

export interface ExternalMemory {
  kind: 'HBM2' | 'DDR4';
  /** Independent channels (HBM pseudo channels, DDR controllers) a design can bind ports to. */
  channels: number;
  /** Peak bandwidth of all channels together, GB/s (10^9 bytes): the roofline's. */
  bandwidthGBs: number;
  capacityGB: number;
  /**
   * The share of the peak a sequential long-burst read stream sustains (refresh, page and
   * controller effects): what the cost model plans with. sustainedSource says where it comes from.
   */
  sustainedFraction: number;
  sustainedSource: string;
}

export interface Device {
  name: string;
  description: string;
  part: string;
  /** Vitis platform (v++ --platform) of the board, as AMD names it; the Makefile's PLATFORM default. */
  vitisPlatform?: string;
  /**
   * Memory tags of an embedded Vitis platform for `sp=` (e.g. the Zynq UltraScale+ HP ports), which
   * the m_axi bundles are spread over round-robin; absent on Alveo, whose tags are `DDR[n]`/`HBM[n]`.
   */
  vitisSpTags?: string[];
  /** Bambu --device-name (a characterization Bambu ships); the Makefile's BAMBU_DEVICE default. */
  bambuDevice?: string;
  family: 'ultrascale+' | 'versal';
  resources: DeviceResources;
  memory: ExternalMemory;
  clockMHz: number;
  /** Multiply-accumulates one DSP slice retires per cycle at each precision (DSP packing). */
  dspMacsPerCycle: Record<PrecisionName, number>;
  sources: string[];
}

/** The device every command plans for unless told otherwise (compile, estimate). */
export const DEFAULT_DEVICE = 'u55c';

export const RESOURCE_KEYS = ['dsp', 'bram18k', 'uram', 'lut', 'ff'] as const;

/** The JSON folder: next to this file in the source tree, or ../../compiler/devices from dist/compiler/devices. */
function devicesDir(): string {
  const candidates = [new URL('../../../compiler/devices/', import.meta.url), new URL('./', import.meta.url)];
  for (const url of candidates) {
    const dir = fileURLToPath(url);
    if (fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.endsWith('.json'))) return dir;
  }
  throw new Error(`device data files not found (looked in ${candidates.map((u) => fileURLToPath(u)).join(', ')})`);
}

let cache: Map<string, Device> | undefined;

function load(): Map<string, Device> {
  if (cache) return cache;
  const dir = devicesDir();
  cache = new Map();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const device = JSON.parse(fs.readFileSync(`${dir}${file}`, 'utf8')) as Device;
    cache.set(device.name, device);
  }
  return cache;
}

export function deviceNames(): string[] { return [...load().keys()]; }

export function deviceByName(name: string): Device {
  const d = load().get(name.toLowerCase());
  if (!d) throw new UserError(`unknown device '${name}' (known: ${deviceNames().join(', ')})`);
  return d;
}

/**
 * Bytes per clock cycle the external memory sustains at the device clock (all channels): the
 * cost model's figure, below the data-sheet peak the roofline uses, so the gap shows as lost efficiency.
 */
export function memoryBytesPerCycle(device: Device, clockMHz = device.clockMHz): number {
  return (device.memory.bandwidthGBs * device.memory.sustainedFraction * 1e9) / (clockMHz * 1e6);
}
