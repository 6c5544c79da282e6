/**
 * Builds the explorer page (src/web) with vite: `npm run build` puts it in dist/web/, and
 * `disentangle serve` builds it on first use in a checkout (src/server/page.ts). Relative
 * asset URLs (`base: "./"`), so the same files work under the server and as `export-web`'s
 * static site.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL("../../src/web", import.meta.url)),
  base: "./",
  publicDir: false,
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  worker: { format: "es" },
  build: {
    outDir: fileURLToPath(new URL("../../dist/web", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    // No modulepreload polyfill or preload helper: they touch `document`, and this bundle also
    // runs as the training worker.
    modulePreload: false,
    chunkSizeWarningLimit: 3000,
    reportCompressedSize: false,
  },
});
