/** Human-readable forms of reports for the terminal. */
import chalk from 'chalk';
import { InspectReport } from './inspect.js';
import { formatShape } from './graph.js';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function formatInspect(r: InspectReport): string {
  const lines: string[] = [];
  lines.push(chalk.bold(r.file));
  lines.push(`  graph ${r.graphName}, opset ${r.opset}, IR v${r.irVersion ?? '?'}${r.producer ? `, written by ${r.producer}` : ''}`);
  lines.push(`  ${r.nodeCount} nodes, ${r.parameters.count.toLocaleString('en-US')} parameters (${formatBytes(r.parameters.bytes)})`);
  lines.push(chalk.bold('inputs'));
  for (const v of r.inputs) lines.push(`  ${v.name}: ${v.dtype}${v.shapeUnknown ? ' (no shape in the model: an input file gives it)' : formatShape(v.shape)}`);
  lines.push(chalk.bold('outputs'));
  for (const v of r.outputs) lines.push(`  ${v.name}: ${v.dtype}${formatShape(v.shape)}`);
  if (r.symbolicDims.length) lines.push(`symbolic dims: ${r.symbolicDims.join(', ')} (bind with --bind NAME=N)`);
  lines.push(chalk.bold('ops'));
  const ops = Object.entries(r.opHistogram).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const width = Math.max(...ops.map(([k]) => k.length), 4);
  for (const [op, n] of ops) lines.push(`  ${op.padEnd(width)} ${String(n).padStart(5)}`);
  if (r.supported) {
    lines.push(chalk.green('all ops are supported'));
  } else {
    lines.push(chalk.red(`${r.unsupported.length} node(s) use unsupported ops:`));
    for (const u of r.unsupported) lines.push(chalk.red(`  ${u.opType} in node '${u.node}' (opset ${r.opset})`));
  }
  if (r.fusion) {
    const kernels = Object.entries(r.fusion.kernels).map(([k, n]) => `${k} x${n}`).join(', ');
    lines.push(chalk.bold('after fusion') + `: ${kernels}`);
    if (r.fusion.leftover.length > 0) {
      lines.push(chalk.yellow(`${r.fusion.leftover.length} node(s) no transformer kernel absorbed (they cannot be compiled yet):`));
      for (const u of r.fusion.leftover) lines.push(chalk.yellow(`  ${u.opType} in node '${u.node}'`));
    }
  } else if (r.supported && r.symbolicDims.length > 0) {
    lines.push(chalk.dim('bind the symbolic dims (--bind NAME=N) to see the transformer kernels after fusion'));
  }
  return lines.join('\n');
}
