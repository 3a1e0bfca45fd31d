/**
 * The `llm2hls` command line. Each command is a thin layer over the API in
 * index.ts; errors caused by the user print one line and exit non-zero,
 * anything else is reported as an internal error (trace with --verbose).
 * Exit codes: 1 for bad input, including a bad option value (unknown device,
 * precision, pass name, a malformed number); 2 for a command line commander
 * cannot parse (unknown command or option, missing argument). docs/cli.md
 * lists them all, and the JSON every command prints.
 */
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import chalk from 'chalk';
import { UserError } from './errors.js';
import { formatBytes, printable } from './format.js';
import { inspectModel } from './inspect.js';
import { formatInspect } from './report.js';
import { checkOutputDir, runModel, writeOutputs } from './run.js';
import { parseBindings } from '../frontend/bind.js';
import { formatEstimate, irPassNames, planModel } from './estimate.js';
import { printDataflow } from './dataflow/text.js';
import { printGraph } from './graph-text.js';
import { DEFAULT_DEVICE, deviceByName, deviceNames } from './devices/index.js';
import { progressBar, stepProgress } from './progress.js';
import { compileModel, toolVersion } from '../backend-hls/compile.js';
import type { ProjectTarget } from '../backend-hls/compile.js';
import { SimMode, simulate } from '../runtime/csim.js';
import { DEFAULT_PRECISION, PRECISIONS, PrecisionName } from './numerics/precision.js';
import { generate } from './generate.js';
import { OPT, checkGenerateOptions, positiveNumber, requiredPositiveInt } from './options.js';
import { runModelQuantized } from './numerics/run-quantized.js';
import { readTensorDir } from '../frontend/tensor-files.js';
import { lintCommand } from '../lint/command.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** A command-line number as a number when it reads as one, else the text itself (so that errors quote it). */
const numeric = (s: string): number | string => (s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : s);

/** The closest command name, for "did you mean" (edit distance at most 2, or a prefix). */
function closest(word: string, names: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    return row[b.length];
  };
  const scored = names.map((n) => ({ n, d: n.startsWith(word) ? 0 : distance(word, n) })).filter((x) => x.d <= 2).sort((a, b) => a.d - b.d);
  return scored[0]?.n;
}

// The options several commands share, defined once.
const jsonOption = (what = 'print one JSON object (docs/schemas/)') => new Option('--json', what);
const bindOption = () => new Option('--bind <name=value>', 'bind a symbolic dimension (repeatable)').argParser(collect).default([]);
const deviceOption = () => new Option('--device <d>', `target device (${deviceNames().join(', ')})`).default(DEFAULT_DEVICE);
const precisionOption = (fallback: PrecisionName, what = 'numeric precision') =>
  new Option('--precision <p>', what).choices(Object.keys(PRECISIONS)).default(fallback);

/** A path as the shell reads it back: quoted when it holds anything but plain characters. */
function shellArg(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * How the user can type this command again: `llm2hls` when that is on PATH
 * (npm link, scripts/setup.sh --link), `npx llm2hls` from node_modules/.bin, else
 * `node path/to/bin/llm2hls.js`, so that printed next steps work as printed.
 */
export function selfCommand(script = process.argv[1] ?? 'bin/llm2hls.js', env = process.env): string {
  const dir = path.dirname(path.resolve(script));
  if (path.basename(script) === 'llm2hls') {
    // npx (and npm scripts) run node_modules/.bin/llm2hls with that folder put on PATH for the one command only.
    if (path.basename(dir) === '.bin') return 'npx llm2hls';
    if ((env.PATH ?? '').split(path.delimiter).some((d) => d !== '' && path.resolve(d) === dir)) return 'llm2hls';
  }
  const rel = path.relative(process.cwd(), script);
  return `node ${shellArg(rel === '' || rel.startsWith('..') ? path.resolve(script) : rel)}`;
}

function buildProgram(out: (s: string) => void): Command {
  const program = new Command('llm2hls')
    .description('Compile transformer ONNX models into FPGA dataflow accelerators')
    .version(toolVersion(), '-V, --version', 'print the llm2hls version')
    .option('--verbose', 'show stack traces for errors')
    // main() prints commander's errors itself: one line, and as JSON under --json.
    .configureOutput({ outputError: () => {} })
    .showSuggestionAfterError()
    .exitOverride();

  program.command('inspect')
    .description('show what a model holds and whether it can be compiled: every op supported, no node left over by fusion (exit 0 only if so)')
    .argument('<model>', 'ONNX model file')
    .addOption(jsonOption())
    .addOption(bindOption())
    .action((model: string, opts: { json?: boolean; bind: string[] }) => {
      const report = inspectModel(model, { bindings: parseBindings(opts.bind) });
      out(opts.json ? JSON.stringify(report, null, 2) : formatInspect(report));
      // Exit 0 only if the model can be compiled: every op supported and, once fused, no node left outside a kernel.
      if (!report.supported || (report.fusion?.leftover.length ?? 0) > 0) process.exitCode = 3;
    });

  program.command('run')
    .description('run the golden interpreter on input tensors (input_0.pb ... or .npy)')
    .argument('<model>', 'ONNX model file')
    .requiredOption('--inputs <dir>', 'folder with input_0.pb, input_1.pb ... in graph-input order')
    .requiredOption('--out <dir>', 'folder to write output_0.pb ... into')
    .addOption(precisionOption('fp32'))
    .addOption(bindOption())
    .addOption(jsonOption('print the summary as JSON (docs/schemas/run.schema.json)'))
    .option('--calibrate <dir>', 'calibration inputs for quantized precisions (default: the model\'s own test inputs, else random token ids)')
    .action((model: string, opts: { inputs: string; out: string; precision: PrecisionName; bind: string[]; json?: boolean; calibrate?: string }) => {
      const started = performance.now();
      checkOutputDir(opts.out, opts.inputs);
      let outputs;
      if (opts.precision === 'fp32') {
        if (opts.calibrate) throw new UserError('--calibrate applies to quantized precisions (w8a16, w8a8, w4a16), not fp32');
        const progress = progressBar('running nodes');
        outputs = runModel(model, opts.inputs, { bindings: parseBindings(opts.bind), onNode: (i, n) => progress.update(i + 1, n) });
        progress.stop();
      } else {
        const inputs = readTensorDir(opts.inputs).map((t) => t.tensor);
        outputs = runModelQuantized(model, inputs, opts.precision, { bindings: parseBindings(opts.bind), calibrateDir: opts.calibrate }).outputs;
      }
      const files = writeOutputs(opts.out, outputs);
      const seconds = (performance.now() - started) / 1000;
      const summary = outputs.map((o, i) => ({ name: o.name, dtype: o.tensor.dtype, shape: [...o.tensor.shape], file: files[i] }));
      if (opts.json) out(JSON.stringify({ model, precision: opts.precision, seconds, outputs: summary }, null, 2));
      else {
        for (const s of summary) out(`${printable(s.name)}: ${s.dtype}[${s.shape.join(', ')}] -> ${s.file}`);
        out(chalk.dim(`ran ${model} (${opts.precision} ${opts.precision === 'fp32' ? 'graph' : 'dataflow'} golden) in ${seconds.toFixed(2)} s`));
      }
    });

  program.command('compile')
    .description('compile a model into an HLS C++ project (Vitis HLS or Bambu: kernels, testbench, weights, Makefile, TCL) or a Verilog project (--target rtl: Verilator harness, Makefile)')
    .argument('<model>', 'ONNX model file')
    .requiredOption('-o, --out <dir>', 'project directory to write (replaced atomically)')
    .addOption(new Option('--target <t>', 'what to generate: Vitis HLS or Bambu C++, or Verilog (rtl)').choices(['vitis', 'bambu', 'rtl']).default('vitis'))
    .addOption(deviceOption())
    .addOption(precisionOption(DEFAULT_PRECISION, 'numeric precision (w8a16: the hardware default; fp32 to check structure)'))
    .option('--config <file>', 'JSON overrides: precision, parallelism, fifoDepth, weightPlacement per model / layer type / layer')
    .option('--calibrate <dir>', 'calibration inputs for fixed-point precisions (default: the model\'s own test inputs, else random ids)')
    .addOption(bindOption())
    .option('--force', 'replace a non-empty directory that llm2hls did not create')
    .addOption(jsonOption('print the summary as JSON (docs/schemas/compile.schema.json)'))
    .action(async (model: string, opts: { out: string; target: string; device: string; precision: PrecisionName; config?: string; calibrate?: string; bind: string[]; force?: boolean; json?: boolean }) => {
      const progress = stepProgress({ 'writing weights': 1 << 20, calibrating: 50, quantizing: 50, planning: 1 });
      let result;
      try {
        result = await compileModel(model, opts.out, {
          target: opts.target as ProjectTarget, device: opts.device, precision: opts.precision, config: opts.config, calibrate: opts.calibrate,
          bindings: parseBindings(opts.bind), force: opts.force, onProgress: progress.update,
        });
      } finally {
        progress.stop();
      }
      if (opts.json) out(JSON.stringify(result, null, 2));
      else {
        out(`${result.dir}: ${result.target} project, top function ${result.top}, ${result.kernels} kernels (${result.tasks} tasks), ${formatBytes(result.weightBytes)} of weights`);
        for (const w of result.warnings) console.error(chalk.yellow(`llm2hls: note: ${w}`));
        const [mode, sample] = result.target === 'rtl' ? ['verilator', 'sim'] : ['csim', 'csim'];
        out(chalk.dim(`compiled ${model} (${result.precision}, ${result.device}) in ${result.seconds.toFixed(2)} s; next: ${selfCommand()} sim ${shellArg(opts.out)} --mode ${mode} --inputs ${shellArg(path.join(opts.out, sample, 'sample'))} --out ${shellArg(path.join(opts.out, 'sim-out'))}`));
      }
    });

  program.command('sim')
    .description('simulate a compiled project (csim: g++ C simulation; csim-threads: one thread per task, FIFOs bounded to their depths, deadlock watchdog; verilator: cycle-accurate simulation of a --target rtl project; cocotb: the same project under cocotb 2.x and Icarus Verilog) and check it against the golden model (exit 6 on a miss)')
    .argument('<dir>', 'project directory written by llm2hls compile')
    .addOption(new Option('--mode <m>', 'simulation').choices(['csim', 'csim-threads', 'verilator', 'cocotb']).default('csim'))
    .requiredOption('--inputs <dir>', 'folder with input_0.pb, input_1.pb ... in graph-input order')
    .requiredOption('--out <dir>', 'folder to write output_0.pb ... into')
    .option('--model <file>', 'model for the golden reference (default: the one the project was compiled from; it must be that model)')
    .option('--tol <x>', 'fp32: largest error passed, relative to the output scale (default 1e-3); fixed point passes only bit-exact')
    .option('--trace <file>', 'verilator: write a VCD wave of the run')
    .option('--json', 'print the figures and the verdict as JSON')
    .action(async (dir: string, opts: { mode: string; inputs: string; out: string; model?: string; tol?: string; trace?: string; json?: boolean }) => {
      const tol = opts.tol === undefined ? undefined : Number(opts.tol);
      if (tol !== undefined && !(tol >= 0 && Number.isFinite(tol) && opts.tol!.trim() !== '')) throw new UserError(`--tol ${opts.tol}: expected a non-negative number (relative to the output scale)`);
      const step = process.stderr.isTTY ? (s: string) => process.stderr.write(chalk.dim(`${s}...\n`)) : undefined;
      const result = await simulate(dir, { mode: opts.mode as SimMode, inputs: opts.inputs, out: opts.out, model: opts.model, tol, trace: opts.trace, onStep: step });
      if (opts.json) {
        // One JSON object: the result carries the verdict (passed, failure); the one line still goes to stderr.
        out(JSON.stringify(result, null, 2));
        if (!result.passed) {
          console.error(chalk.red(`llm2hls: error: ${printable(result.failure!)}`));
          process.exitCode = 6;
        }
        return;
      }
      {
        for (const o of result.outputs) {
          const figures = o.maxAbsError === undefined ? '(no reference)'
            : `max error ${o.maxAbsError.toExponential(3)} (${o.maxRelError!.toExponential(3)} of the output scale), cosine ${o.cosine!.toFixed(6)}${o.top1 === undefined ? '' : `, top-1 ${(o.top1 * 100).toFixed(1)}%`}`;
          const exact = o.mismatches === undefined ? '' : o.mismatches === 0 ? '; bit-exact with the quantized golden model' : `; ${o.mismatches} element(s) differ from the quantized golden model (up to ${o.maxLsbError} LSB)`;
          out(`${printable(o.name)}: [${o.shape.join(', ')}] -> ${o.file}  ${figures}${exact}`);
        }
        if (result.rtl) {
          const r = result.rtl;
          out(`cycles: ${r.cycles} simulated (first input beat to last output beat), ${r.estimateCycles} estimated${r.ratio === undefined ? '' : ` (simulated / estimated ${r.ratio.toFixed(3)})`}`);
          const busiest = [...r.kernels].sort((a, b) => b.busy - a.busy).slice(0, 3).map((k) => `${k.name} ${k.busy} busy / ${k.stalled} stalled`);
          const fullest = [...r.fifos].sort((a, b) => b.maxOccupancy / b.depth - a.maxOccupancy / a.depth).slice(0, 3).map((f) => `${f.name} ${f.maxOccupancy}/${f.depth}`);
          // cocotb runs have no per-kernel/FIFO statistics.
          if (r.kernels.length || r.fifos.length) out(chalk.dim(`busiest kernels: ${busiest.join(', ')}; fullest FIFOs (beats): ${fullest.join(', ')}; all in --json and ${r.log}`));
        }
        const criterion = result.tolerance === undefined ? 'bit-exact' : `within ${result.tolerance} of the output scale`;
        out(chalk.dim(`${result.mode} (${result.precision}) of ${result.dir}: build ${result.buildSeconds.toFixed(1)} s, run ${result.runSeconds.toFixed(2)} s; reference: ${result.reference}; ${result.passed ? `passed (${criterion})` : 'FAILED'}`));
      }
      if (!result.passed) throw new UserError(result.failure!, 6);
    });

  program.command('estimate')
    .description('plan the dataflow accelerator for a device: latency, throughput, resources, roofline')
    .argument('<model>', 'ONNX model file')
    .addOption(deviceOption())
    .addOption(precisionOption(DEFAULT_PRECISION))
    .addOption(jsonOption())
    .addOption(bindOption())
    .option('--clock <mhz>', 'clock in MHz (default: the device\'s)')
    .option('--print-ir-after <pass>', `print the IR after a pass (${irPassNames().join(', ')}; repeatable)`, collect, [])
    .option('--time-passes', 'print the wall time of every pass')
    .option('--max-context <n>', 'a KV-cache decoder: plan prefill and decode (one token at this context); the report adds both')
    .option('--prefill-tokens <n>', 'prompt length of the prefill phase (with --max-context; default min(64, N))')
    .addOption(new Option('--emit <what>', 'print the fused graph IR or the planned dataflow IR instead of the report').choices(['graph', 'dataflow']))
    .action((model: string, opts: { device: string; precision: PrecisionName; json?: boolean; bind: string[]; clock?: string; printIrAfter: string[]; timePasses?: boolean; emit?: string; maxContext?: string; prefillTokens?: string }) => {
      if (opts.emit && opts.json) throw new UserError(`--emit ${opts.emit} prints IR text, not JSON: give --emit or --json, not both`, 2);
      const clockMHz = opts.clock === undefined ? undefined : positiveNumber(numeric(opts.clock), OPT.clockMHz, { unit: 'MHz' });
      const device = deviceByName(opts.device);
      if (clockMHz !== undefined && clockMHz > device.clockMHz) {
        console.error(chalk.yellow(`llm2hls: warning: --clock ${clockMHz} MHz is above ${device.name}'s rated ${device.clockMHz} MHz (compiler/devices/${device.name}.json); the figures assume the design closes timing at ${clockMHz} MHz`));
      }
      const { report, graph, dataflow } = planModel(model, {
        device: opts.device, precision: opts.precision, bindings: parseBindings(opts.bind), clockMHz,
        printIrAfter: opts.printIrAfter, timePasses: opts.timePasses,
        maxContext: opts.maxContext === undefined ? undefined : numeric(opts.maxContext) as number, // checkEstimateOptions names a non-number
        prefillTokens: opts.prefillTokens === undefined ? undefined : numeric(opts.prefillTokens) as number,
      });
      if (opts.emit === 'graph') out(printGraph(graph).trimEnd());
      else if (opts.emit === 'dataflow') out(printDataflow(dataflow).trimEnd());
      else if (opts.json) { const { passes: _passes, ...rest } = report; out(JSON.stringify(rest, null, 2)); }
      else out(formatEstimate(report));
      if (!report.fits || report.prefill?.fits === false) process.exitCode = 5;
    });

  program.command('generate')
    .description('token generation on a golden model, greedy or seeded sampling (KV-cache decoders step one token at a time)')
    .argument('<model>', 'ONNX decoder (with past_*/present_* KV cache, or a dynamic sequence axis)')
    .requiredOption('--prompt-ids <ids>', 'comma-separated prompt token ids, e.g. 3,14,15')
    .requiredOption('--max-new-tokens <n>', 'how many tokens to generate')
    .addOption(new Option('--mode <m>', 'where the model runs').choices(['golden', 'csim', 'verilator']).default('golden'))
    .addOption(precisionOption('fp32', 'golden model precision'))
    .option('--max-context <n>', 'context window: prompt + new tokens must fit in N positions')
    .option('--temperature <t>', 'sample at temperature T (absent or 0: greedy argmax)')
    .option('--top-k <k>', 'sample among the K most probable tokens (with --temperature)')
    .option('--top-p <p>', 'nucleus sampling: among the most probable tokens reaching probability P, 0 < P <= 1 (with --temperature)')
    .option('--seed <s>', 'seed of the sampler, a non-negative integer (default 0; with --temperature)')
    .addOption(jsonOption())
    .action((model: string, opts: {
      promptIds: string; maxNewTokens: string; mode: string; precision: PrecisionName; json?: boolean;
      maxContext?: string; temperature?: string; topK?: string; topP?: string; seed?: string;
    }) => {
      if (opts.mode !== 'golden') {
        throw new UserError(`generate --mode ${opts.mode}: generation on a simulated accelerator is not built yet; use --mode golden`, 4);
      }
      const promptIds = opts.promptIds.split(',').map((t) => t.trim()).filter(Boolean).map((t) => {
        if (!/^\d+$/.test(t)) throw new UserError(`--prompt-ids: '${t}' is not a token id (non-negative integer)`);
        return Number(t);
      });
      const maxNewTokens = requiredPositiveInt(numeric(opts.maxNewTokens), OPT.maxNewTokens);
      // Numbers as numbers, anything else as the text, which checkGenerateOptions names.
      const num = (s: string | undefined) => (s === undefined ? undefined : numeric(s) as number);
      const options = {
        promptIds, maxNewTokens, precision: opts.precision, maxContext: num(opts.maxContext),
        temperature: num(opts.temperature), topK: num(opts.topK), topP: num(opts.topP), seed: num(opts.seed),
        // Tokens stream out as they are chosen, separated (not followed) by a space.
        onToken: opts.json ? undefined : (t: number, step: number) => process.stdout.write(`${step > 0 ? ' ' : ''}${t}`),
      };
      checkGenerateOptions(model, options);
      const result = generate(model, options);
      if (opts.json) out(JSON.stringify(result, null, 2));
      else {
        const s = result.sampling;
        const how = s.strategy === 'greedy' ? 'greedy'
          : `sampled at temperature ${s.temperature}${s.topK !== null ? `, top-k ${s.topK}` : ''}${s.topP !== null ? `, top-p ${s.topP}` : ''}, seed ${s.seed}`;
        process.stdout.write('\n');
        out(chalk.dim(`${result.generated.length} tokens from ${model} (${result.precision} golden${result.kvCache ? ', KV cache' : ''}, ${how}) in ${result.seconds.toFixed(2)} s`));
      }
    });

  program.command('lint')
    .description('find HLS bugs of the Chrysalis classes (out-of-bounds, uninitialized reads, bad shifts, infinite loops, pragma and interface misuse) in HLS C++ files; docs/lint.md (exit 1 on any finding)')
    .argument('<paths...>', 'C/C++ files, or folders to lint every source under')
    .addOption(jsonOption('print the findings as JSON (docs/schemas/lint.schema.json)'))
    .option('--sarif <file>', 'also write the findings as SARIF 2.1.0')
    .option('--target <t>', 'HLS tool whose pragmas and interfaces apply: vitis or bambu', 'vitis')
    .option('-I, --include <dir>', 'folder to find #include "..." headers in (repeatable)', collect, [])
    .option('-D, --define <name=value>', 'define a macro (repeatable)', collect, [])
    .action(async (paths: string[], opts: { json?: boolean; sarif?: string; target: string; include: string[]; define: string[] }) => {
      process.exitCode = await lintCommand(paths, opts, out, toolVersion());
    });

  return program;
}

/** Commander's message on one line: "unknown option '--devce' (did you mean --device?)". */
function commanderMessage(e: CommanderError): string {
  return e.message.replace(/^error: /, '').replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)').replace(/\s*\n\s*/g, ' ').trim();
}

/** Commander codes for a bad option or argument value: bad input (exit 1), like any other bad value. */
const BAD_VALUE = new Set(['commander.invalidArgument']);

export async function main(argv: string[], out: (s: string) => void = (s) => console.log(s)): Promise<number> {
  const program = buildProgram(out);
  const verbose = argv.includes('--verbose');
  const json = argv.includes('--json');
  /** One line on stderr; under --json also {"error": {...}} on stdout (docs/schemas/error.schema.json). */
  const fail = (code: number, kind: string, message: string, trace?: string): number => {
    const line = printable(message);
    console.error(chalk.red(`llm2hls: ${kind}: ${line}`) + (code === 70 && !verbose ? ' (rerun with --verbose for a trace)' : ''));
    if (verbose && trace) console.error(trace);
    if (json) out(JSON.stringify({ error: { code, message: line } }, null, 2));
    return code;
  };
  try {
    // `llm2hls help NAME`: commander prints the general help for an unknown NAME; say what is wrong instead.
    const words = argv.slice(2).filter((a) => a !== '--verbose' && a !== '--json');
    const helpFor = words[0] === 'help' ? words[1] : undefined;
    if (helpFor !== undefined && !helpFor.startsWith('-') && !program.commands.some((c) => c.name() === helpFor || c.aliases().includes(helpFor))) {
      const names = program.commands.map((c) => c.name());
      const guess = closest(helpFor, names);
      return fail(2, 'error', `unknown command '${helpFor}' (${guess ? `did you mean ${guess}?` : `commands: ${names.join(', ')}`})`);
    }
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version were printed; `llm2hls` alone prints help and is a bad command line.
      if (['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(e.code)) return e.exitCode === 0 ? 0 : 2;
      const message = commanderMessage(e);
      if (BAD_VALUE.has(e.code) || message.includes('did you mean')) return fail(BAD_VALUE.has(e.code) ? 1 : 2, 'error', message);
      const command = program.commands.find((c) => argv.slice(2).includes(c.name()));
      return fail(2, 'error', `${message} (see ${selfCommand()}${command ? ` ${command.name()}` : ''} --help)`);
    }
    if (e instanceof UserError) return fail(e.exitCode, 'error', e.message, e.stack);
    const err = e as Error;
    return fail(70, 'internal error', err?.message ?? String(e), err?.stack);
  }
}
