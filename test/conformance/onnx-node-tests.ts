/**
 * ONNX's backend node conformance tests (the `data/node/test_*` folders of
 * the ONNX source tree, shipped by Debian as libonnx-testdata) run against
 * the float32 golden interpreter.
 *
 * Each folder holds `model.onnx` (usually one node) and `test_data_set_N/`
 * with `input_K.pb` and the reference `output_K.pb`. A test is applicable
 * when our loader reads the model (opset 13..21, supported element types)
 * and every node's op is one we support; it passes when every data set's
 * outputs match the reference with ONNX's own backend-test tolerance.
 */
import fs from 'node:fs';
import path from 'node:path';
import { onnx } from '../../frontend/onnx-proto.js';
import { UnsupportedError } from '../../compiler/errors.js';
import { Graph, formatShape } from '../../compiler/graph.js';
import { supportedOps } from '../../compiler/ops/index.js';
import { runGraph } from '../../compiler/run.js';
import { FLOAT_TYPES, Tensor } from '../../compiler/tensor.js';
import { MAX_OPSET, MIN_OPSET, loadOnnxFile } from '../../frontend/onnx-load.js';
import { readTensorDir } from '../../frontend/tensor-files.js';

/** Where Debian's libonnx-testdata puts the node tests. */
export const TESTDATA_ROOT = '/usr/share/libonnx-testdata';
export const NODE_TEST_ROOT = path.join(TESTDATA_ROOT, 'data', 'node');

/** ONNX backend-test defaults (onnx/backend/test/case/test_case.py): rtol 1e-3, atol 1e-7. */
export const RTOL = 1e-3;
export const ATOL = 1e-7;

/** Why a test does not apply to llm2hls. */
export type NotApplicableKind = 'opset' | 'unsupported-op' | 'dtype' | 'other';

export interface NodeTest {
  name: string;
  dir: string;
  /** Default-domain opset the model imports (undefined when it imports none). */
  opset: number | undefined;
  /** Distinct op types of the model's nodes, Constant included. */
  opTypes: string[];
  /**
   * The op the test belongs to: its single (non-Constant) op, or, for a
   * multi-node `_expanded` test, "<Op> (expanded)" after the op whose
   * function body the nodes are.
   */
  group: string;
  /** True when `group` is an op llm2hls supports. */
  supportedGroup: boolean;
  /** Undefined when the test applies; otherwise why not. */
  notApplicable?: { kind: NotApplicableKind; reason: string };
  dataSets: string[];
}

export interface NodeTestResult {
  name: string;
  group: string;
  passed: boolean;
  /** Why it failed: the first mismatch or error, naming the data set and output. */
  reason?: string;
  /** Graph inputs that were bound as constants because they feed a shape operand. */
  constantInputs: string[];
}

/**
 * Input slots that hold shapes, axes, split sizes or slice bounds: llm2hls
 * compiles static graphs and needs them constant. The node tests feed them as
 * graph inputs, so the harness binds them to the data set's values (as an
 * exporter with static shapes would write them) and runs the op on the rest.
 */
export const SHAPE_OPERANDS: Readonly<Record<string, readonly number[]>> = {
  Reshape: [1], Expand: [1], Slice: [1, 2, 3, 4], Squeeze: [1], Unsqueeze: [1], Split: [1],
  ReduceSum: [1], ReduceMean: [1], ReduceMax: [1], ReduceMin: [1], ReduceProd: [1],
  ConstantOfShape: [0], Range: [0, 1, 2], Tile: [1], Pad: [1, 2, 3], TopK: [1], OneHot: [1],
};

/** Names of graph inputs that some node reads at a shape-operand slot. */
export function shapeOperandInputs(graph: Graph): Set<string> {
  const inputs = new Set(graph.inputs.map((i) => i.name));
  const out = new Set<string>();
  for (const node of graph.nodes) {
    for (const slot of SHAPE_OPERANDS[node.opType] ?? []) {
      const name = node.inputs[slot];
      if (name && inputs.has(name)) out.add(name);
    }
  }
  return out;
}

/**
 * Turns the graph inputs that feed shape operands into constants holding the
 * data set's values; returns the remaining inputs (in graph-input order).
 */
export function bindShapeOperands(graph: Graph, values: readonly Tensor[]): { inputs: Tensor[]; constants: string[] } {
  const names = shapeOperandInputs(graph);
  if (names.size === 0 || values.length !== graph.inputs.length) return { inputs: [...values], constants: [] };
  const kept: Tensor[] = [];
  graph.inputs.forEach((input, i) => {
    if (names.has(input.name)) {
      graph.initializers.set(input.name, values[i]);
      graph.types.set(input.name, { dtype: values[i].dtype, shape: [...values[i].shape] });
    } else kept.push(values[i]);
  });
  graph.inputs = graph.inputs.filter((input) => !names.has(input.name));
  return { inputs: kept, constants: [...names] };
}

/** Every default-domain ONNX op name (ONNX 1.12 schema list), for naming `_expanded` tests. */
const ONNX_OPS = (
  'Abs Acos Acosh Add And ArgMax ArgMin Asin Asinh Atan Atanh AveragePool BatchNormalization Bernoulli BitShift '
  + 'BlackmanWindow Cast CastLike Ceil Celu Clip Compress Concat ConcatFromSequence Constant ConstantOfShape Conv '
  + 'ConvInteger ConvTranspose Cos Cosh CumSum DFT DepthToSpace DequantizeLinear Det Div Dropout DynamicQuantizeLinear '
  + 'Einsum Elu Equal Erf Exp Expand EyeLike Flatten Floor GRU Gather GatherElements GatherND Gemm GlobalAveragePool '
  + 'GlobalLpPool GlobalMaxPool Greater GreaterOrEqual GridSample HammingWindow HannWindow HardSigmoid HardSwish '
  + 'Hardmax Identity If InstanceNormalization IsInf IsNaN LRN LSTM LayerNormalization LeakyRelu Less LessOrEqual Log '
  + 'LogSoftmax Loop LpNormalization LpPool MatMul MatMulInteger Max MaxPool MaxRoiPool MaxUnpool Mean '
  + 'MeanVarianceNormalization MelWeightMatrix Min Mod Mul Multinomial Neg NegativeLogLikelihoodLoss NonMaxSuppression '
  + 'NonZero Not OneHot Optional OptionalGetElement OptionalHasElement Or PRelu Pad Pow QLinearConv QLinearMatMul '
  + 'QuantizeLinear RNN RandomNormal RandomNormalLike RandomUniform RandomUniformLike Range Reciprocal ReduceL1 '
  + 'ReduceL2 ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean ReduceMin ReduceProd ReduceSum ReduceSumSquare Relu '
  + 'Reshape Resize ReverseSequence RoiAlign Round STFT Scan Scatter ScatterElements ScatterND Selu SequenceAt '
  + 'SequenceConstruct SequenceEmpty SequenceErase SequenceInsert SequenceLength SequenceMap Shape Shrink Sigmoid Sign '
  + 'Sin Sinh Size Slice Softmax SoftmaxCrossEntropyLoss Softplus Softsign SpaceToDepth Split SplitToSequence Sqrt '
  + 'Squeeze StringNormalizer Sub Sum Tan Tanh TfIdfVectorizer ThresholdedRelu Tile TopK Transpose Trilu Unique '
  + 'Unsqueeze Upsample Where Xor'
).split(' ');

/** Test-name prefixes that are not the op's name run together. */
const NAME_ALIASES: Record<string, string> = {
  mvn: 'MeanVarianceNormalization', sce: 'SoftmaxCrossEntropyLoss', nllloss: 'NegativeLogLikelihoodLoss',
  greaterequal: 'GreaterOrEqual', lessequal: 'LessOrEqual', tril: 'Trilu', triu: 'Trilu',
};

const squash = (s: string) => s.toLowerCase().replace(/_/g, '');

/** The op a test name starts with (longest match), e.g. test_layer_normalization_2d -> LayerNormalization. */
export function opFromTestName(name: string): string | undefined {
  const key = squash(name.replace(/^test_/, ''));
  let best: string | undefined;
  let bestLength = 0;
  const consider = (prefix: string, op: string) => {
    if (key.startsWith(prefix) && prefix.length > bestLength) { best = op; bestLength = prefix.length; }
  };
  for (const op of ONNX_OPS) consider(op.toLowerCase(), op);
  for (const [prefix, op] of Object.entries(NAME_ALIASES)) consider(prefix, op);
  return best;
}

interface ModelSummary { opset: number | undefined; opTypes: string[]; customDomains: string[] }

/** Opset and op types straight from the protobuf, for tests our loader rejects. */
function readModelSummary(modelPath: string): ModelSummary {
  const model = onnx.ModelProto.decode(fs.readFileSync(modelPath));
  const entry = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  const opset = entry ? Number(entry.version) : undefined;
  const nodes = model.graph?.node ?? [];
  const opTypes = [...new Set(nodes.map((n) => n.opType ?? ''))].sort();
  const customDomains = [...new Set(nodes.map((n) => n.domain ?? '').filter((d) => d !== '' && d !== 'ai.onnx'))];
  return { opset, opTypes, customDomains };
}

function groupOf(name: string, opTypes: readonly string[], supported: ReadonlySet<string>): string {
  const main = opTypes.filter((t) => t !== 'Constant');
  if (main.length === 0) return opTypes[0] ?? '(empty)';
  if (main.length === 1) return main[0];
  const nominal = opFromTestName(name);
  if (nominal && main.includes(nominal)) return nominal;
  if (nominal && name.endsWith('_expanded')) return `${nominal} (expanded)`;
  // Several ops and no name to go by: the first supported one, else the first.
  return main.find((t) => supported.has(t)) ?? main[0];
}

/** Classifies one loader error as a reason the test does not apply, or undefined for a real failure. */
function loaderNotApplicable(e: unknown): NodeTest['notApplicable'] {
  if (!(e instanceof UnsupportedError)) return undefined;
  const message = e.message;
  const type = /element type (\w+)/.exec(message);
  if (type) return { kind: 'dtype', reason: `${type[1]} tensors are not supported` };
  if (/not a tensor \(sequences/.test(message)) return { kind: 'dtype', reason: 'sequence/map/optional values are not supported' };
  if (/subgraph/.test(message)) return { kind: 'unsupported-op', reason: 'subgraph attributes (If/Loop/Scan) are not supported' };
  if (/custom domain|no default-domain opset/.test(message)) return { kind: 'unsupported-op', reason: 'uses a non-default op domain' };
  return undefined;
}

export function testDataAvailable(root = NODE_TEST_ROOT): boolean {
  return fs.existsSync(root) && fs.statSync(root).isDirectory();
}

/** Every node test folder, classified. */
export function listNodeTests(root = NODE_TEST_ROOT): NodeTest[] {
  const supported = new Set(supportedOps());
  const names = fs.readdirSync(root).filter((n) => n.startsWith('test_')).sort();
  const tests: NodeTest[] = [];
  for (const name of names) {
    const dir = path.join(root, name);
    const modelPath = path.join(dir, 'model.onnx');
    if (!fs.existsSync(modelPath)) continue;
    const dataSets = fs.readdirSync(dir).filter((d) => d.startsWith('test_data_set_')).sort()
      .map((d) => path.join(dir, d));
    const summary = readModelSummary(modelPath);
    const group = groupOf(name, summary.opTypes, supported);
    const test: NodeTest = {
      name, dir, opset: summary.opset, opTypes: summary.opTypes, group,
      supportedGroup: supported.has(group) || (group.endsWith(' (expanded)') && supported.has(group.slice(0, -11))),
      dataSets,
    };
    tests.push(test);

    // The loader is the authority: it rejects opsets outside 13..21 and
    // element types we do not support; our op table decides the rest.
    let loadError: unknown;
    try {
      loadOnnxFile(modelPath);
    } catch (e) {
      loadError = e;
    }
    const outOfRange = summary.opset !== undefined && (summary.opset < MIN_OPSET || summary.opset > MAX_OPSET);
    if (loadError instanceof UnsupportedError && outOfRange) {
      const version = summary.opset!;
      const side = version < MIN_OPSET ? 'below' : 'above';
      test.notApplicable = { kind: 'opset', reason: `uses opset ${version} (${side} the supported ${MIN_OPSET}-${MAX_OPSET})` };
      continue;
    }
    if (summary.opset === undefined || summary.customDomains.length > 0) {
      const domains = summary.customDomains.join(', ') || '(no default-domain opset imported)';
      test.notApplicable = { kind: 'unsupported-op', reason: `uses op domain(s) ${domains}, not the default ONNX domain` };
      continue;
    }
    const missing = summary.opTypes.filter((t) => t !== 'Constant' && !supported.has(t));
    if (missing.length > 0) {
      test.notApplicable = { kind: 'unsupported-op', reason: `uses unsupported op(s) ${missing.join(', ')}` };
      continue;
    }
    // Any other loader error is a failure of an applicable test, reported when it runs.
    const na = loadError === undefined ? undefined : loaderNotApplicable(loadError);
    if (na) test.notApplicable = na;
  }
  return tests;
}

function formatValue(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(8);
}

/**
 * Compares one output with its reference the way ONNX's backend test runner
 * does: same element type and shape; floats within `atol + rtol * |expected|`
 * (NaN matches NaN, infinities must match exactly); integers and bool exact.
 * Returns undefined on a match, else what differs.
 */
export function compareTensors(actual: Tensor, expected: Tensor, rtol = RTOL, atol = ATOL): string | undefined {
  if (actual.dtype !== expected.dtype) return `element type ${actual.dtype}, expected ${expected.dtype}`;
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) {
    return `shape [${actual.shape.join(', ')}], expected [${expected.shape.join(', ')}]`;
  }
  const a = actual.data;
  const b = expected.data;
  const isFloat = FLOAT_TYPES.has(expected.dtype);
  let bad = 0;
  let first = -1;
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    const x = a[i];
    const y = b[i];
    let ok: boolean;
    if (!isFloat) ok = x === y;
    else if (Number.isNaN(y)) ok = Number.isNaN(x);
    else if (!Number.isFinite(y)) ok = x === y;
    else {
      const err = Math.abs(x - y); // NaN when x is NaN: not ok
      ok = err <= atol + rtol * Math.abs(y);
      if (!ok && Number.isFinite(err)) worst = Math.max(worst, err);
    }
    if (!ok) { bad++; if (first < 0) first = i; }
  }
  if (bad === 0) return undefined;
  const where = `element ${first}: ${formatValue(a[first])}, expected ${formatValue(b[first])}`;
  return `${bad} of ${b.length} values differ (first at ${where}${isFloat && worst > 0 ? `; max abs error ${worst.toPrecision(3)}` : ''})`;
}

function errorText(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  // Loader messages start with the model path: keep them short.
  return message.replace(/^\/\S*model\.onnx: /, '').split('\n')[0];
}

/** Runs every data set of one test; the first mismatch or error fails it. */
export function runNodeTest(test: NodeTest): NodeTestResult {
  let constantInputs: string[] = [];
  const fail = (reason: string): NodeTestResult => ({ name: test.name, group: test.group, passed: false, reason, constantInputs });
  if (test.dataSets.length === 0) return fail('no test_data_set_* folder');
  for (const dataSet of test.dataSets) {
    const label = path.basename(dataSet);
    let graph: Graph;
    let outputs: Tensor[];
    let expected: Tensor[];
    try {
      // The graph is reloaded per data set: runGraph binds and folds in place.
      graph = loadOnnxFile(path.join(test.dir, 'model.onnx'));
      const bound = bindShapeOperands(graph, readTensorDir(dataSet, 'input').map((t) => t.tensor));
      constantInputs = bound.constants;
      const inputs = bound.inputs;
      expected = readTensorDir(dataSet, 'output').map((t) => t.tensor);
      outputs = runGraph(graph, inputs).map((o) => o.tensor);
    } catch (e) {
      return fail(`${label}: ${e instanceof UnsupportedError ? 'unsupported: ' : 'error: '}${errorText(e)}`);
    }
    if (outputs.length !== expected.length) return fail(`${label}: ${outputs.length} outputs, expected ${expected.length}`);
    for (let i = 0; i < expected.length; i++) {
      const diff = compareTensors(outputs[i], expected[i]);
      if (diff) return fail(`${label}: output ${i} '${graph.outputs[i]?.name ?? ''}': ${diff}`);
      // The compiler sizes buffers from inferred types: they must match what execution produced.
      const inferred = graph.types.get(graph.outputs[i].name);
      if (inferred && (inferred.dtype !== outputs[i].dtype || formatShape(inferred.shape) !== formatShape(outputs[i].shape))) {
        return fail(`${label}: output ${i} '${graph.outputs[i].name}': inferred ${inferred.dtype} ${formatShape(inferred.shape)}, `
          + `execution produced ${outputs[i].dtype} ${formatShape(outputs[i].shape)}`);
      }
    }
  }
  return { name: test.name, group: test.group, passed: true, constantInputs };
}

export interface GroupSummary {
  group: string;
  supported: boolean;
  applicable: number;
  passed: number;
  failed: string[];
  /** Not-applicable tests of this group by reason. */
  notApplicable: Map<string, string[]>;
}

/** Per-op tallies, sorted by op name. */
export function summarizeGroups(tests: readonly NodeTest[], results: readonly NodeTestResult[]): GroupSummary[] {
  const byName = new Map(results.map((r) => [r.name, r]));
  const groups = new Map<string, GroupSummary>();
  for (const t of tests) {
    let g = groups.get(t.group);
    if (!g) {
      g = { group: t.group, supported: t.supportedGroup, applicable: 0, passed: 0, failed: [], notApplicable: new Map() };
      groups.set(t.group, g);
    }
    if (t.notApplicable) {
      const list = g.notApplicable.get(t.notApplicable.reason) ?? [];
      list.push(t.name);
      g.notApplicable.set(t.notApplicable.reason, list);
      continue;
    }
    g.applicable++;
    const r = byName.get(t.name);
    if (r?.passed) g.passed++;
    else g.failed.push(t.name);
  }
  return [...groups.values()].sort((a, b) => a.group.localeCompare(b.group));
}
