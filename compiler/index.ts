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
export { compileModel } from '../backend-hls/compile.js';
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
export { generate } from './generate.js';
export type { GenerateOptions, GenerateResult } from './generate.js';
