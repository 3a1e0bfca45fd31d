import { defineConfig } from 'vitest/config';

// Many tests run the real CLI, g++ and make in child processes; on a loaded 2-core CI machine
// a handful of those take longer than vitest's 5 s default without anything being wrong.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 120_000 },
});
