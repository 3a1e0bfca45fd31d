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
import { progressBar } from './progress.js';
import { PrecisionName } from './numerics/precision.js';
import { runModelQuantized } from './numerics/run-quantized.js';
import { readTensorDir } from '../frontend/tensor-files.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** Commands of the design that later work will build; they say so instead of pretending. */
const NOT_BUILT: Record<string, string> = {
  estimate: 'estimate MODEL --device D: the dataflow planner and resource estimator are not built yet',
  compile: 'compile MODEL -o DIR: the HLS C++ and Verilog backends are not built yet',
  sim: 'sim DIR --mode csim|verilator|cocotb: simulation needs a compiled project, and compile is not built yet',
  generate: 'generate MODEL --prompt-ids ...: token generation on the accelerator is not built yet',
};

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
    .addOption(new Option('--precision <p>', 'numeric precision').choices(['fp32', 'w8a16', 'w8a8', 'w4a16']).default('fp32'))
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
        out(chalk.dim(`ran ${model} (${opts.precision} golden) in ${seconds.toFixed(2)} s`));
      }
    });

  for (const [name, text] of Object.entries(NOT_BUILT)) {
    program.command(name, { hidden: false })
      .description(`(not built yet) ${text.split(':')[0]}`)
      .allowUnknownOption()
      .argument('[args...]')
      .action(() => { throw new UserError(`llm2hls ${text}. Available now: inspect, run.`, 4); });
  }
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
