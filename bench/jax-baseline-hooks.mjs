/**
 * Module resolution hooks for `npm run bench -- --jax-baseline=DIR` (see bench/jax-baseline.mjs):
 * `@jax-js/jax` and `@jax-js/jax/backend` resolve to the copy of the package in DIR instead of
 * node_modules, so one bench run can time the installed jax-js against an earlier build of it.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";

let dir;

export function initialize(data) {
  dir = data.dir;
}

const ENTRIES = {
  "@jax-js/jax": "dist/index.js",
  "@jax-js/jax/backend": "dist/backend-api.js",
};

export async function resolve(specifier, context, nextResolve) {
  const entry = ENTRIES[specifier];
  if (entry) return { url: pathToFileURL(join(dir, entry)).href, shortCircuit: true };
  return nextResolve(specifier, context);
}
