#!/usr/bin/env node
/**
 * Fuzzes llm2hls with broken and hostile mutants of the test fixtures, with
 * ONNX Runtime as the oracle.
 *
 *   node scripts/fuzz.mjs --count N --seed S [--jobs J] [--only I] [--keep DIR] [--json]
 *
 * Mutant I of seed S is always the same model (--only I rebuilds just that
 * one; --keep DIR leaves the mutants' folders there). Each goes through the
 * real CLI (`inspect`, `run`, `compile`, child processes with a heap limit,
 * a resident-memory watchdog and a timeout) and through ONNX Runtime (a
 * worker process, restarted when it dies). The verdicts:
 *
 * - ORT refuses the model (or the mutation makes it invalid by the ONNX spec,
 *   see `specInvalid` below): llm2hls must refuse it too, exit 1 or 3, one
 *   line on stderr, no output files.
 * - ORT runs it: `run` must succeed and match ORT within 1e-4 (relative to
 *   the largest reference value), or refuse it as unsupported (exit 3).
 * - ORT cannot tell (no CPU kernel for a type, or ORT itself crashed or ran
 *   out of memory): llm2hls only has to fail cleanly.
 *
 * Two outcomes are listed but not counted as failures: stricterThanOrt (see
 * ONNX_STRICTER) and float32Overflow, where an output is finite on one side
 * only (a flipped exponent bit makes a weight 1e37: ORT's float32 arithmetic
 * overflows where llm2hls, which accumulates in float64, does not).
 *
 * Always counted as failures: internal errors (exit 70 or a stack trace),
 * hangs, crashes (signals, other exit codes, the memory watchdog), errors of
 * more than one line, stray writes (files outside the --out folder, or
 * outputs left by a failed command) and oracle disagreements. The script
 * exits 1 when any of those is non-zero. Needs dist/ (npx tsc) and
 * onnxruntime-node (a devDependency).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const BIN = path.join(ROOT, 'bin', 'llm2hls.js');

const LIMITS = { heapMb: 2048, rssMb: 3072, timeoutMs: 60_000 };
const TOLERANCE = 1e-4;

// ---------------------------------------------------------------- fixtures

const F = path.join(ROOT, 'test', 'fixtures', 'exported');
const FIXTURES = [
  { name: 'gpt2_mini', model: `${F}/gpt2_mini.onnx`, data: `${F}/gpt2_mini_data` },
  { name: 'gpt2_mini_op17', model: `${F}/gpt2_mini_op17.onnx`, data: `${F}/gpt2_mini_op17_data` },
  { name: 'llama_mini', model: `${F}/llama_mini.onnx`, data: `${F}/llama_mini_data` },
  { name: 'encoder_mini', model: `${F}/encoder_mini.onnx`, data: `${F}/encoder_mini_data` },
  { name: 'gpt2_mini_past', model: `${F}/gpt2_mini_past.onnx`, data: `${F}/gpt2_mini_past_data/decode`, bind: ['sequence=1', 'past_sequence=5'] },
  { name: 'tiny_gpt', model: `${ROOT}/examples/tiny_gpt.onnx`, data: `${ROOT}/examples/tiny_gpt_data`, bind: ['sequence=8'] },
];

// ---------------------------------------------------------------- deterministic randomness

/** mulberry32: a small seeded generator; mutant i of seed s uses its own stream. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  return { next, int, pick: (xs) => xs[int(xs.length)] };
}

// ---------------------------------------------------------------- mutations

const AT = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 };
const INT64 = 7, FLOAT = 1;

let onnx; // loaded from dist/ in main()

const int64Init = (name, values) => ({ name, dataType: INT64, dims: [values.length], int64Data: values });
const floatScalar = (name, v) => ({ name, dataType: FLOAT, dims: [], floatData: [v] });

/** Every value name the graph defines, in order. */
function definedNames(g) {
  return [...g.input.map((v) => v.name), ...g.initializer.map((t) => t.name), ...g.node.flatMap((n) => n.output)].filter(Boolean);
}

/** Renames value `from` everywhere it appears. */
function renameValue(g, from, to) {
  for (const v of [...g.input, ...g.output, ...g.valueInfo]) if (v.name === from) v.name = to;
  for (const t of g.initializer) if (t.name === from) t.name = to;
  for (const n of g.node) {
    n.input = n.input.map((x) => (x === from ? to : x));
    n.output = n.output.map((x) => (x === from ? to : x));
  }
}

const nodesWithAttrs = (g) => g.node.filter((n) => n.attribute.length > 0 && n.opType !== 'Constant');
const HOSTILE = ['a\nb', 'esc\u001b[31mred', 'nul\u0000x', 'tab\tx', '../../etc/passwd', '', ' ', 'ü∂漢字', 'x'.repeat(5000), '%s%n', 'line\u2028sep'];
const DTYPE_CODES = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 99];
const ODD_DIMS = [0, 1, 2, 3, 7, 1 << 20, 2 ** 31, 2 ** 40, -1, -7];

/**
 * Each mutation edits the decoded model (`bytes: true`: the file's bytes) in
 * place and returns a label, or { label, specInvalid } when the verdict
 * depends on the value it drew. `specInvalid` marks mutations that make the
 * model invalid by the ONNX spec even where ONNX Runtime is lenient (it sorts
 * unsorted nodes, keeps one of two opset imports or initializers, ignores an
 * unknown attribute on Constant and LayerNormalization, evaluates a Range
 * with a NaN step to zero elements, loads a graph with no outputs): there,
 * llm2hls must refuse.
 */
const MUTATIONS = {
  flipBytes: { bytes: true, apply(bytes, r) {
    const n = 1 + r.int(8);
    for (let i = 0; i < n; i++) bytes[r.int(bytes.length)] ^= 1 << r.int(8);
    return `${n} bit flips`;
  } },
  truncate: { bytes: true, apply(bytes, r) {
    const at = r.int(bytes.length);
    return { bytes: bytes.subarray(0, at), label: `cut at ${at} of ${bytes.length}` };
  } },
  changeDim: { apply(m, r) {
    const g = m.graph;
    const dim = r.pick(ODD_DIMS);
    if (r.next() < 0.5) {
      const v = r.pick([...g.input, ...g.output]);
      const dims = v.type?.tensorType?.shape?.dim ?? [];
      if (dims.length === 0) return 'no dims';
      const d = dims[r.int(dims.length)];
      d.dimValue = dim;
      delete d.dimParam; // dim_value and dim_param are a oneof: with both in the file, readers differ on which wins
      return `dim of '${v.name}' -> ${dim}`;
    }
    const t = r.pick(g.initializer);
    if (t.dims.length === 0) t.dims = [dim];
    else t.dims[r.int(t.dims.length)] = dim;
    return `dim of initializer '${t.name}' -> ${dim}`;
  } },
  changeDtype: { apply(m, r) {
    const g = m.graph, code = r.pick(DTYPE_CODES);
    const roll = r.int(3);
    if (roll === 0) { const v = r.pick(g.input); v.type.tensorType.elemType = code; return `input '${v.name}' type ${code}`; }
    if (roll === 1) { const v = r.pick(g.output); v.type.tensorType.elemType = code; return `output '${v.name}' type ${code}`; }
    const t = r.pick(g.initializer);
    t.dataType = code;
    return `initializer '${t.name}' type ${code}`;
  } },
  danglingInput: { apply(m, r) {
    const n = r.pick(m.graph.node.filter((x) => x.input.length > 0));
    n.input[r.int(n.input.length)] = 'no_such_value';
    return `'${n.name}' reads a missing value`;
  } },
  duplicateOutput: { apply(m, r) {
    const n = r.pick(m.graph.node);
    const other = r.pick(definedNames(m.graph).filter((x) => !n.output.includes(x)));
    n.output[0] = other;
    return `'${n.name}' redefines '${other}'`;
  } },
  cycle: { apply(m, r) {
    const nodes = m.graph.node;
    const i = r.int(nodes.length - 1), j = i + 1 + r.int(nodes.length - 1 - i);
    const a = nodes[i];
    if (a.input.length === 0) a.input.push(nodes[j].output[0]);
    else a.input[r.int(a.input.length)] = nodes[j].output[0];
    return `'${a.name}' reads the output of later '${nodes[j].name}'`;
  } },
  shuffleNodes: { specInvalid: true, apply(m, r) {
    // A consumer moved before its producer: no longer in topological order.
    const nodes = m.graph.node;
    const producerOf = new Map(nodes.flatMap((n, i) => n.output.map((o) => [o, i])));
    const pairs = nodes.flatMap((n, i) => n.input.filter((x) => producerOf.has(x)).map((x) => [producerOf.get(x), i]));
    const [p, c] = r.pick(pairs);
    const [moved] = nodes.splice(c, 1);
    nodes.splice(p, 0, moved);
    return `'${moved.name}' moved before its producer`;
  } },
  wrongOpset: { apply(m, r) {
    const v = r.pick([1, 7, 11, 12, 13, 15, 16, 18, 19, 20, 21, 22, 99, -1, 2 ** 40]);
    if (r.next() < 0.2) { m.opsetImport[0].domain = r.pick(['ai.onnx.ml', 'com.microsoft', 'bogus']); return `opset domain ${m.opsetImport[0].domain}`; }
    m.opsetImport[0].version = v;
    return `opset ${v}`;
  } },
  irVersion: { apply(m, r) {
    m.irVersion = r.pick([0, 1, 2, 3, 9, 10, 11, 99, -5]);
    // ORT loads a zero or negative IR version; ONNX's checker does not.
    return { label: `ir_version ${m.irVersion}`, specInvalid: m.irVersion <= 0 };
  } },
  absurdAttribute: { apply(m, r) {
    const nodes = nodesWithAttrs(m.graph);
    if (nodes.length === 0) return 'no attributes';
    const n = r.pick(nodes), a = r.pick(n.attribute);
    if (a.type === AT.INT) a.i = r.pick([-(2 ** 40), -1000, -2, 2 ** 31, 2 ** 53, 1000]);
    else if (a.type === AT.FLOAT) a.f = r.pick([NaN, Infinity, -Infinity, -1, 1e38, 0]);
    else if (a.type === AT.INTS) a.ints = r.pick([[], [2 ** 40], [-100, 100], a.ints.concat(a.ints), [0, 0, 0, 0, 0, 0, 0, 0]]);
    else return `'${n.name}' attribute '${a.name}' left alone`;
    return `'${n.name}' attribute '${a.name}' absurd`;
  } },
  attributeType: { apply(m, r) {
    const nodes = nodesWithAttrs(m.graph);
    if (nodes.length === 0) return 'no attributes';
    const n = r.pick(nodes), a = r.pick(n.attribute);
    if (a.type === AT.INT) { a.type = AT.FLOAT; a.f = Number(a.i); } else if (a.type === AT.FLOAT) { a.type = AT.INT; a.i = Math.round(a.f); } else a.type = AT.STRING;
    return `'${n.name}' attribute '${a.name}' retyped`;
  } },
  repeatAttribute: { apply(m, r) {
    const nodes = nodesWithAttrs(m.graph);
    if (nodes.length === 0) return 'no attributes';
    const n = r.pick(nodes), a = r.pick(n.attribute);
    n.attribute.push(onnx.AttributeProto.fromObject(onnx.AttributeProto.toObject(a)));
    return `'${n.name}' attribute '${a.name}' twice`;
  } },
  unknownAttribute: { specInvalid: true, apply(m, r) {
    const n = r.pick(m.graph.node);
    n.attribute.push({ name: r.pick(['bogus', 'alpha', 'axes_', 'value']) + (n.attribute.some((a) => a.name === 'value') ? '_x' : ''), type: AT.INT, i: 1 });
    return `'${n.name}' gets an unknown attribute`;
  } },
  extraInput: { apply(m, r) {
    const n = r.pick(m.graph.node.filter((x) => x.input.length > 0));
    n.input.push(n.input[0]);
    return `'${n.name}' gets an extra input`;
  } },
  dropInput: { apply(m, r) {
    const n = r.pick(m.graph.node.filter((x) => x.input.length > 0));
    n.input.splice(r.int(n.input.length), 1);
    return `'${n.name}' loses an input`;
  } },
  emptyInputName: { apply(m, r) {
    const n = r.pick(m.graph.node.filter((x) => x.input.length > 0));
    n.input[r.int(n.input.length)] = '';
    return `'${n.name}' has an empty input`;
  } },
  swapInputs: { apply(m, r) {
    const n = r.pick(m.graph.node.filter((x) => x.input.length > 1));
    n.input.reverse();
    return `'${n.name}' inputs reversed`;
  } },
  wrongInitializerType: { apply(m, r) {
    const t = r.pick(m.graph.initializer.filter((x) => x.dataType === FLOAT && x.rawData?.length));
    if (!t) return 'no float initializer';
    t.dataType = r.pick([INT64, 11, 6, 10]); // the same bytes read as int64, double, int32, float16
    const bytes = { [INT64]: 8, 11: 8, 6: 4, 10: 2 }[t.dataType];
    t.dims = [Math.floor(t.rawData.length / bytes)];
    t.rawData = t.rawData.subarray(0, t.dims[0] * bytes);
    return `initializer '${t.name}' reinterpreted as type ${t.dataType}`;
  } },
  weightValues: { apply(m, r) {
    const t = r.pick(m.graph.initializer.filter((x) => x.dataType === FLOAT && x.rawData?.length >= 4));
    if (!t) return 'no float initializer';
    const copy = new Uint8Array(t.rawData);
    const view = new DataView(copy.buffer);
    // Values that keep float32 arithmetic finite: where ORT overflows float32 and llm2hls (float64 inside) does not, 1e-4 says nothing.
    const special = r.pick([0, -1, 100, 2.5, NaN]);
    for (let k = 0; k + 4 <= copy.length; k += 4) view.setFloat32(k, Number.isNaN(special) || r.next() < 0.5 ? special : view.getFloat32(k, true) * 3, true);
    t.rawData = copy;
    return `initializer '${t.name}' values changed (${special})`;
  } },
  hostileName: { apply(m, r) {
    const g = m.graph, name = r.pick(HOSTILE);
    if (r.next() < 0.5) { const n = r.pick(g.node); n.name = name; return `node name ${JSON.stringify(name).slice(0, 30)}`; }
    const from = r.pick(definedNames(g));
    renameValue(g, from, name);
    return `value '${from}' renamed ${JSON.stringify(name).slice(0, 30)}`;
  } },
  externalData: { external: true, apply(m, r, dir) {
    const t = r.pick(m.graph.initializer.filter((x) => x.rawData?.length > 0));
    if (!t) return 'no raw initializer';
    const bytes = t.rawData;
    fs.writeFileSync(path.join(dir, 'weights.bin'), bytes);
    const trick = r.pick(['valid', 'parent', 'absolute', 'missing', 'offset', 'length', 'symlink', 'negative', 'dir']);
    const entries = {
      valid: { location: 'weights.bin' },
      parent: { location: '../weights.bin' },
      absolute: { location: '/etc/passwd' },
      missing: { location: 'nope.bin' },
      offset: { location: 'weights.bin', offset: String(bytes.length) },
      length: { location: 'weights.bin', length: String(bytes.length + 4) },
      symlink: { location: 'link.bin' },
      negative: { location: 'weights.bin', offset: '-8' },
      dir: { location: '.' },
    }[trick];
    if (trick === 'symlink') fs.symlinkSync('/etc/hostname', path.join(dir, 'link.bin'));
    t.rawData = new Uint8Array();
    t.dataLocation = 1;
    t.externalData = Object.entries(entries).map(([key, value]) => ({ key, value }));
    return `initializer '${t.name}' external (${trick})`;
  } },
  hugeConstant: { apply(m, r) {
    const g = m.graph;
    const kind = r.pick(['cos40', 'cos31', 'rangeTiny', 'expand']);
    const out = `fuzz_${kind}`;
    if (kind === 'cos40' || kind === 'cos31') {
      g.initializer.push(int64Init('fuzz_shape', [kind === 'cos40' ? 2 ** 40 : 2 ** 31]));
      g.node.push({ opType: 'ConstantOfShape', name: 'fuzz_fill', input: ['fuzz_shape'], output: [out], attribute: [] });
    } else if (kind === 'rangeTiny') {
      g.initializer.push(floatScalar('fuzz_a', 0), floatScalar('fuzz_l', 1), floatScalar('fuzz_d', 1e-12));
      g.node.push({ opType: 'Range', name: 'fuzz_range', input: ['fuzz_a', 'fuzz_l', 'fuzz_d'], output: [out], attribute: [] });
    } else {
      g.initializer.push(floatScalar('fuzz_one', 1), int64Init('fuzz_shape', [65536, 65536]));
      g.node.push({ opType: 'Expand', name: 'fuzz_expand', input: ['fuzz_one', 'fuzz_shape'], output: [out], attribute: [] });
    }
    return `unused ${kind}`;
  } },
  nanRange: { specInvalid: true, apply(m) {
    const g = m.graph;
    g.initializer.push(floatScalar('fuzz_a', 0), floatScalar('fuzz_l', 1), floatScalar('fuzz_d', NaN));
    g.node.push({ opType: 'Range', name: 'fuzz_range', input: ['fuzz_a', 'fuzz_l', 'fuzz_d'], output: ['fuzz_r'], attribute: [] });
    return 'unused Range with a NaN step';
  } },
  noOutputs: { specInvalid: true, apply(m) { m.graph.output = []; return 'no graph outputs'; } },
  duplicateOpset: { specInvalid: true, apply(m, r) {
    m.opsetImport.push({ domain: r.pick(['', 'ai.onnx']), version: r.pick([13, 14, 17, 21]) });
    return 'two default-domain opset imports';
  } },
  duplicateInitializer: { specInvalid: true, apply(m, r) {
    const t = r.pick(m.graph.initializer);
    m.graph.initializer.push(onnx.TensorProto.fromObject(onnx.TensorProto.toObject(t)));
    return `initializer '${t.name}' twice`;
  } },
  twoGraphs: { twoGraphs: true, apply() { return 'the graph field twice'; } },
  deleteNode: { apply(m, r) {
    const [n] = m.graph.node.splice(r.int(m.graph.node.length), 1);
    return `node '${n.name}' deleted`;
  } },
};

const KINDS = Object.keys(MUTATIONS);

/** Builds mutant `index` of `seed` into `dir`: model.onnx and inputs/. */
function makeMutant(seed, index, dir) {
  const r = rng((seed * 0x9e3779b1 + index * 0x85ebca6b) >>> 0);
  const fixture = r.pick(FIXTURES);
  const kind = KINDS[r.int(KINDS.length)];
  const mutation = MUTATIONS[kind];
  fs.mkdirSync(path.join(dir, 'inputs'), { recursive: true });
  for (const f of fs.readdirSync(fixture.data).filter((f) => f.startsWith('input_'))) {
    fs.copyFileSync(path.join(fixture.data, f), path.join(dir, 'inputs', f));
  }
  const original = fs.readFileSync(fixture.model);
  let bytes, label, specInvalid = Boolean(mutation.specInvalid);
  if (mutation.bytes) {
    const copy = new Uint8Array(original);
    const result = mutation.apply(copy, r);
    [bytes, label] = typeof result === 'string' ? [copy, result] : [result.bytes, result.label];
  } else {
    const model = onnx.ModelProto.decode(original);
    const result = mutation.apply(model, r, dir);
    [label, specInvalid] = typeof result === 'string' ? [result, specInvalid] : [result.label, result.specInvalid];
    bytes = onnx.ModelProto.encode(model).finish();
    if (mutation.twoGraphs) {
      const graph = onnx.GraphProto.encode(model.graph).finish();
      bytes = Buffer.concat([bytes, Buffer.from([0x3a]), varint(graph.length), graph]);
    }
  }
  const model = path.join(dir, 'model.onnx');
  fs.writeFileSync(model, bytes);
  return { index, fixture, kind, label, specInvalid, model, inputs: path.join(dir, 'inputs'), dir };
}

function varint(n) {
  const out = [];
  for (; n > 127; n = Math.floor(n / 128)) out.push((n % 128) | 128);
  return Buffer.from([...out, n]);
}

// ---------------------------------------------------------------- child processes

/** Runs a command with a timeout and a resident-memory watchdog; never throws. */
function runChild(args, { cwd, input } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '', stderr = '', killed;
    child.stdout.on('data', (d) => { if (stdout.length < 1 << 22) stdout += d; });
    child.stderr.on('data', (d) => { if (stderr.length < 1 << 20) stderr += d; });
    const kill = (why) => { killed ??= why; child.kill('SIGKILL'); };
    const timer = setTimeout(() => kill('timeout'), LIMITS.timeoutMs);
    const watch = setInterval(() => { if (rssMb(child.pid) > LIMITS.rssMb) kill('memory'); }, 200);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(watch);
      resolve({ code, signal, killed, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

const llm2hls = (args, cwd) => runChild([`--max-old-space-size=${LIMITS.heapMb}`, BIN, ...args], { cwd });

// ---------------------------------------------------------------- the ONNX Runtime oracle

/** The worker: for each line {model, inputs} on stdin, runs the model in ORT and prints one JSON line. */
async function ortWorker() {
  const ort = await import('onnxruntime-node');
  const { readTensorDir } = await import(path.join(DIST, 'frontend', 'tensor-files.js'));
  const TYPES = { float32: 'float32', int64: 'int64', int32: 'int32', int8: 'int8', uint8: 'uint8', bool: 'bool', float64: 'float64' };
  const say = (v) => process.stdout.write(`${JSON.stringify(v)}\n`);
  const runOne = async ({ model, inputs }) => {
    let session;
    try {
      // Without graph optimizations: ORT's LayerNorm fusion also fires on Sub, Div or Pow with their inputs swapped.
      session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'disabled' });
    } catch (e) {
      return { stage: 'load', error: String(e.message).split('\n')[0].slice(0, 300) };
    }
    try {
      const tensors = readTensorDir(inputs).map((t) => t.tensor);
      const feeds = {};
      session.inputNames.forEach((name, i) => {
        const t = tensors[i];
        if (!t) return;
        const values = t.toArray();
        const data = t.dtype === 'int64' ? BigInt64Array.from(values, (x) => BigInt(x)) : t.dtype === 'bool' ? Uint8Array.from(values) : t.data;
        feeds[name] = new ort.Tensor(TYPES[t.dtype], data, [...t.shape]);
      });
      const result = await session.run(feeds);
      // NaN and the infinities travel as strings: JSON would turn them into null.
      const number = (x) => (typeof x === 'bigint' ? Number(x) : Number.isFinite(x) ? x : String(x));
      const outputs = session.outputNames.map((n) => ({ dims: [...result[n].dims], data: Array.from(result[n].data, number) }));
      return { stage: 'ran', outputs };
    } catch (e) {
      return { stage: 'run', error: String(e?.message ?? e).split('\n')[0].slice(0, 300) };
    } finally {
      await session.release();
    }
  };
  for await (const line of readLines(process.stdin)) say(await runOne(JSON.parse(line)));
}

async function* readLines(stream) {
  let buffered = '';
  for await (const chunk of stream) {
    buffered += chunk;
    let at;
    while ((at = buffered.indexOf('\n')) >= 0) {
      yield buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
    }
  }
}

/**
 * One long-lived ORT worker process (loading ORT costs more than most
 * mutants), replaced when it hangs, dies or grows past the memory limit.
 */
class OrtOracle {
  ask(model, inputs) {
    this.worker ??= this.start();
    const w = this.worker;
    return new Promise((resolve) => {
      const done = (v) => { clearTimeout(timer); clearInterval(watch); w.pending = undefined; resolve(v); };
      const fail = (why) => { w.child.kill('SIGKILL'); this.worker = undefined; done({ stage: 'died', error: why }); };
      const timer = setTimeout(() => fail('timeout'), LIMITS.timeoutMs);
      const watch = setInterval(() => { if (rssMb(w.child.pid) > LIMITS.rssMb) fail('memory'); }, 200);
      w.pending = { done, fail };
      w.child.stdin.write(`${JSON.stringify({ model, inputs })}\n`);
    });
  }

  start() {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--ort-worker'], { stdio: ['pipe', 'pipe', 'ignore'] });
    const w = { child, pending: undefined };
    (async () => {
      for await (const line of readLines(child.stdout)) {
        let v;
        try { v = JSON.parse(line); } catch { continue; }
        w.pending?.done(v);
      }
    })();
    child.on('exit', (code, signal) => {
      if (this.worker === w) this.worker = undefined;
      w.pending?.fail(`ORT exited ${code ?? signal}`);
    });
    child.stdin.on('error', () => {});
    return w;
  }

  stop() { this.worker?.child.kill('SIGKILL'); }
}

/**
 * ORT errors that say nothing about the model's validity: no CPU kernel for
 * a type, out of memory, and its LayerNormalization kernel's limit on Scale
 * shapes (the ONNX function body broadcasts Scale and B; ORT requires them to
 * be X.shape[axis:]).
 */
const ORT_CANNOT_TELL = /NOT_IMPLEMENTED|Could not find an implementation|Failed to find kernel|bad_alloc|Size of scale and bias \(if provided\) must match/;

/** ORT's verdict on a mutant: 'ran' (with outputs), 'refused-load', 'refused-run', or 'unknown' (no kernel, crash, memory). */
async function oracle(ort, m) {
  const v = await ort.ask(m.model, m.inputs);
  if (v.stage === 'ran') return { verdict: 'ran', outputs: v.outputs.map((o) => ({ dims: o.dims, data: o.data.map(Number) })) };
  if (v.stage === 'died' || ORT_CANNOT_TELL.test(v.error)) return { verdict: 'unknown', why: v.error };
  return { verdict: v.stage === 'load' ? 'refused-load' : 'refused-run', why: v.error };
}

// ---------------------------------------------------------------- checking one mutant

/**
 * Where ONNX Runtime runs a model that ONNX's checker refuses, llm2hls sides
 * with the checker: nodes out of topological order (ORT sorts them), unknown
 * or missing value attributes on Constant and unknown attributes on
 * LayerNormalization (ORT does not check them), a zero or negative IR version,
 * an axis outside [-rank, rank-1] (the spec's range; ORT's Softmax runs anyway),
 * a graph input or output declaring a negative dimension (ORT ignores the declaration).
 * And by design it reads external data only from inside the model's folder
 * (ORT follows absolute paths and links anywhere). Such refusals are listed
 * as stricterThanOrt, not counted as disagreements.
 */
const ONNX_STRICTER = [
  /ONNX requires nodes in topological order/,
  /\(Constant\): (unknown attribute|needs exactly one of)/,
  /\(LayerNormalization\): unknown attribute/,
  /no IR version/,
  /axis -?\d+ is out of range for rank/,
  /declares dim \d+ as -\d+: a dimension is a size >= 0/,
  /outside the model's folder .*; refusing to read it/,
];


function listFiles(dir, skip) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (skip.includes(p)) continue;
      out.push(path.relative(dir, p));
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * max |a - b| / max |b| over the finite pairs, and whether a value is finite
 * on one side only. NaN matches NaN, an infinity only itself.
 */
function compareValues(actual, expected) {
  let err = 0, scale = 0, finiteOnOneSide = false;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], b = expected[i];
    if (Number.isFinite(a) && Number.isFinite(b)) {
      err = Math.max(err, Math.abs(a - b));
      scale = Math.max(scale, Math.abs(b));
    } else if (!Object.is(a, b) && !(Number.isNaN(a) && Number.isNaN(b))) {
      if (Number.isFinite(a) !== Number.isFinite(b)) finiteOnOneSide = true;
      else err = Infinity;
    }
  }
  return { error: scale > 0 ? err / scale : err, finiteOnOneSide };
}

async function compareOutputs(outDir, reference) {
  const { readTensorDir } = await import(path.join(DIST, 'frontend', 'tensor-files.js'));
  let ours;
  try { ours = readTensorDir(outDir, 'output').map((t) => t.tensor); } catch (e) { return { diff: `outputs unreadable: ${e.message}` }; }
  if (ours.length !== reference.length) return { diff: `${ours.length} outputs, ORT gives ${reference.length}` };
  let overflow;
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i], b = reference[i];
    if (a.shape.join(',') !== b.dims.join(',')) return { diff: `output ${i} has shape [${a.shape}], ORT [${b.dims}]` };
    const { error, finiteOnOneSide } = compareValues(a.toArray(), b.data);
    if (!(error <= TOLERANCE)) return { diff: `output ${i} differs from ORT by ${error.toPrecision(3)} (relative)` };
    if (finiteOnOneSide) overflow = `output ${i} is finite on one side only`;
  }
  return overflow ? { overflow } : undefined;
}

/** Everything wrong with how one command behaved, whatever the oracle says. */
function robustness(cmd, r, problems) {
  const at = (what, detail) => problems.push({ category: what, detail: `${cmd}: ${detail}` });
  if (r.killed === 'timeout') return at('hangs', `no answer in ${LIMITS.timeoutMs / 1000} s`);
  if (r.killed === 'memory') return at('crashes', `resident memory above ${LIMITS.rssMb} MB`);
  if (r.signal || ![0, 1, 2, 3, 4, 5, 70].includes(r.code)) return at('crashes', `exit ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').pop()}`);
  if (r.code === 70 || /\n\s+at /.test(r.stderr)) return at('internalErrors', r.stderr.trim().split('\n')[0]);
  if (r.code !== 0 && r.stderr.trim().split('\n').length !== 1) at('untidyErrors', `${r.stderr.trim().split('\n').length} lines on stderr`);
}

async function check(m, ort) {
  const runOut = path.join(m.dir, 'run-out'), project = path.join(m.dir, 'project');
  const before = listFiles(m.dir, []);
  const bind = (m.fixture.bind ?? []).flatMap((b) => ['--bind', b]);
  const results = {
    inspect: await llm2hls(['inspect', m.model, ...bind], m.dir),
    run: await llm2hls(['run', m.model, '--inputs', m.inputs, '--out', runOut], m.dir),
    compile: await llm2hls(['compile', m.model, '-o', project, ...bind], m.dir),
  };
  const verdict = await oracle(ort, m);
  const problems = [];
  for (const [cmd, r] of Object.entries(results)) robustness(cmd, r, problems);

  const after = listFiles(m.dir, [runOut, project]);
  const stray = after.filter((f) => !before.includes(f));
  if (stray.length) problems.push({ category: 'strayWrites', detail: `wrote ${stray.slice(0, 3).join(', ')} outside --out` });
  if (results.run.code !== 0 && fs.existsSync(runOut)) problems.push({ category: 'strayWrites', detail: 'run failed but left its --out folder' });
  if (results.compile.code !== 0 && fs.existsSync(project)) problems.push({ category: 'strayWrites', detail: 'compile failed but left its project folder' });

  const refused = (code) => code === 1 || code === 3;
  const disagree = (detail) => problems.push({ category: 'disagreements', detail });
  const summary = (cmd) => `${cmd} exit ${results[cmd].code}${results[cmd].stderr ? `: ${results[cmd].stderr.trim().split('\n')[0].slice(0, 160)}` : ''}`;
  if (m.specInvalid || verdict.verdict === 'refused-load') {
    const why = m.specInvalid ? 'invalid by the ONNX spec' : `ORT refuses it (${verdict.why.slice(0, 120)})`;
    for (const cmd of ['inspect', 'run', 'compile']) if (!refused(results[cmd].code)) disagree(`${why}, but ${summary(cmd)}`);
  } else if (verdict.verdict === 'refused-run') {
    if (!refused(results.run.code)) disagree(`ORT cannot run it (${verdict.why.slice(0, 120)}), but ${summary('run')}`);
  } else if (verdict.verdict === 'ran') {
    if (ONNX_STRICTER.some((re) => re.test(results.run.stderr)) && results.run.code === 1) {
      problems.push({ category: 'stricterThanOrt', detail: results.run.stderr.trim().split('\n')[0].slice(0, 200), benign: true });
    } else {
      if (results.run.code === 0) {
        const c = await compareOutputs(runOut, verdict.outputs);
        if (c?.diff) disagree(`ORT runs it; ${c.diff}`);
        else if (c?.overflow) problems.push({ category: 'float32Overflow', detail: c.overflow, benign: true });
      } else if (results.run.code !== 3) disagree(`ORT runs it, but ${summary('run')}`);
      if (results.inspect.code === 1) disagree(`ORT runs it, but ${summary('inspect')}`);
    }
  }
  return { ...m, ort: verdict.verdict, exits: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.code ?? r.signal])), problems };
}

// ---------------------------------------------------------------- main

function parseArgs(argv) {
  const opts = { count: 100, seed: 1, jobs: 2, only: undefined, keep: undefined, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = argv[i + 1];
    const num = () => { i++; const n = Number(v); if (!Number.isSafeInteger(n) || n < 0) usage(`${a} needs a non-negative integer`); return n; };
    if (a === '--count') opts.count = num();
    else if (a === '--seed') opts.seed = num();
    else if (a === '--jobs') opts.jobs = Math.max(1, num());
    else if (a === '--only') opts.only = num();
    else if (a === '--keep') { opts.keep = path.resolve(v ?? usage('--keep needs a folder')); i++; }
    else if (a === '--json') opts.json = true;
    else usage(`unknown argument ${a}`);
  }
  return opts;
}

function usage(message) {
  process.stderr.write(`fuzz.mjs: ${message}\nusage: node scripts/fuzz.mjs --count N --seed S [--jobs J] [--only I] [--keep DIR] [--json]\n`);
  process.exit(2);
}

const CATEGORIES = ['internalErrors', 'hangs', 'crashes', 'untidyErrors', 'strayWrites', 'disagreements'];

async function main() {
  if (process.argv[2] === '--ort-worker') return ortWorker();
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(DIST, 'compiler', 'cli.js'))) usage('dist/ is missing: run npx tsc -p tsconfig.json first');
  ({ onnx } = await import(path.join(DIST, 'frontend', 'onnx-proto.js')));
  const base = opts.keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'llm2hls-fuzz-'));
  fs.mkdirSync(base, { recursive: true });
  const indices = opts.only !== undefined ? [opts.only] : [...Array(opts.count).keys()];
  const results = [];
  let next = 0;
  const started = Date.now();
  const worker = async () => {
    const ort = new OrtOracle();
    while (next < indices.length) {
      const index = indices[next++];
      const dir = path.join(base, `mutant-${index}`);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      let mutant;
      try {
        mutant = makeMutant(opts.seed, index, dir);
      } catch (e) {
        // A mutation that does not apply to this fixture (no such node ...) is skipped, deterministically.
        results.push({ index, skipped: `${e.message}` });
        continue;
      }
      const result = await check(mutant, ort);
      results.push(result);
      if (!opts.json) {
        for (const p of result.problems.filter((x) => !x.benign)) process.stderr.write(`mutant ${index} (${result.fixture.name}, ${result.kind}: ${result.label}) ${p.category}: ${p.detail}\n`);
      }
      if (!opts.keep && result.problems.every((p) => p.benign)) fs.rmSync(dir, { recursive: true, force: true });
    }
    ort.stop();
  };
  await Promise.all(Array.from({ length: Math.min(opts.jobs, indices.length) }, worker));
  const checked = results.filter((r) => !r.skipped);
  const counts = Object.fromEntries([...CATEGORIES, 'stricterThanOrt', 'float32Overflow'].map((c) => [c, checked.filter((r) => r.problems.some((p) => p.category === c)).length]));
  const failing = checked.filter((r) => r.problems.some((p) => !p.benign));
  const verdicts = {};
  for (const r of checked) verdicts[r.ort] = (verdicts[r.ort] ?? 0) + 1;
  const report = {
    seed: opts.seed, mutants: indices.length, checked: checked.length, skipped: results.length - checked.length,
    seconds: Math.round((Date.now() - started) / 1000), ort: verdicts, ...counts,
    benign: checked.filter((r) => r.problems.some((p) => p.benign)).map((r) => ({ index: r.index, kind: r.kind, label: r.label, ...r.problems.find((p) => p.benign) })),
    failing: failing.map((r) => ({ index: r.index, fixture: r.fixture.name, kind: r.kind, label: r.label, problems: r.problems })),
  };
  if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    process.stdout.write(`fuzz seed ${opts.seed}: ${report.checked} mutants checked (${report.skipped} skipped) in ${report.seconds} s; ORT: ${Object.entries(verdicts).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
    process.stdout.write(`${CATEGORIES.map((c) => `${c} ${counts[c]}`).join(', ')}, stricterThanOrt ${counts.stricterThanOrt} (refused by design where ORT is lenient), float32Overflow ${counts.float32Overflow}\n`);
    if (report.failing.length) process.stdout.write(`failing mutants kept in ${base}; rerun one with --seed ${opts.seed} --only I --keep DIR\n`);
  }
  if (!opts.keep && report.failing.length === 0) fs.rmSync(base, { recursive: true, force: true });
  process.exitCode = report.failing.length ? 1 : 0;
}

await main();
