/**
 * Registers the native backend with jax-js under the device name "native" (through the
 * `registerBackend` that patches/@jax-js+jax+0.1.25.patch adds; see docs/upstream/).
 */
import { registerBackend } from "@jax-js/jax/backend";
import { NativeBackend } from "./backend.ts";
import { findCompiler } from "./compiler.ts";

let registered: NativeBackend | undefined;

/** Creates and registers the backend once; returns it, or why it cannot run here. */
export function registerNativeBackend(threads: number): NativeBackend | { missing: string } {
  if (registered) return registered;
  const compiler = findCompiler();
  if ("missing" in compiler) return compiler;
  registered = new NativeBackend(compiler, threads);
  registerBackend("native", registered);
  return registered;
}

/** The registered backend, if any (for its compile statistics). */
export function nativeBackend(): NativeBackend | undefined {
  return registered;
}
