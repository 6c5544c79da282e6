/**
 * The project's only entry to `@jax-js/jax`. Importing the worker shim first is what gives
 * the Wasm backend its threads in Node (see `worker-shim.ts`); every other module imports
 * jax from here.
 */
import "./worker-shim.ts";

export * from "@jax-js/jax";
