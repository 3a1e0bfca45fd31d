/** Human-readable forms of reports for the terminal. */
import chalk from 'chalk';
import { InspectReport } from './inspect.js';
import { formatShape } from './graph.js';
import { formatBytes, printable as p } from './format.js';

export { formatBytes };

/** Every name in the report comes from the model file: p() keeps control characters from reaching the terminal. */
export function formatInspect(r: InspectReport): string {
  const lines: string[] = [];
  lines.push(chalk.bold(p(r.file)));
  lines.push(`  graph ${p(r.graphName)}, opset ${r.opset}, IR v${r.irVersion ?? '?'}${r.producer ? `, written by ${p(r.producer)}` : ''}`);
  lines.push(`  ${r.nodeCount} nodes, ${r.parameters.count.toLocaleString('en-US')} parameters (${formatBytes(r.parameters.bytes)})`);
  lines.push(chalk.bold('inputs'));
  for (const v of r.inputs) lines.push(`  ${p(v.name)}: ${v.dtype}${v.shapeUnknown ? ' (no shape in the model: an input file gives it)' : p(formatShape(v.shape))}`);
  lines.push(chalk.bold('outputs'));
  for (const v of r.outputs) lines.push(`  ${p(v.name)}: ${v.dtype}${p(formatShape(v.shape))}`);
  if (r.symbolicDims.length) lines.push(`symbolic dims: ${r.symbolicDims.map(p).join(', ')} (bind with --bind NAME=N)`);
  lines.push(chalk.bold('ops'));
  const ops = Object.entries(r.opHistogram).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => [p(k), n] as const);
  const width = Math.max(...ops.map(([k]) => k.length), 4);
  for (const [op, n] of ops) lines.push(`  ${op.padEnd(width)} ${String(n).padStart(5)}`);
  if (r.supported) {
    // Supported ops are not yet a compilable design: the fusion summary below says which nodes are left.
    lines.push(chalk.green(r.fusion?.leftover.length ? 'all ops are supported by the golden models' : 'all ops are supported'));
  } else {
    lines.push(chalk.red(`${r.unsupported.length} node(s) use unsupported ops:`));
    for (const u of r.unsupported) lines.push(chalk.red(`  ${p(u.opType)} in node '${p(u.node)}' (opset ${r.opset})`));
  }
  if (r.fusion) {
    const kernels = Object.entries(r.fusion.kernels).map(([k, n]) => `${p(k)} x${n}`).join(', ');
    lines.push(chalk.bold('after fusion') + `: ${kernels}`);
    if (r.fusion.leftover.length > 0) {
      lines.push(chalk.yellow(`${r.fusion.leftover.length} node(s) no transformer kernel absorbed (they cannot be compiled yet):`));
      for (const u of r.fusion.leftover) lines.push(chalk.yellow(`  ${p(u.opType)} in node '${p(u.node)}'`));
    }
  } else if (r.supported && r.symbolicDims.length > 0) {
    lines.push(chalk.dim('bind the symbolic dims (--bind NAME=N) to see the transformer kernels after fusion'));
  }
  return lines.join('\n');
}
