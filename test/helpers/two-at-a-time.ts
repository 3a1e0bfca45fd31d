/** Runs at most two of the given jobs at once (two cores): Yosys syntheses queue here. */
let running = 0;
const queue: (() => void)[] = [];
export async function limited<T>(f: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((r) => queue.push(r));
  running++;
  try { return await f(); } finally { running--; queue.shift()?.(); }
}
