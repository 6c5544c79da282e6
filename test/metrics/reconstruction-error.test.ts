/**
 * The `reconstruction` metric against a closed form: a decoder whose last layer is zeroed to a
 * constant bias decodes every code to the same grey image, so the held-out MSE is the mean of
 * (x - b)² over the held-out pixels and log p(x|z) that of Σ log N(x; b, σ²), whatever z is.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { initEngine } from "../../src/engine/device.ts";
import { numpy as np } from "../../src/engine/jax.ts";
import { keyFromSeed } from "../../src/engine/prng.ts";
import { psnr, reconstructionError } from "../../src/metrics/reconstruction-error.ts";
import { buildModel, heldOutOrder } from "../../src/run/build.ts";
import { loadRunDataset } from "../../src/run/build-dataset.ts";
import { parseTrainConfig } from "../../src/run/config.ts";
import { logNormal } from "../distributions/reference.ts";

await initEngine();

test("held-out MSE, PSNR and log p(x|z) of a constant decoder match their closed forms", async () => {
  const config = parseTrainConfig(
    {
      model: "vae",
      data: "colored-shapes",
      dataOptions: { size: 16 },
      architecture: "mlp-chen",
      likelihood: "gaussian",
      gaussianVariance: 0.5,
      z: 2,
      validationFraction: 0.1,
    },
    "test",
  );
  const dataset = await loadRunDataset(config);
  const model = buildModel(config, dataset.imageShape);
  const params = model.init(keyFromSeed(3));
  const last = params.decoder.fcs[3];
  const grey = 0.3;
  last.w = np.zerosLike(last.w);
  last.b = np.fullLike(last.b, grey);
  const run = { runDir: "test", config, step: 0, dataset, model, params };
  const report = await reconstructionError(run, 25, 0);

  const order = heldOutOrder(config, dataset).slice(0, 25);
  const x = dataset.readBatch(Int32Array.from(order));
  let squared = 0;
  let logPx = 0;
  for (const v of x) {
    squared += (v - grey) ** 2;
    logPx += logNormal(v, grey, Math.log(0.5));
  }
  assert.equal(report.images, 25);
  const mse = squared / x.length;
  assert.ok(Math.abs(report.mse - mse) < 1e-6, `mse ${report.mse} vs ${mse}`);
  assert.ok(Math.abs(report.psnr - 10 * Math.log10(1 / mse)) < 1e-4, `psnr ${report.psnr}`);
  assert.ok(Math.abs(report.logPxGivenZ - logPx / 25) < 1e-3 * Math.abs(logPx / 25));
  assert.ok(report.kl >= 0, `KL ${report.kl}`);
  assert.ok(Math.abs(report.elbo - (report.logPxGivenZ - report.kl)) < 1e-6);
  assert.equal(psnr(0.01), 20);
});
