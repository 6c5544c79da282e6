import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const helper = fileURLToPath(new URL("./helpers/tiny-autoencoder.ts", import.meta.url));

interface Trajectory {
  threads: number;
  kernelMessages: number;
  losses: string[];
  params: string[];
}

/** The thread count is fixed when src/engine/jax.ts is imported, hence one process each. */
async function train(threads: number): Promise<Trajectory> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", helper], {
    env: { ...process.env, DISENTANGLE_THREADS: String(threads) },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as Trajectory;
}

const lossValue = (hex: string) => Buffer.from(hex, "hex").readFloatLE(0);

test("jitted Adam training gives bit-identical losses and parameters on 1 and 2 threads", async () => {
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
