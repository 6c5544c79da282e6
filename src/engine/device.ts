/**
 * Device setup. In Node the default is the native backend (kernels compiled to C, see
 * native/backend.ts) when a C compiler is found, else Wasm, with one line saying why;
 * `DISENTANGLE_DEVICE` or an explicit device overrides it. Browsers use Wasm or WebGPU
 * (a browser, or Node with a GPU through the optional `webgpu` package).
 */
import { type Device, defaultDevice, init } from "./jax.ts";
import { configuredThreads } from "./worker-shim.ts";

export type DeviceName = "native" | "wasm" | "webgpu" | "cpu";
export const DEVICE_NAMES: readonly DeviceName[] = ["native", "wasm", "webgpu", "cpu"];

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

const isNode = typeof process !== "undefined" && Boolean(process.versions?.node);

let nativeInfo: EngineInfo | undefined;

/** Registers the native backend once (Node only); returns the reason when it cannot. */
async function initNative(): Promise<string | undefined> {
  if (nativeInfo) return undefined;
  if (!isNode) return "the native backend needs Node (browsers use wasm or webgpu)";
  const moduleName = "./native/register.ts";
  const { registerNativeBackend } = (await import(
    /* @vite-ignore */ moduleName
  )) as typeof import("./native/register.ts");
  const registered = registerNativeBackend(configuredThreads);
  if ("missing" in registered) return registered.missing;
  nativeInfo = { device: "native", threads: configuredThreads };
  return undefined;
}

let announced = false;

/**
 * The device used when none is named: `DISENTANGLE_DEVICE` if set; in Node, native when a C
 * compiler is found, else wasm (saying why once on stderr); wasm in a browser.
 */
export async function defaultDeviceName(): Promise<DeviceName> {
  const fromEnv = isNode ? process.env.DISENTANGLE_DEVICE : undefined;
  if (fromEnv) return fromEnv as DeviceName;
  if (!isNode) return "wasm";
  const reason = await initNative();
  if (reason === undefined) return "native";
  if (!announced) {
    announced = true;
    console.error(`disentangle: running on wasm, not native: ${reason}`);
  }
  return "wasm";
}

/**
 * Initialises the engine on `device` (default: {@link defaultDeviceName}) and makes it the
 * default for new arrays. Throws {@link DeviceUnavailableError} with the reason when the
 * device is not available.
 */
export async function initEngine(device?: DeviceName): Promise<EngineInfo> {
  const chosen = device ?? (await defaultDeviceName());
  if (!DEVICE_NAMES.includes(chosen)) {
    throw new DeviceUnavailableError(
      `unknown device ${JSON.stringify(chosen)}${device === undefined ? " (from DISENTANGLE_DEVICE)" : ""}: expected one of ${DEVICE_NAMES.join(", ")}`,
    );
  }
  let reason: string | undefined;
  let available: string[] = [];
  if (chosen === "native") {
    reason = await initNative();
    if (reason === undefined) available = ["native"];
  } else {
    if (chosen === "webgpu") reason = await provideNodeWebGPU();
    if (reason === undefined) available = await init(chosen);
  }
  if (!available.includes(chosen)) {
    throw new DeviceUnavailableError(
      `device "${chosen}" is not available: ${reason ?? "the runtime offers no usable GPU adapter"}. Use --device wasm to run on the CPU.`,
    );
  }
  defaultDevice(chosen as Device);
  current = {
    device: chosen,
    threads: chosen === "wasm" || chosen === "native" ? configuredThreads : 1,
  };
  return current;
}

let current: EngineInfo | undefined;

/** The engine {@link initEngine} set up last, if any (recorded in a run's config.json). */
export function currentEngine(): EngineInfo | undefined {
  return current;
}
