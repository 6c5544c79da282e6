import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { initEngine } from "../../src/engine/device.ts";
import { initConv2d, initConvTranspose2d, initDense } from "../../src/engine/init.ts";
import { keyFromSeed } from "../../src/engine/prng.ts";

await initEngine();

interface Stats {
  n: number;
  min: number;
  max: number;
  mean: number;
  std: number;
}
interface LayerFixture {
  kind: "dense" | "conv2d" | "convTranspose2d";
  args: Record<string, number>;
  weightShape: number[];
  bound: number;
  weight: Stats;
  bias: Stats;
}
const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/init.json", import.meta.url), "utf8"),
) as { layers: LayerFixture[] };

function stats(values: ArrayLike<number>): Stats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
    sum += values[i];
  }
  const mean = sum / values.length;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i] - mean) ** 2;
  return { n: values.length, min, max, mean, std: Math.sqrt(sq / values.length) };
}

function init(layer: LayerFixture, seed: number) {
  const key = keyFromSeed(seed);
  const a = layer.args;
  if (layer.kind === "dense") return initDense(key, a.inFeatures, a.outFeatures);
  if (layer.kind === "conv2d") return initConv2d(key, a.inChannels, a.outChannels, a.kernel);
  return initConvTranspose2d(key, a.inChannels, a.outChannels, a.kernel);
}

/**
 * Checks a sample against U(−b, b) (mean 0, sd b/√3; the sd of the sample mean is
 * b/√(3n), of the sample sd ≈ b/√(15n)) and against PyTorch's own empirical statistics
 * (two independent samples: √2 times those), at 5 sigma. min/max must lie inside
 * [−b, b] and within 20/n·2b of the ends (probability of a miss ≈ e^−20).
 */
function checkUniform(ours: Stats, torch: Stats, bound: number, what: string): void {
  const sdMean = bound / Math.sqrt(3 * ours.n);
  const sdStd = bound / Math.sqrt(15 * ours.n);
  const near = (a: number, b: number, tol: number, label: string) =>
    assert.ok(Math.abs(a - b) <= tol, `${what} ${label}: ${a} vs ${b} (tolerance ${tol})`);
  near(ours.mean, 0, 5 * sdMean, "mean vs closed form");
  near(ours.std, bound / Math.sqrt(3), 5 * sdStd, "std vs closed form");
  near(ours.mean, torch.mean, 5 * Math.SQRT2 * sdMean, "mean vs PyTorch");
  near(ours.std, torch.std, 5 * Math.SQRT2 * sdStd, "std vs PyTorch");
  const gap = (40 / ours.n) * bound;
  assert.ok(
    ours.min >= -bound && ours.max <= bound,
    `${what}: range [${ours.min}, ${ours.max}] exceeds ±${bound}`,
  );
  near(ours.min, -bound, gap, "min");
  near(ours.max, bound, gap, "max");
  near(ours.min, torch.min, gap, "min vs PyTorch");
  near(ours.max, torch.max, gap, "max vs PyTorch");
}

for (const layer of fixture.layers) {
  test(`${layer.kind} ${JSON.stringify(layer.args)} matches PyTorch's default initialisation`, async () => {
    const p = init(layer, 11);
    // Every weight, Linear included, has PyTorch's layout.
    assert.deepEqual(p.w.shape, layer.weightShape);
    assert.deepEqual(p.b.shape, [layer.bias.n]);
    checkUniform(stats(await p.w.data()), layer.weight, layer.bound, `${layer.kind} weight`);
    checkUniform(stats(await p.b.data()), layer.bias, layer.bound, `${layer.kind} bias`);
  });
}

test("initialisation is a pure function of the key; weight and bias use distinct streams", async () => {
  const a = initDense(keyFromSeed(5), 3, 4);
  const b = initDense(keyFromSeed(5), 3, 4);
  const c = initDense(keyFromSeed(6), 3, 4);
  const [aw, bw, cw, ab] = [await a.w.data(), await b.w.data(), await c.w.data(), await a.b.data()];
  assert.deepEqual(aw, bw);
  assert.notDeepEqual(aw, cw);
  assert.notDeepEqual(Array.from(aw.slice(0, 4)), Array.from(ab));
});

test("non-positive or fractional sizes are rejected with the argument name", () => {
  assert.throws(
    () => initDense(keyFromSeed(1), 0, 4),
    /initDense: inFeatures must be a positive integer, got 0/,
  );
  assert.throws(
    () => initConv2d(keyFromSeed(1), 3, 4, 2.5),
    /initConv2d: kernel must be a positive integer, got 2.5/,
  );
});
