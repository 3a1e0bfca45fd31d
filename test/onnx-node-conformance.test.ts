/**
 * ONNX's own backend node tests (Debian package libonnx-testdata) against the
 * float32 golden interpreter: every applicable test is one case. Tests listed
 * in conformance/expected-failures.ts must still fail (so the list stays
 * honest); every other applicable test must pass; and every op's pass rate
 * must be at least 95%. See docs/conformance.md and scripts/conformance-report.mjs.
 */
import { describe, expect, it } from 'vitest';
import {
  NODE_TEST_ROOT, NodeTest, NodeTestResult, listNodeTests, runNodeTest, summarizeGroups, testDataAvailable,
} from './conformance/onnx-node-tests.js';
import { EXPECTED_FAILURES } from './conformance/expected-failures.js';

const MIN_PASS_RATE = 0.95;

describe('ONNX backend node conformance', () => {
  if (!testDataAvailable()) {
    it('has the ONNX node test data', () => {
      throw new Error(
        `${NODE_TEST_ROOT} is missing: the conformance tests need the Debian package libonnx-testdata; `
        + 'run scripts/setup.sh --test (or: sudo apt-get install libonnx-testdata)',
      );
    });
    return;
  }

  const tests = listNodeTests();
  const applicable = tests.filter((t) => !t.notApplicable);
  const results = new Map<string, NodeTestResult>();
  const resultOf = (t: NodeTest): NodeTestResult => {
    let r = results.get(t.name);
    if (!r) { r = runNodeTest(t); results.set(t.name, r); }
    return r;
  };

  const groups = [...new Set(applicable.map((t) => t.group))].sort();
  for (const group of groups) {
    describe(group, () => {
      for (const t of applicable.filter((x) => x.group === group)) {
        const expectedFailure = EXPECTED_FAILURES[t.name];
        it(expectedFailure ? `${t.name} (expected to fail: ${expectedFailure})` : t.name, () => {
          const r = resultOf(t);
          if (expectedFailure) {
            expect(r.passed, `${t.name} now passes: remove it from test/conformance/expected-failures.ts`).toBe(false);
          } else {
            expect(r.reason, `${t.name} failed`).toBeUndefined();
            expect(r.passed).toBe(true);
          }
        });
      }
    });
  }

  it('lists only applicable tests as expected failures', () => {
    const byName = new Map(tests.map((t) => [t.name, t]));
    const stale = Object.keys(EXPECTED_FAILURES).filter((name) => {
      const t = byName.get(name);
      return !t || t.notApplicable !== undefined;
    });
    expect(stale, 'entries in expected-failures.ts that are missing or not applicable').toEqual([]);
  });

  it('finds the node tests of the core ops', () => {
    // Guards against a listing that silently classifies everything as not applicable.
    const names = new Set(applicable.map((t) => t.name));
    for (const name of ['test_add', 'test_matmul_2d', 'test_softmax_example', 'test_reshape_negative_dim', 'test_gather_0']) {
      expect(names.has(name), `${name} should be applicable`).toBe(true);
    }
    expect(applicable.length).toBeGreaterThan(200);
  });

  it(`passes at least ${MIN_PASS_RATE * 100}% of the applicable tests of every op`, () => {
    const all = applicable.map(resultOf);
    const low = summarizeGroups(tests, all)
      .filter((g) => g.applicable > 0 && g.passed / g.applicable < MIN_PASS_RATE)
      .map((g) => `${g.group}: ${g.passed}/${g.applicable} (failing: ${g.failed.join(', ')})`);
    expect(low, 'ops below the pass-rate floor').toEqual([]);
  });
});
