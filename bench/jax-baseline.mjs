/**
 * `node --import ./bench/jax-baseline.mjs`: resolves `@jax-js/jax` to the package copy in the
 * directory named by BENCH_JAX_BASELINE (a copy of node_modules/@jax-js/jax from before a change
 * to the patch), for the bench's before/after rows (bench/run.ts --jax-baseline).
 */
import { existsSync } from "node:fs";
import { register } from "node:module";
import { join, resolve } from "node:path";

const dir = resolve(process.env.BENCH_JAX_BASELINE ?? "");
if (!process.env.BENCH_JAX_BASELINE || !existsSync(join(dir, "dist", "index.js"))) {
  throw new Error(
    `bench/jax-baseline.mjs: BENCH_JAX_BASELINE=${process.env.BENCH_JAX_BASELINE ?? ""} is not a copy of @jax-js/jax (no dist/index.js)`,
  );
}
register("./jax-baseline-hooks.mjs", import.meta.url, { data: { dir } });
