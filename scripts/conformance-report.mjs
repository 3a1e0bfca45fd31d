#!/usr/bin/env node
// ONNX backend node conformance report: runs every applicable node test of
// libonnx-testdata on the golden interpreter and prints, per op, how many
// tests apply, pass and fail, and why the others do not apply.
//
// Usage: npx tsc && node scripts/conformance-report.mjs [--markdown] [--verbose]
//   --markdown  GitHub tables (the source of docs/conformance.md)
//   --verbose   also list the not-applicable test names
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const harness = path.join(root, 'dist/test/conformance/onnx-node-tests.js');
if (!fs.existsSync(harness)) {
  console.error('dist/ is not built: run `npx tsc -p tsconfig.json` first');
  process.exit(1);
}
const { NODE_TEST_ROOT, listNodeTests, runNodeTest, summarizeGroups, testDataAvailable } = await import(harness);
const { EXPECTED_FAILURES } = await import(path.join(root, 'dist/test/conformance/expected-failures.js'));
const { supportedOps } = await import(path.join(root, 'dist/compiler/ops/index.js'));

const markdown = process.argv.includes('--markdown');
const verbose = process.argv.includes('--verbose');

if (!testDataAvailable()) {
  console.error(`${NODE_TEST_ROOT} is missing: run scripts/setup.sh --test (installs libonnx-testdata)`);
  process.exit(1);
}

const tests = listNodeTests();
const results = tests.filter((t) => !t.notApplicable).map(runNodeTest);
const groups = summarizeGroups(tests, results);
const supported = supportedOps();
// Our ops, plus function-expanded tests of other ops whose bodies use only our ops.
const ours = groups.filter((g) => g.supported || g.applicable > 0);
const pct = (a, b) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);

function table(header, rows) {
  if (markdown) {
    const line = (cells) => `| ${cells.join(' | ')} |`;
    return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === cells.length - 1 ? String(c) : String(c).padEnd(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const naText = (g) => [...g.notApplicable.entries()].map(([reason, names]) => `${names.length}: ${reason}`).join('; ');
const heading = (text) => console.log(markdown ? `\n### ${text}\n` : `\n== ${text} ==\n`);

heading('Per op (ops llm2hls supports)');
const rows = ours.map((g) => [
  g.supported ? g.group : `${g.group} *`, g.applicable, g.passed, g.failed.length, pct(g.passed, g.applicable),
  [...g.notApplicable.values()].reduce((s, l) => s + l.length, 0), naText(g) || '',
]);
console.log(table(['op', 'applicable', 'passed', 'failed', 'pass %', 'not applicable', 'why not applicable'], rows));

if (ours.some((g) => !g.supported)) {
  console.log('\n* an op llm2hls does not support, whose function-expanded test uses only supported ops');
}
const withTests = new Set(groups.map((g) => g.group));
const noTests = supported.filter((op) => !withTests.has(op));
if (noTests.length > 0) console.log(`\nSupported ops with no node test in this ONNX release: ${noTests.join(', ')}`);

const failures = results.filter((r) => !r.passed);
heading(`Failing applicable tests (${failures.length})`);
if (failures.length === 0) console.log('none');
for (const r of failures) {
  const listed = EXPECTED_FAILURES[r.name];
  console.log(`${markdown ? '- ' : ''}${r.name} [${r.group}]: ${r.reason}${listed ? ` (expected: ${listed})` : ' (NOT in expected-failures.ts)'}`);
}

const bound = results.filter((r) => r.constantInputs.length > 0);
heading(`Tests run with shape operands bound as constants (${bound.length})`);
console.log(bound.map((r) => `${r.name} (${r.constantInputs.join(', ')})`).join(markdown ? '\n- ' : '\n').replace(/^/, markdown && bound.length ? '- ' : ''));

// Totals over all tests, including ops we do not support.
const applicable = results.length;
const passed = results.filter((r) => r.passed).length;
const kinds = new Map();
for (const t of tests) {
  if (!t.notApplicable) continue;
  const key = t.notApplicable.kind;
  kinds.set(key, (kinds.get(key) ?? 0) + 1);
}
const oursNa = ours.reduce((s, g) => s + [...g.notApplicable.values()].reduce((a, l) => a + l.length, 0), 0);
heading('Totals');
console.log(table(['', 'tests'], [
  ['node tests in libonnx-testdata', tests.length],
  ['applicable (opset 13-21, supported ops and types)', applicable],
  ['passed', `${passed} (${pct(passed, applicable)})`],
  ['failed', applicable - passed],
  ['not applicable: opset outside 13-21', kinds.get('opset') ?? 0],
  ['not applicable: uses an op llm2hls does not support', kinds.get('unsupported-op') ?? 0],
  ['not applicable: element type not supported (string, bfloat16, sequences ...)', kinds.get('dtype') ?? 0],
  ['not applicable: other', kinds.get('other') ?? 0],
  ['not-applicable tests of supported ops', oursNa],
]));

if (verbose) {
  heading('Not-applicable tests of supported ops');
  for (const g of ours) {
    for (const [reason, names] of g.notApplicable) console.log(`${g.group}: ${reason}: ${names.join(', ')}`);
  }
}
