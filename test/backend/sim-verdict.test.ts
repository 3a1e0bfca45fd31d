/**
 * Whether a project is right, as users find out: `llm2hls sim`'s verdict
 * (exit 6 on a miss, in text and JSON), the model fingerprint, input
 * validation, and the project's own checks (`make csim` on the shipped
 * sample, the testbench's comparison, Bambu's working directory).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../compiler/tensor.js';
import { ModelBuilder } from '../../frontend/onnx-writer.js';
import { writeTensorPb } from '../../frontend/tensor-files.js';
import { startModelFingerprint } from '../../frontend/fingerprint.js';
import { ROOT, expectCleanFailure, llm2hls, tempDir } from '../helpers/cli.js';

const F = path.join(ROOT, 'test', 'fixtures', 'exported');
const MODEL = path.join(F, 'gpt2_mini.onnx');
const DATA = path.join(F, 'gpt2_mini_data');
let work: string;

beforeAll(() => { work = tempDir('llm2hls-verdict-'); });
afterAll(() => { fs.rmSync(work, { recursive: true, force: true }); });

async function compile(name: string, ...args: string[]): Promise<string> {
  const dir = path.join(work, name);
  const r = await llm2hls('compile', MODEL, '-o', dir, ...args);
  expect(r.exitCode, r.stderr).toBe(0);
  return dir;
}

/** Changes 8 bytes of the project's first Linear weight (a design that no longer computes the model). */
function corruptWeights(dir: string): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const w = manifest.weights.tensors.find((t: { layout: string }) => t.layout === 'transposed');
  const file = path.join(dir, 'weights', `${w.bundle}.bin`);
  const bytes = fs.readFileSync(file);
  if (w.format === 'float32') { bytes.writeFloatLE(50, w.offset); bytes.writeFloatLE(-50, w.offset + 4); } else for (let i = 0; i < 8; i++) bytes[w.offset + i] ^= 0x5a;
  fs.writeFileSync(file, bytes);
}

function make(dir: string, ...args: string[]) {
  return execa('make', ['--no-print-directory', ...args], { cwd: dir, reject: false, all: true });
}

describe('sim: one verdict, exit 6 on a miss', () => {
  it('w8a16: a right design passes; 8 changed weight bytes fail in text and JSON with one line', async () => {
    const dir = await compile('w8a16');
    const ok = await llm2hls('sim', dir, '--inputs', DATA, '--out', path.join(work, 'ok'), '--json');
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ passed: true, bitExact: true });

    corruptWeights(dir);
    const text = await llm2hls('sim', dir, '--inputs', DATA, '--out', path.join(work, 'bad'));
    expect(text.exitCode).toBe(6);
    expectCleanFailure(text, /^llm2hls: error: output logits: \d+ of 1024 elements differ from the quantized golden model \(up to \d+ LSB\); nothing written to \S+ \(the design's raw outputs are in \S+csim\/out\)$/m, expect);
    expect(text.stdout).toMatch(/FAILED/);
    // A failed run leaves nothing in --out; the raw outputs stay in the project.
    expect(fs.existsSync(path.join(work, 'bad'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'csim', 'out', 'output_0.bin'))).toBe(true);
    const json = await llm2hls('sim', dir, '--inputs', DATA, '--out', path.join(work, 'bad'), '--json');
    expect(json.exitCode).toBe(6);
    const j = JSON.parse(json.stdout);
    expect(j).toMatchObject({ passed: false, bitExact: false });
    expect(j.failure).toBe(text.stderr.trim().replace(/^llm2hls: error: /, ''));
    expect(j.outputs[0].mismatches).toBeGreaterThan(0);

    expectCleanFailure(await llm2hls('sim', dir, '--inputs', DATA, '--out', path.join(work, 'x'), '--tol', '0.1'), /tol \(--tol\) applies to fp32 projects/, expect);
  }, 60_000);

  it('fp32: passes within --tol (default 1e-3 of the output scale), a wrong design exits 6 naming the error', async () => {
    const dir = await compile('fp32', '--precision', 'fp32');
    const ok = await llm2hls('sim', dir, '--inputs', DATA, '--out', path.join(work, 'fp-ok'), '--json');
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ passed: true, tolerance: 1e-3 });

    corruptWeights(dir);
    const bad = await llm2hls('sim', dir, '--inputs', DATA, '--out', path.join(work, 'fp-bad'));
    expect(bad.exitCode).toBe(6);
    expectCleanFailure(bad, /^llm2hls: error: output logits: max error \S+ of the output scale exceeds the tolerance 0\.001 \(cosine \S+\) against the fp32 golden model; nothing written/m, expect);
    expect(fs.existsSync(path.join(work, 'fp-bad'))).toBe(false);
    const j = JSON.parse((await llm2hls('sim', dir, '--inputs', DATA, '--out', path.join(work, 'fp-bad'), '--json')).stdout);
    expect(j.passed).toBe(false);
    // A stated tolerance wide enough passes the same outputs.
    const loose = await llm2hls('sim', dir, '--inputs', DATA, '--out', path.join(work, 'fp-loose'), '--tol', String(j.outputs[0].maxRelError * 2));
    expect(loose.exitCode, loose.stderr).toBe(0);
    expectCleanFailure(await llm2hls('sim', dir, '--inputs', DATA, '--out', path.join(work, 'x'), '--tol', 'much'), /--tol much: expected a non-negative number/, expect);
  }, 60_000);
});

describe('sim: the model must be the one the project was compiled from', () => {
  it('another model is refused in one line, before anything is written; compile --json names the model and its fingerprint', async () => {
    const dir = path.join(work, 'fingerprinted');
    const r = await llm2hls('compile', MODEL, '-o', dir, '--json');
    expect(r.exitCode, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.model).toBe(MODEL);
    expect(summary.modelFingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')).model.fingerprint).toBe(summary.modelFingerprint);

    const out = path.join(work, 'other-out');
    const other = await llm2hls('sim', dir, '--inputs', DATA, '--out', out, '--model', path.join(F, 'gpt2_mini_op17.onnx'));
    expect(other.exitCode).toBe(1);
    expectCleanFailure(other, /gpt2_mini_op17\.onnx does not match the project: .* was compiled from .*gpt2_mini\.onnx/, expect);
    expect(fs.existsSync(out)).toBe(false);
  }, 60_000);

  it('the fingerprint covers external data: a changed weight file is a different model', async () => {
    const model = path.join(work, 'ext', 'lm.onnx');
    fs.mkdirSync(path.dirname(model), { recursive: true });
    const b = new ModelBuilder('lm', 17);
    b.input('ids', 'int64', [1, 4]);
    b.initializer('table', Tensor.from('float32', [16, 8], Array.from({ length: 128 }, (_, i) => Math.sin(i))));
    b.initializer('w', Tensor.from('float32', [8, 8], Array.from({ length: 64 }, (_, i) => Math.cos(i) / 4)));
    b.nodeN('Gather', ['table', 'ids'], ['e'], { axis: 0 });
    b.nodeN('MatMul', ['e', 'w'], ['y']);
    b.output('y', 'float32', [1, 4, 8]);
    b.save(model, { externalDataThreshold: 1 });
    const data = path.join(work, 'ext', 'data');
    fs.mkdirSync(data);
    writeTensorPb(path.join(data, 'input_0.pb'), Tensor.from('int64', [1, 4], [1, 5, 9, 15]), 'ids');
    const dir = path.join(work, 'ext-prj');
    expect((await llm2hls('compile', model, '-o', dir, '--precision', 'fp32')).exitCode).toBe(0);
    const ok = await llm2hls('sim', dir, '--inputs', data, '--out', path.join(work, 'ext-out'));
    expect(ok.exitCode, ok.stderr).toBe(0);

    const ext = `${model}.data`;
    const bytes = fs.readFileSync(ext);
    bytes[bytes.length - 1] ^= 1;
    fs.writeFileSync(ext, bytes);
    expectCleanFailure(await llm2hls('sim', dir, '--inputs', data, '--out', path.join(work, 'ext-out2')), /lm\.onnx does not match the project/, expect);
  }, 60_000);
});

describe('the model fingerprint', () => {
  it('is sha256 over the model file, then each external-data file after its location; a large model is hashed in a worker', async () => {
    const model = path.join(work, 'big', 'big.onnx');
    fs.mkdirSync(path.dirname(model), { recursive: true });
    const b = new ModelBuilder('big', 17);
    b.input('x', 'float32', [1, 4096]);
    b.initializer('w', new Tensor('float32', [4096, 4200], new Float32Array(4096 * 4200).fill(0.5))); // 69 MB, external
    b.output(b.node('MatMul', ['x', 'w']), 'float32', [1, 4200]);
    b.save(model, { externalDataThreshold: 1024 });
    const expected = crypto.createHash('sha256').update(fs.readFileSync(model)).update('\0big.onnx.data\0').update(fs.readFileSync(`${model}.data`)).digest('hex');
    const pending = startModelFingerprint(model);
    expect(await pending.result()).toEqual({ sha256: `sha256:${expected}`, externalFiles: ['big.onnx.data'] });
    fs.rmSync(path.dirname(model), { recursive: true, force: true });
  }, 60_000);
});

describe('sim: inputs are validated before anything runs', () => {
  it('a token id outside the vocabulary: sim exits 1 and writes no outputs; the testbench itself refuses it', async () => {
    const dir = await compile('ids');
    const bad = path.join(work, 'bad-ids');
    fs.mkdirSync(bad);
    writeTensorPb(path.join(bad, 'input_0.pb'), Tensor.from('int64', [1, 8], [1, 2, 3, 4, 5, 6, 7, 500]), 'input_ids');
    const out = path.join(work, 'ids-out');
    const r = await llm2hls('sim', dir, '--inputs', bad, '--out', out);
    expect(r.exitCode).toBe(1);
    expectCleanFailure(r, /input 0 \(\w+\): token id 500 at position 7 is outside the vocabulary \[0, 128\)/, expect);
    expect(fs.existsSync(out)).toBe(false);

    const raw = path.join(dir, 'csim', 'in');
    fs.mkdirSync(raw, { recursive: true });
    const ids = Buffer.alloc(32);
    [1, 2, 3, 4, 5, 6, 7, 500].forEach((x, i) => ids.writeInt32LE(x, i * 4));
    fs.writeFileSync(path.join(raw, 'input_0.bin'), ids);
    const tb = await make(dir, 'csim', 'CSIM_IN=csim/in');
    expect(tb.exitCode).not.toBe(0);
    expect(tb.all).toMatch(/testbench: input 0 \(\w+\): token id 500 at position 7 is outside the vocabulary \[0, 128\)/);
    expect(fs.existsSync(path.join(dir, 'csim', 'out', 'output_0.bin'))).toBe(false);
  }, 60_000);
});

describe('a project checks itself', () => {
  it('make csim runs the shipped sample in a fresh project and checks its golden outputs; make help lists the targets', async () => {
    for (const precision of ['w8a16', 'fp32']) {
      const dir = await compile(`fresh-${precision}`, '--precision', precision);
      const run = await make(dir, 'csim');
      expect(run.exitCode, run.all).toBe(0);
      expect(run.all).toMatch(/1 output\(s\) match the expected outputs in csim\/sample/);
      // The sample is also a .pb input set for llm2hls sim.
      const sim = await llm2hls('sim', dir, '--inputs', path.join(dir, 'csim', 'sample'), '--out', path.join(work, `sample-${precision}`));
      expect(sim.exitCode, sim.stderr).toBe(0);
    }
    const help = await make(path.join(work, 'fresh-w8a16'), 'help');
    expect(help.exitCode).toBe(0);
    // Each target once, with its line.
    for (const t of ['csim', 'csim-threads', 'hls', 'cosim', 'xo', 'xclbin', 'host', 'run-host', 'host-sim', 'help', 'clean']) {
      expect(help.stdout.match(new RegExp(`^make ${t} `, 'gm')), t).toHaveLength(1);
    }
    const readme = fs.readFileSync(path.join(work, 'fresh-w8a16', 'README.md'), 'utf8');
    expect(readme).toContain('| `input_0.bin` | 8 `[1, 8]` | int32 token ids in [0, 128) |');
    expect(readme).toMatch(/\| `output_0\.bin` \| 1024 `\[1, 8, 128\]` \| int32 integers q of a signed 16-bit fixed-point format: value = q \/ 2\^\d+ \|/);
    expect(readme).toContain('keeps `csim/in/`');
  }, 60_000);

  it('the testbench fails make csim on a wrong design (bit-exact in fixed point, tolerance in fp32)', async () => {
    for (const precision of ['w8a16', 'fp32']) {
      const dir = await compile(`wrong-${precision}`, '--precision', precision);
      corruptWeights(dir);
      const run = await make(dir, 'csim');
      expect(run.exitCode).not.toBe(0);
      expect(run.all).toMatch(precision === 'fp32'
        ? /testbench: output 0 \(\w+\): max error \S+ of the output scale exceeds the tolerance 1\.0e-03/
        : /testbench: output 0 \(\w+\): \d+ of 1024 elements differ from the expected outputs in csim\/sample \(up to \d+ LSB\)/);
    }
  }, 60_000);

  it('make hls and make cosim fail on a wrong design: script.tcl runs the testbench on the sample by absolute paths', async () => {
    // Vitis HLS is not installed here: tclsh stands in, running script.tcl with its project commands as no-ops and
    // csim_design/cosim_design -argv running the g++ testbench from another directory, as Vitis runs it from hls_prj/.
    const fakeTcl = path.join(work, 'fake-vitis.tcl');
    fs.writeFileSync(fakeTcl, [
      'set script [lindex $argv 1]',
      'set argv [lrange $argv 3 end]',
      'foreach p {open_project set_top add_files open_solution set_part create_clock csynth_design export_design} { proc $p args {} }',
      'proc run_tb {args} { cd /; exec [file join $::root build csim] {*}[lindex $args [expr {[lsearch $args -argv] + 1}]] >@stdout 2>@stderr }',
      'proc csim_design args { run_tb {*}$args }',
      'proc cosim_design args { run_tb {*}$args }',
      'source $script',
    ].join('\n'));
    const fake = path.join(work, 'fake-vitis.sh');
    fs.writeFileSync(fake, `#!/bin/sh\nexec tclsh ${fakeTcl} "$@"\n`, { mode: 0o755 });
    const dir = await compile('vitis-tcl');
    expect((await make(dir, 'build/csim')).exitCode).toBe(0);
    for (const t of ['hls', 'cosim']) {
      const ok = await make(dir, t, `VITIS_HLS=${fake}`);
      expect(ok.exitCode, ok.all).toBe(0);
      expect(ok.all).toMatch(/1 output\(s\) match the expected outputs in \/\S+\/csim\/sample/);
    }
    corruptWeights(dir);
    for (const t of ['hls', 'cosim']) {
      const bad = await make(dir, t, `VITIS_HLS=${fake}`);
      expect(bad.exitCode).not.toBe(0);
      expect(bad.all).toMatch(/testbench: output 0 \(\w+\): \d+ of 1024 elements differ from the expected outputs/);
    }
  }, 60_000);

  it('compiling again keeps csim/in and replaces the sample', async () => {
    const dir = await compile('again');
    fs.mkdirSync(path.join(dir, 'csim', 'in'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'csim', 'in', 'mine.bin'), 'precious');
    fs.writeFileSync(path.join(dir, 'csim', 'sample', 'stale.bin'), 'x');
    const r = await llm2hls('compile', MODEL, '-o', dir, '--precision', 'fp32');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'csim', 'in', 'mine.bin'), 'utf8')).toBe('precious');
    expect(fs.existsSync(path.join(dir, 'csim', 'sample', 'stale.bin'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'csim', 'sample', 'output_0.bin'))).toBe(true);
  }, 60_000);
});

describe('Bambu projects', () => {
  it('make bambu runs the testbench from build/bambu on the sample; the README lists only Bambu targets; a stand-in part is said', async () => {
    const dir = await compile('bambu', '--target', 'bambu');
    const readme = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
    expect(readme).toMatch(/make bambu/);
    for (const t of ['hls', 'cosim', 'xo', 'xclbin']) expect(readme).not.toMatch(new RegExp(`make ${t}\\b`));
    expect(readme).not.toMatch(/stand-in/);

    // Bambu is not installed here: a stand-in compiles --generate-tb with g++ and runs it where Bambu would, in build/bambu.
    const fake = path.join(work, 'fake-bambu.sh');
    fs.writeFileSync(fake, [
      '#!/bin/sh',
      'src=$1; shift; tb=; incs=',
      'for a in "$@"; do case $a in --generate-tb=*) tb=${a#--generate-tb=};; -I*) incs="$incs $a";; esac; done',
      'g++ -std=c++17 -DLLM2HLS_HOST_TYPES $incs -o tb "$src" "$tb" && ./tb',
    ].join('\n'), { mode: 0o755 });
    const run = await make(dir, 'bambu', `BAMBU=${fake}`);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).toMatch(/1 output\(s\) match the expected outputs in csim\/sample/);

    const kv = path.join(work, 'bambu-kv260');
    const r = await llm2hls('compile', MODEL, '-o', kv, '--target', 'bambu', '--device', 'kv260', '--json');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).warnings).toEqual([expect.stringMatching(/Bambu has no characterization of xck26-sfvc784-2LV-c \(kv260\): BAMBU_DEVICE is the stand-in xcku060-3ffva1156-VVD/)]);
    expect(fs.readFileSync(path.join(kv, 'README.md'), 'utf8')).toMatch(/\*\*Note:\*\* Bambu has no characterization of xck26/);
  }, 60_000);
});
