/**
 * Named graph passes run from named pipelines, each printable after it runs
 * (--print-ir-after NAME) and timed (--time-passes).
 */
import { Graph } from '../graph.js';
import { printGraph } from '../graph-text.js';

export interface GraphPass {
  /** Stable kebab-case name used by --print-ir-after. */
  name: string;
  run(graph: Graph): void;
}

export interface PipelineOptions {
  /** Print the IR after these passes ('all' for every pass). */
  printAfter?: string[];
  /** Collect per-pass wall time. */
  timePasses?: boolean;
  /** Where printed IR and timings go (default: stderr). */
  log?: (text: string) => void;
}

export interface PassTiming { pass: string; ms: number }

export function runPipeline(graph: Graph, passes: readonly GraphPass[], options: PipelineOptions = {}): PassTiming[] {
  const log = options.log ?? ((s: string) => process.stderr.write(s));
  const printAfter = new Set(options.printAfter ?? []);
  const timings: PassTiming[] = [];
  for (const pass of passes) {
    const t0 = performance.now();
    pass.run(graph);
    timings.push({ pass: pass.name, ms: performance.now() - t0 });
    if (printAfter.has(pass.name) || printAfter.has('all')) log(`// ----- IR after ${pass.name} -----\n${printGraph(graph)}`);
  }
  if (options.timePasses) {
    const total = timings.reduce((s, t) => s + t.ms, 0);
    log(timings.map((t) => `${t.ms.toFixed(2).padStart(9)} ms  ${t.pass}`).join('\n') + `\n${total.toFixed(2).padStart(9)} ms  total\n`);
  }
  return timings;
}
