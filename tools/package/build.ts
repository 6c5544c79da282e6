/**
 * `npm run build` (and `prepack`): compiles src/ to dist/ (ESM `.js` with source maps holding
 * their sources, `.d.ts`) with tsc, which rewrites the `.ts` import extensions, copies the
 * files src/ reads at run time next to the modules that read them, then builds the explorer
 * page (src/web) with vite into dist/web/, which `disentangle serve` serves when installed.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { buildPage } from "../../src/server/page.ts";

const root = join(import.meta.dirname, "../..");
const dist = join(root, "dist");

/** Non-TypeScript files under src/ that modules read through `import.meta.url`. */
const RUNTIME_ASSETS = ["engine/native/prelude.h", "engine/native/runtime.c"];

const started = performance.now();
rmSync(dist, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
  {
    cwd: root,
    stdio: "inherit",
  },
);
for (const asset of RUNTIME_ASSETS) {
  mkdirSync(dirname(join(dist, asset)), { recursive: true });
  copyFileSync(join(root, "src", asset), join(dist, asset));
}
buildPage(join(dist, "web"));
console.log(`dist/ built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
