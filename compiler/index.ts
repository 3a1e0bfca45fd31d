/**
 * The llm2hls programmatic API: the same operations as the command line.
 *
 *   import { inspectModel, runModel } from 'llm2hls';
 */
export { UserError, UnsupportedError, bindHint } from './errors.js';
export { Tensor } from './tensor.js';
export type { DType, TensorData } from './tensor.js';
export type { Graph, Node, ValueInfo, ValueType, Dim, Attrs, AttrValue } from './graph.js';
export { inspectModel, inspectGraph } from './inspect.js';
export type { InspectReport, InspectOptions, TensorSummary } from './inspect.js';
export { runModel, runGraph, writeOutputs, checkOutputDir, ensureOutputDir } from './run.js';
export type { RunOptions, NamedOutput } from './run.js';
export { loadModel, prepareGraph } from './model.js';
export { interpret } from './interpreter.js';
export { printGraph, parseGraph } from './graph-text.js';
export { verifyGraph } from './verify.js';
export { supportedOps } from './ops/index.js';
export { parseBindings } from '../frontend/bind.js';
export type { Bindings } from '../frontend/bind.js';
export { readTensorFile, readTensorDir, writeTensorPb, parseNpy } from '../frontend/tensor-files.js';
export { ModelBuilder } from '../frontend/onnx-writer.js';
export { fuseGraph, FUSION_PIPELINE } from './passes/pipelines.js';
export { PRECISIONS, DEFAULT_PRECISION, precisionByName } from './numerics/precision.js';
export type { Precision, PrecisionName } from './numerics/precision.js';
export { runModelQuantized, quantizeModel, lowerQuantized } from './numerics/run-quantized.js';
export type { QuantizedModel, QuantizeModelOptions, RunQuantizedOptions } from './numerics/run-quantized.js';
export { interpretQuantized } from './numerics/quant-interpreter.js';
export { calibrate } from './numerics/calibrate.js';
export { measureAccuracy } from './numerics/accuracy.js';
export type { CompileOptions, CompileResult } from '../backend-hls/compile.js';
export { simulate, DeadlockError } from '../runtime/csim.js';
export type { SimOptions, SimResult, OutputComparison, SimMode } from '../runtime/csim.js';
export { estimateModel, estimateGraph, planModel, planDataflow, summarize, formatEstimate, irPassNames, ESTIMATE_LEGEND } from './estimate.js';
export type { EstimateOptions, EstimateReport, KernelEstimate, KvCacheBuffer, PlanResult } from './estimate.js';
export { DEFAULT_DEVICE, deviceByName, deviceNames } from './devices/index.js';
export type { Device, DeviceResources, ExternalMemory } from './devices/index.js';
export { lowerGraph } from './dataflow/lower.js';
export { printDataflow, parseDataflow } from './dataflow/text.js';
export { interpretDataflow, runDataflow } from './dataflow/interpreter.js';
export type { DataflowRun, DataflowRunOptions } from './dataflow/interpreter.js';
export { verifyDataflow } from './dataflow/verify.js';
export { PLANNING_PIPELINE } from './dataflow/passes/index.js';
export type { DataflowGraph, Task, Stream, Memory, Plan, Cost } from './dataflow/ir.js';

// The entry points implemented outside compiler/ check their options here
// (compiler/options.ts), so that a bad value is a UserError naming the option.
import { compileModel as compileProject } from '../backend-hls/compile.js';
import type { CompileOptions, CompileResult } from '../backend-hls/compile.js';
import { formatPlacement, parseConfig } from '../backend-hls/config.js';
import { generate as generateTokens } from './generate.js';
import type { GenerateOptions, GenerateResult } from './generate.js';
import { checkCompileOptions, checkGenerateOptions } from './options.js';

/** `llm2hls compile`: an in-object config is validated like a --config file (backend-hls/config.ts). */
export async function compileModel(modelPath: string, outDir: string, options: CompileOptions = {}): Promise<CompileResult> {
  checkCompileOptions(modelPath, outDir, options);
  if (options.config === undefined || typeof options.config === 'string') return compileProject(modelPath, outDir, options);
  // Placements may come parsed ({ memory, bank }) or as written in a file ("HBM[3]").
  const asWritten = JSON.parse(JSON.stringify(options.config, (key, v) =>
    (key === 'weightPlacement' || key === 'kvPlacement') && typeof v === 'object' && v !== null && typeof v.memory === 'string' && Number.isInteger(v.bank) ? formatPlacement(v) : v));
  return compileProject(modelPath, outDir, { ...options, config: parseConfig(asWritten, 'config') });
}

/** `llm2hls generate`: greedy or seeded-sampling decoding on the golden model. */
export function generate(modelPath: string, options: GenerateOptions): GenerateResult {
  checkGenerateOptions(modelPath, options);
  return generateTokens(modelPath, options);
}
export type { GenerateOptions, GenerateResult } from './generate.js';
export type { SamplingSettings } from './sampling.js';
