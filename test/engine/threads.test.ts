import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const helper = fileURLToPath(new URL("./helpers/tiny-autoencoder.ts", import.meta.url));

interface Trajectory {
  device: string;
  threads: number;
  kernelMessages: number;
  losses: string[];
  params: string[];
}

/** The thread count is fixed when src/engine/jax.ts is imported, hence one process each. */
async function train(
  threads: number,
  device = "wasm",
  env: Record<string, string> = {},
): Promise<Trajectory> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", helper], {
    env: {
      ...process.env,
      DISENTANGLE_THREADS: String(threads),
      DISENTANGLE_DEVICE: device,
      ...env,
    },
    timeout: 120_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as Trajectory;
}

const lossValue = (hex: string) => Buffer.from(hex, "hex").readFloatLE(0);

test("wasm: jitted Adam training gives bit-identical losses and parameters on 1 and 2 threads", async () => {
  const [one, two] = await Promise.all([train(1), train(2)]);
  assert.equal(one.threads, 1);
  assert.equal(two.threads, 2);
  assert.equal(one.kernelMessages, 0, "1 thread runs every kernel on the main thread");
  assert.ok(two.kernelMessages > 0, "2 threads dispatch kernels to worker threads");
  assert.equal(one.losses.length, 5);
  assert.ok(
    lossValue(one.losses[4]) < lossValue(one.losses[0]),
    `training lowers the loss: ${one.losses.map(lossValue).join(", ")}`,
  );
  assert.deepEqual(two.losses, one.losses, "loss trajectories (float32 bits)");
  assert.equal(two.params.length, one.params.length);
  for (const [i, bytes] of one.params.entries()) {
    assert.equal(two.params[i], bytes, `parameter leaf ${i} bytes`);
  }
});

/** Layers wide enough that the native backend splits its kernels across threads. */
const WIDE = { HELPER_WIDTHS: "256,512,16,512,256", HELPER_LR: "1e-3" };

test("native: jitted Adam training gives bit-identical losses and parameters on 1 and 2 threads", async () => {
  const [one, two] = await Promise.all([train(1, "native", WIDE), train(2, "native", WIDE)]);
  assert.equal(one.device, "native");
  assert.equal(two.threads, 2);
  assert.ok(
    lossValue(one.losses[4]) < lossValue(one.losses[0]),
    `training lowers the loss: ${one.losses.map(lossValue).join(", ")}`,
  );
  assert.deepEqual(two.losses, one.losses, "loss trajectories (float32 bits)");
  for (const [i, bytes] of one.params.entries()) {
    assert.equal(two.params[i], bytes, `parameter leaf ${i} bytes`);
  }
});

test("native and wasm agree over 50 Adam steps to float32 rounding", async () => {
  const env = { ...WIDE, HELPER_STEPS: "50" };
  const [wasm, native] = await Promise.all([train(1, "wasm", env), train(1, "native", env)]);
  assert.equal(native.device, "native");
  assert.equal(wasm.device, "wasm");
  const gaps = wasm.losses.map((hex, i) => {
    const [a, b] = [lossValue(hex), lossValue(native.losses[i])];
    return Math.abs(a - b) / Math.abs(a);
  });
  // The two backends round differently (native fuses multiply-adds in matmuls, Wasm does not),
  // so trajectories drift apart by float32 rounding accumulated over the steps, no more.
  assert.ok(Math.max(...gaps) < 1e-4, `largest relative loss gap ${Math.max(...gaps)}`);
  assert.ok(
    lossValue(native.losses[49]) < lossValue(native.losses[0]) * 0.9,
    "native training converges",
  );
});
