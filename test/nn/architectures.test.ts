import assert from "node:assert/strict";
import { test } from "node:test";
import { initEngine } from "../../src/engine/device.ts";
import { type Array, numpy as np, tree } from "../../src/engine/jax.ts";
import { keyFromSeed } from "../../src/engine/prng.ts";
import { ArchitectureShapeError } from "../../src/nn/architecture.ts";
import { createArchitecture } from "../../src/nn/architectures/index.ts";

await initEngine("wasm");

function parameterCount(params: unknown): number {
  return tree.leaves(params as never).reduce((n: number, leaf) => {
    const size = (leaf as Array).size;
    (leaf as Array).dispose();
    return n + size;
  }, 0);
}

// Parameter counts of the PyTorch modules, by hand: Conv2d(c, o, 4) has o*c*16 + o,
// ConvTranspose2d(c, o, 4) has c*o*16 + o, Linear(i, o) has i*o + o.
const conv = (c: number, o: number) => o * c * 16 + o;
const linear = (i: number, o: number) => i * o + o;

test("conv-burgess matches the Burgess et al. net: shapes and parameter count", () => {
  const arch = createArchitecture("conv-burgess", { imageShape: [64, 64, 1], latentDim: 10 });
  const encoder = arch.initEncoder(keyFromSeed(1));
  const decoder = arch.initDecoder(keyFromSeed(2));
  const expectedEncoder =
    conv(1, 32) + conv(32, 32) + conv(32, 64) + conv(64, 64) + linear(1024, 256) + linear(256, 20);
  const expectedDecoder =
    linear(10, 256) + linear(256, 1024) + conv(64, 64) + conv(64, 32) + conv(32, 32) + conv(32, 1);
  const x = np.zeros([2, 64, 64, 1]);
  const { mu, logvar } = arch.encode(tree.ref(encoder as never) as never, x);
  assert.deepEqual(mu.shape, [2, 10]);
  assert.deepEqual(logvar.shape, [2, 10]);
  const out = arch.decode(tree.ref(decoder as never) as never, mu);
  assert.deepEqual(out.shape, [2, 64, 64, 1]);
  out.dispose();
  logvar.dispose();
  assert.equal(parameterCount(encoder), expectedEncoder);
  assert.equal(parameterCount(decoder), expectedDecoder);
});

test("mlp-chen matches Chen et al.'s MLP: 4096-1200-1200-2z and z-1200-1200-1200-4096", () => {
  const arch = createArchitecture("mlp-chen", { imageShape: [64, 64, 1], latentDim: 6 });
  const encoder = arch.initEncoder(keyFromSeed(3));
  const decoder = arch.initDecoder(keyFromSeed(4));
  const z = arch.encode(tree.ref(encoder as never) as never, np.zeros([3, 64, 64, 1]));
  z.logvar.dispose();
  const out = arch.decode(tree.ref(decoder as never) as never, z.mu);
  assert.deepEqual(out.shape, [3, 64, 64, 1]);
  out.dispose();
  assert.equal(parameterCount(encoder), linear(4096, 1200) + linear(1200, 1200) + linear(1200, 12));
  assert.equal(
    parameterCount(decoder),
    linear(6, 1200) + 2 * linear(1200, 1200) + linear(1200, 4096),
  );
});

test("conv-small takes 24x24, 28x28 and 32x32 images with any channel count", () => {
  for (const [size, channels] of [
    [24, 1],
    [28, 1],
    [32, 3],
  ]) {
    const arch = createArchitecture("conv-small", {
      imageShape: [size, size, channels],
      latentDim: 4,
    });
    const encoder = arch.initEncoder(keyFromSeed(5));
    const decoder = arch.initDecoder(keyFromSeed(6));
    const { mu, logvar } = arch.encode(encoder, np.zeros([2, size, size, channels]));
    logvar.dispose();
    const out = arch.decode(decoder, mu);
    assert.deepEqual(out.shape, [2, size, size, channels]);
    out.dispose();
  }
});

test("an image size the architecture cannot take is rejected with the sizes it needs", () => {
  assert.throws(
    () => createArchitecture("conv-burgess", { imageShape: [28, 28, 1], latentDim: 10 }),
    (error: Error) =>
      error instanceof ArchitectureShapeError &&
      /28x28/.test(error.message) &&
      /divisible by 16/.test(error.message),
  );
  assert.throws(
    () => createArchitecture("conv-small", { imageShape: [30, 30, 1], latentDim: 10 }),
    /divisible by 4/,
  );
  assert.throws(
    () => createArchitecture("mlp-chen", { imageShape: [8, 8, 1], latentDim: 0 }),
    /latent size 0/,
  );
});
