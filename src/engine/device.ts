/**
 * Device setup: Wasm by default (threads from the worker shim), WebGPU where the runtime
 * offers it (a browser, or Node with a GPU through the optional `webgpu` package).
 */
import { defaultDevice, init } from "./jax.ts";
import { configuredThreads } from "./worker-shim.ts";

export type DeviceName = "wasm" | "webgpu" | "cpu";
export const DEVICE_NAMES: readonly DeviceName[] = ["wasm", "webgpu", "cpu"];

export interface EngineInfo {
  device: DeviceName;
  /** Wasm kernel threads (1 = main thread only). Fixed when the engine is first imported. */
  threads: number;
}

/** Raised when a device was asked for and the runtime cannot provide it. */
export class DeviceUnavailableError extends Error {
  override name = "DeviceUnavailableError";
}

/** Gives Node a `navigator.gpu` from the optional `webgpu` (Dawn) package, if installed. */
async function provideNodeWebGPU(): Promise<string | undefined> {
  const nav = globalThis.navigator as { gpu?: unknown } | undefined;
  if (nav?.gpu) return undefined;
  if (typeof process === "undefined" || !process.versions?.node) {
    return "this browser does not expose navigator.gpu (WebGPU is off or unsupported)";
  }
  let dawn: { create: (options: string[]) => unknown; globals?: Record<string, unknown> };
  try {
    const moduleName = "webgpu";
    dawn = await import(/* @vite-ignore */ moduleName);
  } catch {
    return "Node has no WebGPU: install the optional package with `npm install webgpu` on a machine with a GPU driver";
  }
  Object.assign(globalThis, dawn.globals ?? {});
  Object.defineProperty(globalThis.navigator, "gpu", {
    value: dawn.create([]),
    configurable: true,
  });
  return undefined;
}

/**
 * Initialises the engine on `device` and makes it the default for new arrays.
 * Throws {@link DeviceUnavailableError} with the reason when the device is not available.
 */
export async function initEngine(device: DeviceName = "wasm"): Promise<EngineInfo> {
  if (!DEVICE_NAMES.includes(device)) {
    throw new DeviceUnavailableError(
      `unknown device ${JSON.stringify(device)}: expected one of ${DEVICE_NAMES.join(", ")}`,
    );
  }
  let reason: string | undefined;
  if (device === "webgpu") reason = await provideNodeWebGPU();
  const available = reason === undefined ? await init(device) : [];
  if (!available.includes(device)) {
    throw new DeviceUnavailableError(
      `device "${device}" is not available: ${reason ?? "the runtime offers no usable GPU adapter"}. Use --device wasm to run on the CPU.`,
    );
  }
  defaultDevice(device);
  return { device, threads: device === "wasm" ? configuredThreads : 1 };
}
