import { defineConfig } from "vite";

// The build is committed and embedded in the Go binary, so it must be byte-for-byte
// reproducible: content hashes only, no source maps, no timestamps.
export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: false,
    assetsInlineLimit: 0,
  },
  // `npx vite` serves the sources with live reload and forwards API calls to a running
  // staffsync (STAFFSYNC_API, default the dev address).
  server: {
    proxy: {
      "^/staffsync\\.v1\\..*": { target: process.env.STAFFSYNC_API ?? "http://127.0.0.1:8080", changeOrigin: true },
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
  },
});
