/** A progress bar on stderr for long work, shown only when stderr is a terminal. */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

export function progressBar(label: string, minTotal = 50): Progress {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(done, total) {
      if (total < minTotal) return;
      if (!bar) {
        bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {value}/{total} ({eta}s left)`, stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic);
        bar.start(total, 0);
      }
      bar.update(done);
    },
    stop() { bar?.stop(); },
  };
}

/**
 * One bar per named step of a longer operation (e.g. compile: calibrating,
 * quantizing, planning, writing weights), shown in turn on stderr when it
 * is a terminal; `minTotal` per step hides steps too small to matter.
 */
export function stepProgress(minTotal: Record<string, number>): { update: (step: string, done: number, total: number) => void; stop: () => void } {
  let current: { step: string; bar: Progress } | undefined;
  return {
    update: (step, done, total) => {
      if (current?.step !== step) {
        current?.bar.stop();
        current = { step, bar: progressBar(step, minTotal[step] ?? 50) };
      }
      current.bar.update(done, total);
    },
    stop: () => { current?.bar.stop(); current = undefined; },
  };
}
