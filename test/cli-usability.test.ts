/**
 * The command line's manners (issue #7): what a mistyped option, a bad value,
 * a file where a folder belongs, or a hostile name in a model print, and that
 * printed commands work as printed. All through the real `llm2hls` process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ModelBuilder } from '../frontend/onnx-writer.js';
import { ROOT, expectCleanFailure, llm2hls, tempDir } from './helpers/cli.js';

const BIN = path.join(ROOT, 'bin', 'llm2hls.js');
const TINY = path.join(ROOT, 'examples', 'tiny_gpt.onnx');
const TINY_DATA = path.join(ROOT, 'examples', 'tiny_gpt_data');
const PAST = path.join(ROOT, 'test', 'fixtures', 'exported', 'gpt2_mini_past.onnx');

describe('the command line itself', () => {
  it('names a mistyped option on one line with a did-you-mean, exit 2', async () => {
    const r = await llm2hls('estimate', TINY, '--devce', 'u55c');
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe("llm2hls: error: unknown option '--devce' (did you mean --device?)");
    expect(r.stdout).toBe('');
    const cmd = await llm2hls('inspekt', TINY);
    expect(cmd.exitCode).toBe(2);
    expect(cmd.stderr.trim()).toBe("llm2hls: error: unknown command 'inspekt' (did you mean inspect?)");
    const missing = await llm2hls('run', TINY, '--inputs', TINY_DATA);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.trim()).toBe("llm2hls: error: required option '--out <dir>' not specified (see node bin/llm2hls.js run --help)");
  });

  it('prints its version', async () => {
    const r = await llm2hls('--version');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('estimate defaults to the device compile defaults to', async () => {
    const r = await llm2hls('estimate', TINY, '--bind', 'sequence=8');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^\S+ on u55c /);
  });

  it('treats every bad option value as bad input (exit 1), choice options and free ones alike', async () => {
    const bad: [string[], RegExp][] = [
      [['estimate', TINY, '--precision', 'w9'], /argument 'w9' is invalid. Allowed choices are fp32, w8a16, w8a8, w4a16/],
      [['estimate', TINY, '--device', 'nope'], /unknown device 'nope' \(known: kv260, u280, u55c, vck190, zcu102\)/],
      [['estimate', TINY, '--emit', 'verilog'], /argument 'verilog' is invalid/],
      [['compile', TINY, '-o', tempDir(), '--target', 'vivado'], /argument 'vivado' is invalid/],
      [['run', TINY, '--inputs', TINY_DATA, '--out', tempDir(), '--precision', 'int8'], /argument 'int8' is invalid/],
      [['generate', PAST, '--prompt-ids', '1', '--max-new-tokens', '1', '--mode', 'fpga'], /argument 'fpga' is invalid/],
      [['estimate', TINY, '--clock', 'fast'], /clockMHz \(--clock\): got 'fast'; expected a positive number of MHz/],
    ];
    for (const [args, message] of bad) {
      const r = await llm2hls(...args);
      expect(r.exitCode, args.join(' ')).toBe(1);
      expectCleanFailure(r, message, expect);
    }
  });

  it('rejects an unknown --print-ir-after pass, listing the valid ones', async () => {
    const r = await llm2hls('estimate', TINY, '--bind', 'sequence=8', '--print-ir-after', 'bogus');
    expect(r.exitCode).toBe(1);
    expectCleanFailure(r, /unknown pass 'bogus' \(passes: remove-noops, .*fuse-attention, lower, stream-order, .*schedule, all\)/, expect);
  });

  it('warns when --clock is above the device\'s rated clock, and still plans', async () => {
    const r = await llm2hls('estimate', TINY, '--bind', 'sequence=8', '--clock', '900');
    expect(r.exitCode).toBe(0);
    expect(r.stderr.trim()).toMatch(/^llm2hls: warning: --clock 900 MHz is above u55c's rated 300 MHz \(compiler\/devices\/u55c\.json\)/);
    expect(r.stdout).toMatch(/900 MHz/);
    expect((await llm2hls('estimate', TINY, '--bind', 'sequence=8', '--clock', '250')).stderr).toBe('');
  });
});

describe('--out that is not a folder', () => {
  it('run: names the path, exit 1', async () => {
    const file = path.join(tempDir(), 'taken.pb');
    fs.writeFileSync(file, 'x');
    expectCleanFailure(await llm2hls('run', TINY, '--inputs', TINY_DATA, '--out', file), new RegExp(`${file}: is a file, not a folder`), expect);
    const under = await llm2hls('run', TINY, '--inputs', TINY_DATA, '--out', path.join(file, 'sub'));
    expect(under.exitCode).toBe(1);
    expectCleanFailure(under, /taken\.pb\/sub: \/.*\/taken\.pb is a file, not a folder/, expect);
  });

  it('sim: the same error, exit 1', async () => {
    const project = path.join(tempDir(), 'hls');
    expect((await llm2hls('compile', TINY, '-o', project, '--bind', 'sequence=8', '--precision', 'fp32')).exitCode).toBe(0);
    const file = path.join(tempDir(), 'taken');
    fs.writeFileSync(file, 'x');
    const r = await llm2hls('sim', project, '--mode', 'csim', '--inputs', TINY_DATA, '--out', file);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`llm2hls: error: ${file}: is a file, not a folder`));
  }, 120_000);
});

describe('printed commands work as printed', () => {
  it('compile prints `node bin/llm2hls.js sim ...` when run through node, and that command runs', async () => {
    const project = path.join(tempDir(), 'hls');
    const r = await llm2hls('compile', TINY, '-o', project, '--bind', 'sequence=8');
    expect(r.exitCode).toBe(0);
    const next = /; next: (.*)$/m.exec(r.stdout)![1];
    expect(next).toBe(`node bin/llm2hls.js sim ${project} --mode csim --inputs ${path.join(project, 'csim', 'sample')} --out ${path.join(project, 'sim-out')}`);
    const sim = await execa('bash', ['-c', next], { cwd: ROOT, reject: false });
    expect(sim.exitCode, sim.stderr).toBe(0);
  }, 120_000);

  it('prints plain `llm2hls` when that is on PATH (setup.sh --link, npm link)', async () => {
    const binDir = tempDir();
    fs.symlinkSync(BIN, path.join(binDir, 'llm2hls'));
    const r = await execa('llm2hls', ['compile', TINY, '-o', path.join(tempDir(), 'hls'), '--bind', 'sequence=8', '--precision', 'fp32'],
      { reject: false, env: { PATH: `${binDir}${path.delimiter}${process.env.PATH}`, FORCE_COLOR: '0' } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/next: llm2hls sim /);
  });
});

describe('one unit system, and an explained table', () => {
  it('sizes are binary (KiB, MiB) in inspect, estimate and compile', async () => {
    const inspect = await llm2hls('inspect', TINY);
    const estimate = await llm2hls('estimate', TINY, '--bind', 'sequence=8');
    const compile = await llm2hls('compile', TINY, '-o', path.join(tempDir(), 'hls'), '--bind', 'sequence=8', '--precision', 'fp32');
    expect(inspect.stdout).toMatch(/parameters \(\d+\.\d\d KiB\)/);
    expect(estimate.stdout).toMatch(/weights: \d+\.\d\d KiB on chip/);
    expect(compile.stdout).toMatch(/\d+\.\d\d KiB of weights/);
    for (const text of [inspect.stdout, estimate.stdout, compile.stdout]) expect(text).not.toMatch(/\d (kB|MB|GB)\b/);
  });

  it('estimate explains its columns under the table', async () => {
    const r = await llm2hls('estimate', TINY, '--bind', 'sequence=8');
    const lines = r.stdout.split('\n');
    const legend = lines.findIndex((l) => l.startsWith('cycles: '));
    expect(lines[legend - 1]).toMatch(/^MatMul_167 /); // the table's last row
    for (const column of ['II: ', 'lanes AxB: ', 'tt: token tile', 'BRAM18K: ']) expect(lines[legend]).toContain(column);
  });
});

describe('API errors speak to both audiences', () => {
  it('names the API option and the flag', async () => {
    expectCleanFailure(await llm2hls('generate', PAST, '--prompt-ids', ',', '--max-new-tokens', '1'), /promptIds \(--prompt-ids\): give at least one token id/, expect);
  });
});

describe('generate output', () => {
  it('prints the tokens separated by spaces, with no trailing space', async () => {
    const r = await llm2hls('generate', PAST, '--prompt-ids', '1,2', '--max-new-tokens', '4');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^\d+ \d+ \d+ \d+$/);
  });
});

describe('names from a model are escaped', () => {
  const evil = 'x\u001b[31mred\u202egnp.exe\nline2';
  const model = () => {
    const dir = tempDir();
    const b = new ModelBuilder('g\u001b]0;title\u0007', 17);
    const x = b.input(evil, 'float32', [1, 4]);
    b.output(b.node(`Evil\u001b[2JOp`, [x], {}, `node\r\u202ename`), 'float32', [1, 4]);
    b.save(path.join(dir, 'evil.onnx'));
    return path.join(dir, 'evil.onnx');
  };
  const raw = /[\u0000-\u0008\u000b-\u001f\u007f\u202e]/; // anything but \t and \n between lines

  it('in inspect\'s report', async () => {
    const r = await llm2hls('inspect', model());
    expect(r.exitCode).toBe(3);
    expect(r.stdout).not.toMatch(raw);
    expect(r.stdout).toContain('x\\e[31mred\\u{202e}gnp.exe\\nline2: float32[1, 4]');
    expect(r.stdout).toContain("Evil\\e[2JOp in node 'node\\r\\u{202e}name'");
  });

  it('in error messages: one line, escaped', async () => {
    const r = await llm2hls('run', model(), '--inputs', tempDir(), '--out', tempDir());
    expectCleanFailure(r, /no input_0\.pb or input_0\.npy found \(the model takes 'x\\e\[31mred\\u\{202e\}gnp\.exe\\nline2'\)/, expect);
    expect(r.stderr).not.toMatch(raw);
  });
});

describe('scripts/setup.sh', () => {
  /** A copy of setup.sh in a scratch tree, with npm and npx stubbed to log their calls. */
  function scratch(): { root: string; run: (args: string[], env?: Record<string, string>, tty?: boolean) => Promise<{ stderr: string; calls: string[]; exitCode: number }> } {
    const root = tempDir('llm2hls-setup-');
    fs.mkdirSync(path.join(root, 'scripts'));
    fs.mkdirSync(path.join(root, 'bin'));
    for (const f of ['scripts/setup.sh', 'package.json', 'package-lock.json', 'bin/llm2hls.js']) fs.copyFileSync(path.join(ROOT, f), path.join(root, f));
    const stubs = path.join(root, 'stubs');
    fs.mkdirSync(stubs);
    const log = path.join(root, 'calls.log');
    for (const tool of ['npm', 'npx']) fs.writeFileSync(path.join(stubs, tool), `#!/bin/sh\necho "${tool} $*" >> "${log}"\n`, { mode: 0o755 });
    return {
      root,
      run: async (args, env = {}, tty = false) => {
        fs.rmSync(log, { force: true });
        const setup = ['bash', path.join(root, 'scripts', 'setup.sh'), ...args];
        // util-linux `script` gives the command a terminal; its output (stderr included) arrives on stdout.
        const [cmd, argv] = tty ? ['script', ['-qec', setup.join(' '), '/dev/null']] : [setup[0], setup.slice(1)];
        const r = await execa(cmd, argv, { reject: false, env: { PATH: `${stubs}${path.delimiter}${process.env.PATH}`, HOME: root, ...env }, extendEnv: false });
        return { stderr: String(tty ? r.stdout : r.stderr), exitCode: r.exitCode ?? -1, calls: fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [] };
      },
    };
  }

  it('builds once: npm ci (whose prepare script runs tsc) on a fresh tree, tsc alone on an installed one; no escape codes when piped', async () => {
    const s = scratch();
    const fresh = await s.run([]);
    expect(fresh.exitCode, fresh.stderr).toBe(0);
    expect(fresh.calls).toEqual([expect.stringMatching(/^npm ci /)]);
    expect(fresh.stderr).not.toMatch(/\u001b/);
    expect(fresh.stderr).toMatch(/^\[setup\] ready: node bin\/llm2hls\.js --help$/m);
    fs.mkdirSync(path.join(s.root, 'node_modules'));
    const lock = path.join(s.root, 'node_modules', '.package-lock.json');
    fs.writeFileSync(lock, '{}');
    fs.utimesSync(lock, new Date(Date.now() + 60_000), new Date(Date.now() + 60_000));
    const installed = await s.run([]);
    expect(installed.calls).toEqual(['npx tsc -p tsconfig.json']);
  });

  it('colours its lines on a terminal, unless NO_COLOR is set', async () => {
    const s = scratch();
    const onTty = (env: Record<string, string>) => s.run([], env, true);
    expect((await onTty({})).stderr).toMatch(/\u001b\[1m\[setup\]/);
    expect((await onTty({ NO_COLOR: '1' })).stderr).not.toMatch(/\u001b/);
  });

  it('--link puts llm2hls on PATH without sudo, and says so', async () => {
    const s = scratch();
    const binDir = path.join(s.root, '.local', 'bin');
    const off = await s.run(['--link']);
    expect(off.exitCode, off.stderr).toBe(0);
    expect(fs.realpathSync(path.join(binDir, 'llm2hls'))).toBe(fs.realpathSync(path.join(s.root, 'bin', 'llm2hls.js')));
    expect(off.stderr).toMatch(/is not on PATH; add it .*export PATH=/);
    const on = await s.run(['--link'], { PATH: `${binDir}${path.delimiter}${path.join(s.root, 'stubs')}${path.delimiter}${process.env.PATH}` });
    expect(on.stderr).toMatch(/ready: llm2hls --help$/m);
  });
});
