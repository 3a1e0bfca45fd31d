/**
 * Applicable ONNX node tests that fail today, each with why. The conformance
 * test asserts every test listed here still fails, so the list stays honest:
 * when a fix makes one pass, delete its line.
 */
export const EXPECTED_FAILURES: Readonly<Record<string, string>> = {
};
