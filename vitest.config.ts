import { defineConfig } from 'vitest/config';

// Many tests run the real CLI, g++ and make in child processes; on a loaded 2-core CI machine
// a handful of those take longer than vitest's 5 s default without anything being wrong.
// Two test files at a time: most of a file's time is spent waiting on those children (g++,
// Verilator, Yosys), and vitest's default of one worker per spare core left one core idle.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 120_000, maxWorkers: 2 },
});
