import { defineConfig } from "vitest/config";

// End-to-end run: one real staffsync dev stack and one headless Chromium, so one file at a time.
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 150_000,
  },
});
