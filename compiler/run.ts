/** `llm2hls run`: the golden interpreter on a model and a folder of inputs. */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from './errors.js';
import { Graph } from './graph.js';
import { interpret, InterpretOptions } from './interpreter.js';
import { prepareGraph } from './model.js';
import { Tensor } from './tensor.js';
import { loadOnnxFile } from '../frontend/onnx-load.js';
import { Bindings, bindingsFromInputs } from '../frontend/bind.js';
import { readTensorDir, writeTensorPb } from '../frontend/tensor-files.js';

export interface NamedOutput { name: string; tensor: Tensor }

export interface RunOptions extends InterpretOptions {
  bindings?: Bindings;
}

/** Runs an already loaded graph on input tensors (in graph-input order). */
export function runGraph(graph: Graph, inputs: readonly Tensor[], options: RunOptions = {}): NamedOutput[] {
  const bindings = bindingsFromInputs(graph, inputs, options.bindings);
  prepareGraph(graph, { bindings });
  const outputs = interpret(graph, inputs, options);
  return graph.outputs.map((o, i) => ({ name: o.name, tensor: outputs[i] }));
}

/** Loads MODEL, reads INPUTS_DIR (input_0.pb ... or .npy) and runs the golden interpreter. */
export function runModel(modelPath: string, inputsDir: string, options: RunOptions = {}): NamedOutput[] {
  const graph = loadOnnxFile(modelPath);
  const inputs = readTensorDir(inputsDir).map((t) => t.tensor);
  if (inputs.length === 0 && graph.inputs.length > 0) {
    throw new UserError(`${inputsDir}: no input_0.pb or input_0.npy found (the model takes ${graph.inputs.map((i) => `'${i.name}'`).join(', ')})`);
  }
  return runGraph(graph, inputs, options);
}

/**
 * Fails, creating nothing, when OUT_DIR cannot be a folder: it is a file, or
 * a file sits on its path. Commands call it before their long work so that a
 * wrong --out fails fast (a failed run leaves no folder behind). With
 * INPUTS_DIR, OUT_DIR may not be that folder (run would overwrite its
 * reference output_0.pb ...).
 */
export function checkOutputDir(outDir: string, inputsDir?: string): void {
  const target = path.resolve(outDir);
  if (inputsDir !== undefined && sameFolder(target, path.resolve(inputsDir))) {
    throw new UserError(`--out ${outDir} is the --inputs folder: writing output_0.pb ... there could overwrite its reference outputs; choose another --out folder`);
  }
  for (let p = target; ; p = path.dirname(p)) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(p, { throwIfNoEntry: false });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOTDIR') throw e; // a file further up: keep climbing to name it
    }
    if (stat) {
      if (stat.isDirectory()) return;
      throw new UserError(p === target ? `${outDir}: is a file, not a folder (outputs go into a folder)` : `${outDir}: ${p} is a file, not a folder`);
    }
    if (path.dirname(p) === p) return;
  }
}

/** Whether two paths name one folder (through symlinks, once both exist). */
function sameFolder(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false; // one of them does not exist yet
  }
}

/** Creates the output folder OUT_DIR and its parents, as checkOutputDir allows. */
export function ensureOutputDir(outDir: string): void {
  checkOutputDir(outDir);
  try {
    fs.mkdirSync(outDir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new UserError(`${outDir}: cannot create the output folder (${code === 'EROFS' ? 'read-only file system' : 'permission denied'})`);
    throw e;
  }
}

/**
 * Writes output_0.pb ... into OUT_DIR. Each file is written under a temporary
 * name and renamed, so an interrupted run never leaves a file that looks complete.
 */
export function writeOutputs(outDir: string, outputs: readonly NamedOutput[]): string[] {
  ensureOutputDir(outDir);
  return outputs.map((o, i) => {
    const file = path.join(outDir, `output_${i}.pb`);
    const tmp = `${file}.partial`;
    writeTensorPb(tmp, o.tensor, o.name);
    fs.renameSync(tmp, file);
    return file;
  });
}
