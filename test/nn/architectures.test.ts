import assert from "node:assert/strict";
import { test } from "node:test";
import { type ConvSchedule, conv2d, convTranspose2d } from "../../src/engine/conv.ts";
import { dense } from "../../src/engine/dense.ts";
import { initEngine } from "../../src/engine/device.ts";
import { type Array, nn, numpy as np, random, tree, valueAndGrad } from "../../src/engine/jax.ts";
import { keyFromSeed } from "../../src/engine/prng.ts";
import {
  ArchitectureShapeError,
  type DecoderParams,
  type EncoderParams,
} from "../../src/nn/architecture.ts";
import { createArchitecture } from "../../src/nn/architectures/index.ts";

await initEngine();

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

/**
 * The plain k4/s2/p1 stack (every stage pads its own input), written directly with the
 * engine's convolutions, which are tested against PyTorch. conv-stack.ts computes the same
 * values with bordered activations.
 */
function plainConvStack(encoder: EncoderParams, decoder: DecoderParams, x: Array): Array {
  const stage = { stride: 2, padding: 1 };
  const borrow = <T>(p: T): T => tree.map((a: Array) => a.ref, p as never) as T;
  const batch = x.shape[0];
  let h = x;
  for (const layer of encoder.convs) h = nn.relu(conv2d(h, layer.w.ref, stage).add(layer.b.ref));
  h = nn.relu(dense(borrow(encoder.fcs[0]), h.reshape([batch, -1])));
  const latent = dense(borrow(encoder.fcs[1]), h).slice([], [0, 3]);
  h = nn.relu(dense(borrow(decoder.fcs[0]), latent));
  const innerC = decoder.convs[0].w.shape[0];
  const inner = Math.sqrt(decoder.fcs[1].w.shape[0] / innerC);
  h = nn.relu(dense(borrow(decoder.fcs[1]), h));
  h = h.reshape([batch, inner, inner, innerC]);
  decoder.convs.forEach((layer, i) => {
    h = convTranspose2d(h, layer.w.ref, stage).add(layer.b.ref);
    if (i < decoder.convs.length - 1) h = nn.relu(h);
  });
  return h;
}

test("the bordered conv stacks compute the plain stack's values and gradients", async () => {
  for (const [name, size] of [
    ["conv-burgess", 64],
    ["conv-small", 28],
  ] as const) {
    const arch = createArchitecture(name, { imageShape: [size, size, 1], latentDim: 3 });
    const params = {
      encoder: arch.initEncoder(keyFromSeed(7)),
      decoder: arch.initDecoder(keyFromSeed(8)),
    };
    const x = random.uniform(keyFromSeed(9), [2, size, size, 1]);
    const r = random.normal(keyFromSeed(10), [2, size, size, 1]);
    const bordered = (
      p: typeof params,
      xs: Array,
      rs: Array,
      schedule: ConvSchedule = "training",
    ): Array => {
      const { mu, logvar } = arch.encode(p.encoder, xs, schedule);
      logvar.dispose();
      return np.sum(arch.decode(p.decoder, mu, schedule).mul(rs));
    };
    const plain = (p: typeof params, xs: Array, rs: Array): Array => {
      const out = np.sum(plainConvStack(p.encoder, p.decoder, xs).mul(rs));
      tree.dispose(p);
      return out;
    };
    // Forward-only passes (encoding a dataset, decoding samples) use the inference schedule.
    const inference = bordered(
      tree.map((a: Array) => a.ref, params),
      x.ref,
      r.ref,
      "inference",
    );
    const [valueB, gradB] = valueAndGrad(bordered)(
      tree.map((a: Array) => a.ref, params),
      x.ref,
      r.ref,
    );
    const [valueP, gradP] = valueAndGrad(plain)(params, x, r);
    const [b, p] = [(await valueB.data())[0], (await valueP.data())[0]];
    assert.ok(Math.abs(b - p) <= 1e-5 * Math.abs(p), `${name}: value ${b} vs plain ${p}`);
    const inf = (await inference.data())[0];
    assert.ok(Math.abs(inf - p) <= 1e-5 * Math.abs(p), `${name}: inference ${inf} vs plain ${p}`);
    const leavesB = tree.leaves(gradB) as Array[];
    const leavesP = tree.leaves(gradP) as Array[];
    assert.equal(leavesB.length, leavesP.length);
    for (let i = 0; i < leavesB.length; i++) {
      const [gb, gp] = [await leavesB[i].data(), await leavesP[i].data()];
      let err = 0;
      let scale = 0;
      for (let k = 0; k < gp.length; k++) {
        err = Math.max(err, Math.abs(gb[k] - gp[k]));
        scale = Math.max(scale, Math.abs(gp[k]));
      }
      assert.ok(err <= 1e-4 * scale, `${name}: gradient leaf ${i} relative error ${err / scale}`);
    }
  }
});
