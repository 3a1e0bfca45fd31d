/**
 * `llm2hls compile MODEL -o DIR`: frontend -> fusion -> plan -> HLS C++
 * project (top function, kernel library, testbench, weights, Makefile, TCL,
 * manifest), written atomically.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { UserError } from '../compiler/errors.js';
import { Graph } from '../compiler/graph.js';
import { loadModel, prepareGraph } from '../compiler/model.js';
import { DEFAULT_PRECISION, Precision, PrecisionName, precisionByName } from '../compiler/numerics/precision.js';
import { fuseGraph } from '../compiler/passes/pipelines.js';
import { DEFAULT_DEVICE, Device, deviceByName } from '../compiler/devices/index.js';
import { Bindings } from '../frontend/bind.js';
import { quantizeModel } from '../compiler/numerics/run-quantized.js';
import { QuantSpec, specJSONChunks } from '../compiler/numerics/spec.js';
import { TABLES } from '../compiler/numerics/tables.js';
import { HlsConfig, checkLayerNames, checkPlacements, emptyConfig, loadConfig, overridesFor } from './config.js';
import { TargetName, dialectFor } from './dialect.js';
import { EmitResult, IoInput, IoOutput, emitProject } from './emit.js';
import { xrtContext } from './xrt-host.js';
import { BackendPlan, DeviceInfo, defaultPlan, plannerPlan, withOverrides } from './plan.js';
import { MARKER, checkTarget, writeProject } from './project.js';
import { helperStarts } from '../compiler/helper-worker.js';
import { writeWeightFiles } from './weights.js';
import { summarize } from '../compiler/estimate.js';
import { DataflowGraph, memMap } from '../compiler/dataflow/ir.js';
import { resourcesOf } from '../compiler/dataflow/cost-model.js';
import { startModelFingerprint } from '../frontend/fingerprint.js';
import { writeTensorPb } from '../frontend/tensor-files.js';
import { ProjectSample, projectSample } from './sample.js';
import { RtlProject, rtlProject } from '../backend-rtl/project.js';

/** The user's own raw inputs: kept when a project is compiled again into the same directory. */
export const USER_INPUTS = 'csim/in';

/** An HLS flavour of C++, or Verilog (backend-rtl). */
export type ProjectTarget = TargetName | 'rtl';

export interface CompileOptions {
  target?: ProjectTarget;
  device?: string;
  precision?: PrecisionName;
  /** Path of a --config JSON file, or an already parsed config. */
  config?: string | HlsConfig;
  bindings?: Bindings;
  /** Calibration inputs for fixed-point precisions (input_0.pb ... or subfolders); default: the model's own test inputs, else random ids. */
  calibrate?: string;
  force?: boolean;
  /** A plan from the dataflow planner; the backend's default plan otherwise. */
  plan?: BackendPlan;
  /** Progress of long steps: 'calibrating' (nodes run), 'quantizing' (kernels), 'planning', 'writing weights' (bytes). */
  onProgress?: (step: string, done: number, total: number) => void;
}

export interface CompileResult {
  dir: string;
  /** The model compiled (absolute path). */
  model: string;
  /** sha256 over the model file and its external-data files (frontend/fingerprint.ts); sim checks it. */
  modelFingerprint: string;
  top: string;
  target: ProjectTarget;
  precision: string;
  device: string;
  kernels: number;
  tasks: number;
  weightBytes: number;
  files: string[];
  seconds: number;
  /** Helper worker threads started (large models use the second core; 0 for small ones). */
  helperWorkers: number;
  /** What the user should know about the project (a stand-in device, no expected outputs shipped ...), one line each. */
  warnings: string[];
}

/** The package root (holds templates/), from the source tree or dist/. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'templates', 'project')) && fs.existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error('llm2hls templates/ folder not found');
}

export function toolVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version as string;
  } catch {
    return '0.0.0';
  }
}

export function deviceInfo(device: Device): DeviceInfo {
  return {
    id: device.name,
    part: device.part,
    // From the device file (vitisPlatform, bambuDevice); the Makefile variables
    // PLATFORM= and BAMBU_DEVICE= override them.
    platform: device.vitisPlatform ?? '',
    bambuDevice: device.bambuDevice ?? '',
    clockNs: Number((1000 / device.clockMHz).toFixed(3)),
    memory: device.memory.kind.startsWith('HBM') ? 'HBM' : 'DDR',
    banks: device.memory.channels,
  };
}

const templateCache = new Map<string, HandlebarsTemplateDelegate>();

export function renderTemplate(rel: string, context: object): string {
  let t = templateCache.get(rel);
  if (!t) {
    const src = fs.readFileSync(path.join(packageRoot(), 'templates', rel), 'utf8');
    t = Handlebars.compile(src, { noEscape: true, strict: true });
    templateCache.set(rel, t);
  }
  return t(context);
}

/** The lookup tables of compiler/numerics/tables.ts as C++ arrays (ASCII comments). */
export function tablesContext(): object {
  const ascii = (s: string) => s.replace(/·/g, '*').replace(/[−–]/g, '-').replace(/√/g, 'sqrt').replace(/π/g, 'pi')
    .replace(/³/g, '^3').replace(/[^\x20-\x7e]/g, '?');
  return {
    tables: TABLES.map((t) => {
      const rows: string[] = [];
      for (let i = 0; i < t.values.length; i += 16) rows.push(`${t.values.slice(i, i + 16).join(', ')},`);
      return { name: `LLM2HLS_TABLE_${t.name.toUpperCase()}`, formula: ascii(t.formula), size: t.values.length, rows };
    }),
  };
}

/**
 * Fuses MODEL for the bound shapes and builds its QuantSpec with the numerics
 * engineer's calibration (compiler/numerics/run-quantized.ts): the same graph
 * and spec the quantized golden model runs.
 */
export function quantizedGraph(modelPath: string, bindings: Bindings, precision: PrecisionName, calibrate?: string,
  onProgress?: (step: string, done: number, total: number) => void): { graph: Graph; spec: QuantSpec; warnings: string[] } {
  const { graph, spec, warnings } = quantizeModel(modelPath, undefined, precision, { calibrateDir: calibrate, bindings, onProgress });
  return { graph, spec, warnings };
}

/** Loads, prepares and fuses MODEL: the graph the backend maps onto kernels. */
export function fusedGraph(modelPath: string, bindings: Bindings = {}): Graph {
  const graph = loadModel(modelPath);
  prepareGraph(graph, { bindings });
  fuseGraph(graph);
  return graph;
}

function recipes(target: TargetName): Record<string, string[]> {
  const wrong = (tool: string) => [`@echo "this project was generated for ${target}; recompile with llm2hls compile --target ${tool}" >&2; exit 1`];
  const platformCheck = '@test -n "$(PLATFORM)" || { echo "set PLATFORM=<Vitis platform> (make xo PLATFORM=...)" >&2; exit 1; }';
  const vitis = target === 'vitis';
  return {
    // script.tcl runs the testbench on LLM2HLS_CSIM_IN (csim/sample by default), with absolute paths.
    hls: vitis ? ['@mkdir -p csim/out', 'LLM2HLS_CSIM_IN=$(abspath $(CSIM_IN)) $(VITIS_HLS) -f script.tcl -tclargs csim csynth'] : wrong('vitis'),
    cosim: vitis ? ['@mkdir -p csim/out', 'LLM2HLS_CSIM_IN=$(abspath $(CSIM_IN)) $(VITIS_HLS) -f script.tcl -tclargs csynth cosim'] : wrong('vitis'),
    // The kernel a host calls: the XRT wrapper of the top (src/xrt_kernel.cpp, backend-hls/xrt-host.ts).
    xo: vitis ? [platformCheck, '@mkdir -p build', `$(VPP) -c -t hw --platform $(PLATFORM) -k $(TOP)_xrt -D${dialectFor('vitis').defineMacro} $(INCLUDES) -o build/$(TOP).xo src/xrt_kernel.cpp src/top.cpp`] : wrong('vitis'),
    xclbin: vitis ? [platformCheck, `$(VPP) -l -t hw --platform $(PLATFORM) --config connectivity.cfg -o build/$(TOP).xclbin build/$(TOP).xo`] : wrong('vitis'),
    // Bambu runs in build/bambu; the testbench's default paths (csim/sample, csim/out, weights) resolve through links.
    bambu: vitis ? wrong('bambu') : [
      '@mkdir -p build/bambu csim/out',
      'ln -sfn ../../csim build/bambu/csim && ln -sfn ../../weights build/bambu/weights',
      `cd build/bambu && $(BAMBU) ../../src/top.cpp --top-fname=$(TOP) --compiler=$(BAMBU_COMPILER) --std=c++17 ` +
        `--clock-period=$(CLOCK_NS) --device-name=$(BAMBU_DEVICE) -D${dialectFor('bambu').defineMacro} -I../../src -I../../kernels ` +
        '--generate-tb=../../src/testbench.cpp --simulate --simulator=VERILATOR',
    ],
  };
}

/** The make targets a project offers: the Makefile's header (and `make help`) and the README list these. */
export function makeTargets(target: TargetName): { cmd: string; what: string; padded: string }[] {
  const vitis = target === 'vitis';
  return [
    { cmd: 'make csim', what: 'g++ C simulation (CSIM_IN -> CSIM_OUT); checks the expected outputs CSIM_IN holds' },
    { cmd: 'make csim-threads', what: 'the same, one thread per task and FIFOs bounded to their planned depths (a deadlock exits 4)' },
    ...(vitis ? [
      { cmd: 'make hls', what: 'Vitis HLS: C simulation (checks CSIM_IN) and synthesis (script.tcl)' },
      { cmd: 'make cosim', what: 'Vitis HLS: synthesis and C/RTL co-simulation (checks CSIM_IN)' },
      { cmd: 'make xo', what: 'Vitis: kernel object (PLATFORM=...)' },
      { cmd: 'make xclbin', what: 'Vitis: link with connectivity.cfg (m_axi bundles -> memory banks)' },
      { cmd: 'make host', what: 'XRT host program build/host (src/host.cpp; XILINX_XRT or Debian libxrt-dev)' },
      { cmd: 'make run-host', what: 'run it on the board (XCLBIN=...), outputs in xrt/out, checked against csim/out' },
      { cmd: 'make host-sim', what: 'the host program without a board: the XRT kernel linked in, on host memory' },
    ] : [
      { cmd: 'make bambu', what: 'Bambu: synthesis and Verilator simulation of the testbench (checks csim/sample)' },
    ]),
    { cmd: 'make help', what: 'this list' },
    { cmd: 'make clean', what: vitis ? 'remove build/, csim/out, xrt/out and the HLS project' : 'remove build/ and csim/out' },
  ].map((t) => ({ ...t, padded: t.cmd.padEnd(20) }));
}

/** One README row per raw file of the testbench: its elements and how to read them. */
function rawFiles(emit: EmitResult): { file: string; count: number; shape: string; format: string }[] {
  const format = (io: IoInput | IoOutput): string => {
    if (io.format) {
      const f = io.format;
      return `int32 integers q of a ${f.signed ? 'signed' : 'unsigned'} ${f.bits}-bit fixed-point format: value = q / 2^${f.frac}`;
    }
    if (io.raw === 'int32') return `int32 token ids in [0, ${'vocab' in io && io.vocab !== undefined ? io.vocab : '2^31'})`;
    return 'float32 values';
  };
  return [
    ...emit.inputs.map((i) => ({ file: `input_${i.index}.bin`, what: i })),
    ...emit.outputs.map((o) => ({ file: `output_${o.index}.bin`, what: o })),
  ].map(({ file, what }) => ({ file, count: what.count, shape: what.shape.join(', '), format: `${format(what)}${what.role === 'stream' ? '' : ' (KV cache rows)'}` }));
}

/** Bambu ships characterizations for a few parts only; other devices get a stand-in (compiler/devices/*.json). */
export function bambuStandIn(device: DeviceInfo): string | undefined {
  const chip = (part: string) => part.toLowerCase().split('-')[0];
  if (!device.bambuDevice || chip(device.bambuDevice) === chip(device.part)) return undefined;
  return `Bambu has no characterization of ${device.part} (${device.id}): BAMBU_DEVICE is the stand-in ${device.bambuDevice}, for timing and resource estimates only`;
}

function manifest(emit: EmitResult, info: { target: ProjectTarget; precision: Precision; device: DeviceInfo; model: string; fingerprint: string; bindings: Bindings; version: string; graphName: string; sample: ProjectSample }): object {
  return {
    format: info.target === 'rtl' ? 'llm2hls-rtl-project' : 'llm2hls-hls-project',
    formatVersion: 1,
    tool: { name: 'llm2hls', version: info.version },
    target: info.target,
    precision: info.precision.name,
    device: info.device,
    top: emit.top,
    model: { path: path.resolve(info.model), fingerprint: info.fingerprint, graphName: info.graphName, bindings: info.bindings },
    sample: { dir: info.target === 'rtl' ? 'sim/sample' : 'csim/sample', inputs: info.sample.source, expectedOutputs: info.sample.rawExpected ? 'output_N.bin' : `none (${info.sample.skipped})` },
    formats: {
      inputs: 'raw little-endian: int32 token ids; float32 values (fp32) or int32 fixed-point integers q (input_N.bin, graph-input order)',
      outputs: 'raw little-endian: float32 (fp32) or int32 fixed-point integers q (output_N.bin, graph-output order)',
      weights: 'raw little-endian per bundle file (float32, or int8/int16/int32/int64 integers of the quantization spec), tensors at 64-byte aligned offsets',
      fixedPoint: 'value = q * 2^-frac per value format (docs/numerics.md); quant_spec.json holds the spec',
      kvCache: '[kv_heads][past + new][head_dim] per attention layer, in external memory',
    },
    inputs: emit.inputs,
    outputs: emit.outputs,
    kernels: emit.kernels,
    streams: emit.streams,
    weights: {
      bundles: emit.bundles,
      tensors: emit.weights.map((w) => ({ name: w.original, layout: w.layout, shape: w.storedShape, format: w.format, bundle: w.bundle, offset: w.offset, bytes: w.bytes })),
    },
  };
}

const RESOURCE_NAMES: Record<string, string> = { dsp: 'DSP', bram18k: 'BRAM', uram: 'URAM', lut: 'LUT', ff: 'FF' };

/**
 * The resources the planned design needs beyond the device (as `llm2hls
 * estimate` reports them, with the --config parallelism overrides costed
 * in), or nothing when it fits.
 */
export function fitWarning(planned: DataflowGraph, device: Device, precision: Precision, config: HlsConfig = emptyConfig(), graph?: Graph): string | undefined {
  const ctx = { device, precision, clockMHz: device.clockMHz };
  const opTypes = new Map((graph?.nodes ?? []).map((n) => [n.name, n.opType]));
  const mems = memMap(planned);
  let overridden = false;
  const df: DataflowGraph = {
    ...planned,
    tasks: planned.tasks.map((t) => {
      const opType = opTypes.get(t.node);
      const un = opType !== undefined ? overridesFor(config, opType, t.node).parallelism : undefined;
      if (un === undefined || !t.plan || !t.cost || un === t.plan.un) return t;
      overridden = true;
      const plan = { ...t.plan, un };
      return { ...t, plan, cost: { ...t.cost, ...resourcesOf(t, plan, { ...ctx, mems }) } };
    }),
  };
  const report = summarize(df, ctx);
  if (report.fits) return undefined;
  const over = Object.entries(report.utilization).filter(([k, u]) => report.resources[k as keyof typeof report.resources] > report.available[k as keyof typeof report.available] && u > 0)
    .map(([k, u]) => `${RESOURCE_NAMES[k] ?? k} ${Number.isFinite(u) ? `${Math.round(100 * u)}%` : `${report.resources[k as keyof typeof report.resources]} (the device has none)`}`);
  return overridden
    ? `the design does not fit ${device.name}: ${over.join(', ')} of the device with the config's parallelism (llm2hls estimate shows the planner's own plan)`
    : `the design does not fit ${device.name}: ${over.join(', ')} of the device (llm2hls estimate shows the plan)`;
}

/** quant_spec.json, streamed: small (scales, multipliers, biases, formats; no integer weights). */
function writeQuantSpec(root: string, spec: QuantSpec | undefined): void {
  if (!spec) return;
  const fd = fs.openSync(path.join(root, 'quant_spec.json'), 'w');
  try {
    for (const piece of specJSONChunks(spec)) fs.writeSync(fd, piece);
    fs.writeSync(fd, '\n');
  } finally {
    fs.closeSync(fd);
  }
}

/** What `sim --mode verilator` needs to know of an RTL project. */
function rtlManifest(p: RtlProject): object {
  return {
    module: p.top.module, estimateCycles: p.estimateCycles, maxCycles: p.maxCycles, idleLimit: p.idleLimit,
    inputs: p.top.inputs, outputs: p.top.outputs, fifos: p.top.fifos, gearboxes: p.top.gearboxes, kernels: p.top.kernels,
  };
}

export async function compileModel(modelPath: string, outDir: string, options: CompileOptions = {}): Promise<CompileResult> {
  const started = performance.now();
  const helpersBefore = helperStarts();
  const target = options.target ?? 'vitis';
  // The RTL backend renders the same design as Vitis C++ would be generated from.
  const dialect = dialectFor(target === 'rtl' ? 'vitis' : target);
  const precision = precisionByName(options.precision ?? DEFAULT_PRECISION);
  const deviceData = deviceByName(options.device ?? DEFAULT_DEVICE);
  const device = deviceInfo(deviceData);
  const config = typeof options.config === 'string' ? loadConfig(options.config) : options.config ?? emptyConfig();
  const configSource = typeof options.config === 'string' ? options.config : 'config';
  const layerPrecisions = [config.model.precision, ...Object.values(config.layerTypes).map((o) => o.precision), ...Object.values(config.layers).map((o) => o.precision)];
  const other = layerPrecisions.find((p) => p !== undefined && p !== precision.name);
  if (other) throw new UserError(`${configSource}: precision ${other} differs from --precision ${precision.name}; mixed precision is not built yet`, 4);
  checkPlacements(config, deviceData, typeof options.config === 'string' ? `${options.config}: config` : 'config');
  // Check the output directory before the (possibly long) model work.
  checkTarget(outDir, options.force ?? false);

  const bindings = options.bindings ?? {};
  const fingerprinting = startModelFingerprint(modelPath); // hashed in a worker while the model is compiled
  let graph: Graph;
  let spec: QuantSpec | undefined;
  let calibrationWarnings: string[] = [];
  if (precision.float) graph = fusedGraph(modelPath, bindings);
  else ({ graph, spec, warnings: calibrationWarnings } = quantizedGraph(modelPath, bindings, precision.name, options.calibrate, options.onProgress));
  checkLayerNames(config, new Set(graph.nodes.map((n) => n.name)), configSource);
  // The dataflow planner's FIFO depths, lanes and memory channels; the backend's
  // conservative defaults wherever it has no answer (or cannot plan this graph).
  let planSource = options.plan ? 'given' : 'dataflow planner';
  let base = options.plan;
  let dataflow: DataflowGraph | undefined;
  if (!base) {
    try {
      options.onProgress?.('planning', 0, 1);
      const planned = plannerPlan(graph, precision, deviceData, defaultPlan(device));
      base = planned.plan;
      dataflow = planned.dataflow;
      options.onProgress?.('planning', 1, 1);
    } catch {
      base = defaultPlan(device);
      planSource = 'backend defaults (the dataflow planner could not plan this graph)';
    }
  }
  const plan = withOverrides(base, config);
  const version = toolVersion();
  const emit = emitProject(graph, { dialect, precision, plan, device, version, spec });
  const xrt = xrtContext(emit, {
    dialect, device: deviceData, precision, banks: emit.context.banks as { bundle: string; bank: string }[],
    ioPlacement: emit.bundles[0]?.placement ?? `${device.memory}[0]`,
  });
  const sample = projectSample(graph, emit, {
    modelPath, calibrate: options.calibrate, spec, weightElements: emit.weights.reduce((n, w) => n + w.count, 0),
  });
  const warnings = [
    ...(target === 'bambu' ? [bambuStandIn(device)].filter((w): w is string => w !== undefined) : []),
    ...calibrationWarnings,
    ...(dataflow ? [fitWarning(dataflow, deviceData, precision, config, graph)].filter((w): w is string => w !== undefined) : []),
    ...(sample.skipped ? [target === 'rtl'
      ? `sim/sample has no expected outputs (${sample.skipped}): make sim does not check the outputs; llm2hls sim does`
      : `csim/sample has no expected outputs (${sample.skipped}): make csim/hls/cosim/bambu do not check the outputs; llm2hls sim does`] : []),
  ];
  const ctx = {
    ...emit.context, ...xrt, xrtVitis: target === 'vitis', recipes: recipes(dialect.name), makeTargets: makeTargets(dialect.name), warnings, rawFiles: rawFiles(emit),
    sample: { source: sample.source, checked: sample.rawExpected !== undefined },
  };

  if (target === 'rtl') {
    // The Verilog kernels hold weights and KV caches on chip (ROMs, RAMs): a plan that streams
    // them from HBM/DDR needs the AXI read ports, which are not built; its figures would not hold.
    const external = [
      ...(dataflow?.mems ?? []).filter((m) => m.location.kind === 'external').map((m) => m.name),
      ...emit.kernels.filter((k) => k.weights === 'external').map((k) => `${k.node} weights`),
    ];
    if (external.length) {
      throw new UserError(`--target rtl: the plan for ${deviceData.name} puts ${external.length} weight/KV tensor(s) in external memory (e.g. ${external[0]}); ` +
        'the RTL memory ports are not built yet: use --target vitis, or a device (or --config) that keeps them on chip', 4);
    }
  }
  const report = target === 'rtl' && dataflow ? summarize(dataflow, { device: deviceData, precision, clockMHz: deviceData.clockMHz }) : undefined;
  const rtl = target === 'rtl' ? rtlProject(emit, {
    precision, version, libDir: path.join(packageRoot(), 'templates', 'rtl'), render: renderTemplate, context: ctx,
    estimateCycles: report?.latency.cycles ?? 0, device: deviceData, estimate: report && { resources: report.resources, available: report.available },
  }) : undefined;
  const fingerprint = (await fingerprinting.result()).sha256;
  const files: string[] = [];
  let weightBytes = 0;
  /** The sample inputs (raw and .pb) and expected raw outputs, into `rel`. */
  const writeSample = (root: string, rel: string, put: (rel: string, content: string | Uint8Array) => void, list: string[]) => {
    emit.inputs.forEach((io, i) => {
      put(`${rel}/${io.file}`, sample.rawInputs[i]);
      writeTensorPb(path.join(root, rel, `input_${i}.pb`), sample.inputs[i], io.name);
      list.push(`${rel}/input_${i}.pb`);
    });
    sample.rawExpected?.forEach((bytes, i) => put(`${rel}/${emit.outputs[i].file}`, bytes));
  };
  const dir = await writeProject(outDir, async (w) => {
    const put = (rel: string, content: string | Uint8Array) => { w.writeFile(rel, content); files.push(rel); };
    if (rtl) {
      for (const [rel, text] of Object.entries(rtl.files)) put(rel, text);
      writeQuantSpec(w.root, spec);
      if (spec) files.push('quant_spec.json');
      put('manifest.json', `${JSON.stringify({ ...manifest(emit, { target, precision, device, model: modelPath, fingerprint, bindings, version, graphName: graph.name, sample }), plan: planSource, rtl: rtlManifest(rtl) }, null, 2)}\n`);
      writeSample(w.root, 'sim/sample', put, files);
      weightBytes = emit.weights.reduce((n, e) => n + e.bytes, 0); // the same integers, in rtl/mem's ROM images
      return;
    }
    put('src/top.h', renderTemplate('project/top.h.hbs', ctx));
    put('src/top.cpp', renderTemplate('project/top.cpp.hbs', ctx));
    put('src/testbench.cpp', renderTemplate('project/testbench.cpp.hbs', ctx));
    put('src/llm2hls_types.h', renderTemplate('project/llm2hls_types.h.hbs', ctx));
    put('src/llm2hls_tables.h', renderTemplate('project/llm2hls_tables.h.hbs', tablesContext()));
    writeQuantSpec(w.root, spec);
    if (spec) files.push('quant_spec.json');
    put('Makefile', renderTemplate('project/Makefile.hbs', ctx));
    put('script.tcl', renderTemplate('project/script.tcl.hbs', ctx));
    put('connectivity.cfg', renderTemplate('project/connectivity.cfg.hbs', ctx));
    if (target === 'vitis') {
      put('src/xrt_kernel.cpp', renderTemplate('project/xrt_kernel.cpp.hbs', ctx));
      put('src/host.cpp', renderTemplate('project/host.cpp.hbs', ctx));
    }
    put('README.md', renderTemplate('project/README.md.hbs', ctx));
    const kernelDir = path.join(packageRoot(), 'templates', 'kernels');
    for (const f of fs.readdirSync(kernelDir).filter((f) => f.endsWith('.h')).sort()) put(`kernels/${f}`, fs.readFileSync(path.join(kernelDir, f), 'utf8'));
    put('manifest.json', `${JSON.stringify({ ...manifest(emit, { target, precision, device, model: modelPath, fingerprint, bindings, version, graphName: graph.name, sample }), plan: planSource }, null, 2)}\n`);
    writeSample(w.root, 'csim/sample', put, files);
    await w.yieldToSignals();
    weightBytes = await writeWeightFiles(path.join(w.root, 'weights'), emit.bundles, emit.weights, {
      onProgress: (done, total) => options.onProgress?.('writing weights', done, total),
      pause: () => w.yieldToSignals(),
    });
    files.push(...emit.bundles.map((b) => `weights/${b.file}`));
  }, { force: options.force, marker: { version, target, top: emit.top }, keep: [USER_INPUTS] });
  files.push(MARKER);

  return {
    dir, model: path.resolve(modelPath), modelFingerprint: fingerprint, top: emit.top, target, precision: precision.name, device: device.id,
    kernels: emit.kernels.length, tasks: (emit.context.calls as unknown[]).length, weightBytes, files,
    seconds: (performance.now() - started) / 1000,
    helperWorkers: helperStarts() - helpersBefore,
    warnings,
  };
}
