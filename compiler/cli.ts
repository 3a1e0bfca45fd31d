/**
 * The `llm2hls` command line. Each command is a thin layer over the API in
 * index.ts; errors caused by the user print one line and exit non-zero,
 * anything else is reported as an internal error (trace with --verbose).
 */
import { Command, CommanderError, Option } from 'commander';
import chalk from 'chalk';
import { UserError } from './errors.js';
import { inspectModel } from './inspect.js';
import { formatInspect } from './report.js';
import { runModel, writeOutputs } from './run.js';
import { parseBindings } from '../frontend/bind.js';
import { formatEstimate, planModel } from './estimate.js';
import { printDataflow } from './dataflow/text.js';
import { printGraph } from './graph-text.js';
import { deviceNames } from './devices/index.js';
import { progressBar, stepProgress } from './progress.js';
import { DEFAULT_DEVICE, DEFAULT_PRECISION, compileModel } from '../backend-hls/compile.js';
import { TargetName } from '../backend-hls/dialect.js';
import { SimMode, simulate } from '../runtime/csim.js';
import { PRECISIONS, PrecisionName } from './numerics/precision.js';
import { generate } from './generate.js';
import { runModelQuantized } from './numerics/run-quantized.js';
import { readTensorDir } from '../frontend/tensor-files.js';

const collect = (value: string, previous: string[]) => [...previous, value];


function buildProgram(out: (s: string) => void): Command {
  const program = new Command('llm2hls')
    .description('Compile transformer ONNX models into FPGA dataflow accelerators')
    .option('--verbose', 'show stack traces for errors')
    .showHelpAfterError()
    .exitOverride();

  program.command('inspect')
    .description('show what a model holds and whether every op is supported (exit 0 only if so)')
    .argument('<model>', 'ONNX model file')
    .option('--json', 'print one JSON object')
    .option('--bind <name=value>', 'bind a symbolic dimension (repeatable)', collect, [])
    .action((model: string, opts: { json?: boolean; bind: string[] }) => {
      const report = inspectModel(model, { bindings: parseBindings(opts.bind) });
      out(opts.json ? JSON.stringify(report, null, 2) : formatInspect(report));
      if (!report.supported) process.exitCode = 3;
    });

  program.command('run')
    .description('run the golden interpreter on input tensors (input_0.pb ... or .npy)')
    .argument('<model>', 'ONNX model file')
    .requiredOption('--inputs <dir>', 'folder with input_0.pb, input_1.pb ... in graph-input order')
    .requiredOption('--out <dir>', 'folder to write output_0.pb ... into')
    .addOption(new Option('--precision <p>', 'numeric precision').choices(Object.keys(PRECISIONS)).default('fp32'))
    .option('--bind <name=value>', 'bind a symbolic dimension (repeatable)', collect, [])
    .option('--json', 'print the summary as JSON')
    .option('--calibrate <dir>', 'calibration inputs for quantized precisions (default: the model\'s own test inputs, else random token ids)')
    .action((model: string, opts: { inputs: string; out: string; precision: string; bind: string[]; json?: boolean; calibrate?: string }) => {
      const started = performance.now();
      let outputs;
      if (opts.precision === 'fp32') {
        if (opts.calibrate) throw new UserError('--calibrate applies to quantized precisions (w8a16, w8a8, w4a16), not fp32');
        const progress = progressBar('running nodes');
        outputs = runModel(model, opts.inputs, { bindings: parseBindings(opts.bind), onNode: (i, n) => progress.update(i + 1, n) });
        progress.stop();
      } else {
        const inputs = readTensorDir(opts.inputs).map((t) => t.tensor);
        outputs = runModelQuantized(model, inputs, opts.precision as PrecisionName, { bindings: parseBindings(opts.bind), calibrateDir: opts.calibrate }).outputs;
      }
      const files = writeOutputs(opts.out, outputs);
      const seconds = (performance.now() - started) / 1000;
      const summary = outputs.map((o, i) => ({ name: o.name, dtype: o.tensor.dtype, shape: [...o.tensor.shape], file: files[i] }));
      if (opts.json) out(JSON.stringify({ model, precision: opts.precision, seconds, outputs: summary }, null, 2));
      else {
        for (const s of summary) out(`${s.name}: ${s.dtype}[${s.shape.join(', ')}] -> ${s.file}`);
        out(chalk.dim(`ran ${model} (${opts.precision} ${opts.precision === 'fp32' ? 'graph' : 'dataflow'} golden) in ${seconds.toFixed(2)} s`));
      }
    });

  program.command('compile')
    .description('compile a model into an HLS C++ project (Vitis HLS or Bambu): kernels, testbench, weights, Makefile, TCL')
    .argument('<model>', 'ONNX model file')
    .requiredOption('-o, --out <dir>', 'project directory to write (replaced atomically)')
    .addOption(new Option('--target <t>', 'HLS tool').choices(['vitis', 'bambu']).default('vitis'))
    .option('--device <d>', 'device (compiler/devices/*.json)', DEFAULT_DEVICE)
    .addOption(new Option('--precision <p>', 'numeric precision (w8a16: the hardware default; fp32 to check structure)').choices(Object.keys(PRECISIONS)).default(DEFAULT_PRECISION))
    .option('--config <file>', 'JSON overrides: precision, parallelism, fifoDepth, weightPlacement per model / layer type / layer')
    .option('--calibrate <dir>', 'calibration inputs for fixed-point precisions (default: the model\'s own test inputs, else random ids)')
    .option('--bind <name=value>', 'bind a symbolic dimension (repeatable)', collect, [])
    .option('--force', 'replace a non-empty directory that llm2hls did not create')
    .option('--json', 'print the summary as JSON')
    .action(async (model: string, opts: { out: string; target: string; device: string; precision: string; config?: string; calibrate?: string; bind: string[]; force?: boolean; json?: boolean }) => {
      const progress = stepProgress({ 'writing weights': 1 << 20, calibrating: 50, quantizing: 50, planning: 1 });
      let result;
      try {
        result = await compileModel(model, opts.out, {
          target: opts.target as TargetName, device: opts.device, precision: opts.precision, config: opts.config, calibrate: opts.calibrate,
          bindings: parseBindings(opts.bind), force: opts.force, onProgress: progress.update,
        });
      } finally {
        progress.stop();
      }
      if (opts.json) out(JSON.stringify(result, null, 2));
      else {
        out(`${result.dir}: ${result.target} project, top function ${result.top}, ${result.kernels} kernels (${result.tasks} tasks), ${(result.weightBytes / 1e6).toFixed(2)} MB of weights`);
        out(chalk.dim(`compiled ${model} (${result.precision}, ${result.device}) in ${result.seconds.toFixed(2)} s; next: llm2hls sim ${opts.out} --mode csim --inputs DIR --out DIR`));
      }
    });

  program.command('sim')
    .description('simulate a compiled project (csim: g++ C simulation; csim-threads: one thread per task, FIFOs bounded to their depths, deadlock watchdog) and check it against the golden model (exit 6 on a miss)')
    .argument('<dir>', 'project directory written by llm2hls compile')
    .addOption(new Option('--mode <m>', 'simulation').choices(['csim', 'csim-threads', 'verilator', 'cocotb']).default('csim'))
    .requiredOption('--inputs <dir>', 'folder with input_0.pb, input_1.pb ... in graph-input order')
    .requiredOption('--out <dir>', 'folder to write output_0.pb ... into')
    .option('--model <file>', 'model for the golden reference (default: the one the project was compiled from; it must be that model)')
    .option('--tol <x>', 'fp32: largest error passed, relative to the output scale (default 1e-3); fixed point passes only bit-exact')
    .option('--json', 'print the figures and the verdict as JSON')
    .action(async (dir: string, opts: { mode: string; inputs: string; out: string; model?: string; tol?: string; json?: boolean }) => {
      const tol = opts.tol === undefined ? undefined : Number(opts.tol);
      if (tol !== undefined && !(tol >= 0 && Number.isFinite(tol) && opts.tol!.trim() !== '')) throw new UserError(`--tol ${opts.tol}: expected a non-negative number (relative to the output scale)`, 2);
      const step = process.stderr.isTTY ? (s: string) => process.stderr.write(chalk.dim(`${s}...\n`)) : undefined;
      const result = await simulate(dir, { mode: opts.mode as SimMode, inputs: opts.inputs, out: opts.out, model: opts.model, tol, onStep: step });
      if (opts.json) out(JSON.stringify(result, null, 2));
      else {
        for (const o of result.outputs) {
          const figures = o.maxAbsError === undefined ? '(no reference)'
            : `max error ${o.maxAbsError.toExponential(3)} (${o.maxRelError!.toExponential(3)} of the output scale), cosine ${o.cosine!.toFixed(6)}${o.top1 === undefined ? '' : `, top-1 ${(o.top1 * 100).toFixed(1)}%`}`;
          const exact = o.mismatches === undefined ? '' : o.mismatches === 0 ? '; bit-exact with the quantized golden model' : `; ${o.mismatches} element(s) differ from the quantized golden model (up to ${o.maxLsbError} LSB)`;
          out(`${o.name}: [${o.shape.join(', ')}] -> ${o.file}  ${figures}${exact}`);
        }
        const criterion = result.tolerance === undefined ? 'bit-exact' : `within ${result.tolerance} of the output scale`;
        out(chalk.dim(`${result.mode} (${result.precision}) of ${result.dir}: build ${result.buildSeconds.toFixed(1)} s, run ${result.runSeconds.toFixed(2)} s; reference: ${result.reference}; ${result.passed ? `passed (${criterion})` : 'FAILED'}`));
      }
      if (!result.passed) throw new UserError(result.failure!, 6);
    });

  program.command('estimate')
    .description('plan the dataflow accelerator for a device: latency, throughput, resources, roofline')
    .argument('<model>', 'ONNX model file')
    .requiredOption('--device <d>', `target device (${deviceNames().join(', ')})`)
    .addOption(new Option('--precision <p>', 'numeric precision').choices(Object.keys(PRECISIONS)).default('w8a16'))
    .option('--json', 'print one JSON object')
    .option('--bind <name=value>', 'bind a symbolic dimension (repeatable)', collect, [])
    .option('--clock <mhz>', 'clock in MHz (default: the device\'s)')
    .option('--print-ir-after <pass>', 'print the IR after a fusion or planning pass, or lower, or all (repeatable)', collect, [])
    .option('--time-passes', 'print the wall time of every pass')
    .addOption(new Option('--emit <what>', 'print the fused graph IR or the planned dataflow IR instead of the report').choices(['graph', 'dataflow']))
    .action((model: string, opts: { device: string; precision: string; json?: boolean; bind: string[]; clock?: string; printIrAfter: string[]; timePasses?: boolean; emit?: string }) => {
      const clockMHz = opts.clock === undefined ? undefined : Number(opts.clock);
      if (clockMHz !== undefined && !(clockMHz > 0)) throw new UserError(`--clock ${opts.clock}: expected a positive number of MHz`);
      const { report, graph, dataflow } = planModel(model, {
        device: opts.device, precision: opts.precision, bindings: parseBindings(opts.bind), clockMHz,
        printIrAfter: opts.printIrAfter, timePasses: opts.timePasses,
      });
      if (opts.emit === 'graph') out(printGraph(graph).trimEnd());
      else if (opts.emit === 'dataflow') out(printDataflow(dataflow).trimEnd());
      else if (opts.json) { const { passes: _passes, ...rest } = report; out(JSON.stringify(rest, null, 2)); }
      else out(formatEstimate(report));
      if (!report.fits) process.exitCode = 5;
    });

  program.command('generate')
    .description('greedy token generation on a golden model (KV-cache decoders step one token at a time)')
    .argument('<model>', 'ONNX decoder (with past_*/present_* KV cache, or a dynamic sequence axis)')
    .requiredOption('--prompt-ids <ids>', 'comma-separated prompt token ids, e.g. 3,14,15')
    .requiredOption('--max-new-tokens <n>', 'how many tokens to generate')
    .addOption(new Option('--mode <m>', 'where the model runs').choices(['golden', 'csim', 'verilator']).default('golden'))
    .addOption(new Option('--precision <p>', 'golden model precision').choices(Object.keys(PRECISIONS)).default('fp32'))
    .option('--json', 'print one JSON object')
    .action((model: string, opts: { promptIds: string; maxNewTokens: string; mode: string; precision: string; json?: boolean }) => {
      if (opts.mode !== 'golden') {
        throw new UserError(`generate --mode ${opts.mode}: generation on a simulated accelerator is not built yet; use --mode golden`, 4);
      }
      const promptIds = opts.promptIds.split(',').map((t) => t.trim()).filter(Boolean).map((t) => {
        if (!/^\d+$/.test(t)) throw new UserError(`--prompt-ids: '${t}' is not a token id (non-negative integer)`);
        return Number(t);
      });
      if (!/^\d+$/.test(opts.maxNewTokens)) throw new UserError(`--max-new-tokens: '${opts.maxNewTokens}' is not a positive integer`);
      const result = generate(model, {
        promptIds, maxNewTokens: Number(opts.maxNewTokens), precision: opts.precision as PrecisionName,
        onToken: opts.json ? undefined : (t) => process.stdout.write(`${t} `),
      });
      if (opts.json) out(JSON.stringify(result, null, 2));
      else {
        process.stdout.write('\n');
        out(chalk.dim(`${result.generated.length} tokens from ${model} (${result.precision} golden${result.kvCache ? ', KV cache' : ''}) in ${result.seconds.toFixed(2)} s`));
      }
    });

  return program;
}

export async function main(argv: string[], out: (s: string) => void = (s) => console.log(s)): Promise<number> {
  const program = buildProgram(out);
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2; // commander already printed the message
    if (e instanceof UserError) {
      console.error(chalk.red(`llm2hls: error: ${e.message}`));
      if (verbose) console.error(e.stack);
      return e.exitCode;
    }
    const err = e as Error;
    console.error(chalk.red(`llm2hls: internal error: ${err?.message ?? String(e)}`) + (verbose ? '' : ' (rerun with --verbose for a trace)'));
    if (verbose) console.error(err?.stack);
    return 70;
  }
}
