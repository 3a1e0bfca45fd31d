/** The models every end-to-end test runs: PyTorch exports (test/fixtures/exported) and the bundled example, with their inputs. */
import path from 'node:path';
import { ROOT } from './cli.js';

export interface FixtureCase { name: string; model: string; data: string; bind?: Record<string, number> }

const F = path.join(ROOT, 'test', 'fixtures', 'exported');

export const FIXTURE_CASES: FixtureCase[] = [
  { name: 'gpt2_mini', model: `${F}/gpt2_mini.onnx`, data: `${F}/gpt2_mini_data` },
  { name: 'gpt2_mini_op17', model: `${F}/gpt2_mini_op17.onnx`, data: `${F}/gpt2_mini_op17_data` },
  { name: 'llama_mini', model: `${F}/llama_mini.onnx`, data: `${F}/llama_mini_data` },
  { name: 'encoder_mini', model: `${F}/encoder_mini.onnx`, data: `${F}/encoder_mini_data` },
  { name: 'gpt2_mini_past prefill', model: `${F}/gpt2_mini_past.onnx`, data: `${F}/gpt2_mini_past_data/prefill`, bind: { sequence: 5, past_sequence: 0 } },
  { name: 'gpt2_mini_past decode', model: `${F}/gpt2_mini_past.onnx`, data: `${F}/gpt2_mini_past_data/decode`, bind: { sequence: 1, past_sequence: 5 } },
  { name: 'tiny_gpt example', model: `${ROOT}/examples/tiny_gpt.onnx`, data: `${ROOT}/examples/tiny_gpt_data`, bind: { sequence: 8 } },
];
