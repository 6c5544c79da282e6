/**
 * Likelihoods in run configs: each likelihood takes its own options (the registry's schemas),
 * others' options are errors naming the likelihoods that take them, run folders written before
 * likelihoods had options still load with their old meaning, and a run with a per-pixel learned
 * scale or a logistic mixture trains, resumes and reconstructs from the command line.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { flagOverrides } from "../../src/cli/train.ts";
import { decodeSafetensors } from "../../src/engine/safetensors.ts";
import { likelihoodOf } from "../../src/run/build.ts";
import { parseTrainConfig } from "../../src/run/config.ts";
import { runConfigFromText } from "../../src/run/run-files.ts";
import { runCli, trainTinyRun } from "../helpers/cli.ts";
import { NATIVE_PASS_ONLY } from "../helpers/native-pass.ts";

// Run only in the native pass (NATIVE_PASS_ONLY):
// CLI plumbing; the likelihoods' values and gradients are checked on Wasm in
// test/distributions/likelihoods/.

test("each likelihood resolves its own options, with their defaults", () => {
  const of = (input: Record<string, unknown>) =>
    likelihoodOf(parseTrainConfig({ model: "vae", ...input }, "x"));
  assert.deepEqual(of({}), { kind: "bernoulli" });
  assert.deepEqual(of({ likelihood: "gaussian" }), { kind: "gaussian", variance: 1 });
  assert.deepEqual(of({ likelihood: "gaussian", gaussianVariance: "learned-pixel" }), {
    kind: "gaussian",
    variance: "learned-pixel",
  });
  assert.deepEqual(of({ likelihood: "laplace" }), { kind: "laplace", scale: "learned-pixel" });
  assert.deepEqual(of({ likelihood: "laplace", laplaceScale: 0.05 }), {
    kind: "laplace",
    scale: 0.05,
  });
  assert.deepEqual(of({ likelihood: "discretised-logistic" }), {
    kind: "discretised-logistic",
    components: 5,
  });
  assert.deepEqual(of({ likelihood: "perceptual", pixelVariance: "none" }), {
    kind: "perceptual",
    featureVariance: 0.1,
    pixelVariance: "none",
    featureSeed: 0,
  });
  const bernoulli = parseTrainConfig({ model: "vae" }, "x");
  assert.equal(bernoulli.gaussianVariance, undefined, "a Bernoulli run holds no variance");
});

test("options of another likelihood, and out-of-range ones, are errors naming field and value", () => {
  assert.throws(
    () =>
      parseTrainConfig({ likelihood: "discretised-logistic", laplaceScale: 0.1 }, "command line"),
    /field "laplaceScale" \(got 0.1\): the discretised-logistic likelihood takes no laplaceScale \(an option of laplace; choose one of those with --likelihood\)/,
  );
  assert.throws(
    () => parseTrainConfig({ gaussianVariance: "learned" }, "command line"),
    /the bernoulli likelihood takes no gaussianVariance \(an option of gaussian/,
  );
  assert.throws(
    () => parseTrainConfig({ likelihood: "discretised-logistic", mixtureComponents: 0 }, "x"),
    /mixtureComponents.*\(got 0\)/,
  );
  assert.throws(
    () => parseTrainConfig({ likelihood: "laplace", laplaceScale: "per-pixel" }, "x"),
    /laplaceScale.*per-pixel/,
  );
  assert.throws(() => parseTrainConfig({ likelihood: "poisson" }, "x"), /likelihood.*poisson/);
});

test("flags: --likelihood and its options, numbers or words", () => {
  const overrides = flagOverrides({
    likelihood: "laplace",
    laplaceScale: "learned",
    mixtureComponents: "3",
    gaussianVariance: "0.1",
  });
  assert.deepEqual(overrides, {
    likelihood: "laplace",
    laplaceScale: "learned",
    mixtureComponents: 3,
    gaussianVariance: 0.1,
  });
});

test("run folders written before likelihood options still load with their old meaning", () => {
  const old = (settings: Record<string, unknown>) =>
    likelihoodOf(runConfigFromText(JSON.stringify({ model: "vae", ...settings }), "config.json"));
  assert.deepEqual(old({ likelihood: "bernoulli", gaussianVariance: 1 }), { kind: "bernoulli" });
  assert.deepEqual(old({ likelihood: "gaussian", gaussianVariance: 0.1 }), {
    kind: "gaussian",
    variance: 0.1,
  });
  assert.deepEqual(old({ likelihood: "gaussian", gaussianVariance: "learned" }), {
    kind: "gaussian",
    variance: "learned",
  });
});

test("a per-pixel Laplace scale trains and resumes; a logistic mixture trains and reconstructs", {
  skip: NATIVE_PASS_ONLY,
}, async () => {
  const args = ["--model", "vae", "--z", "3", "--batch", "16", "--steps", "10"];
  const train = async (likelihood: string, option: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), `disentangle-${likelihood}-`));
    const { run, result } = await trainTinyRun(dir, [
      ...args,
      "--likelihood",
      likelihood,
      ...option,
      "--checkpoint-every",
      "10",
    ]);
    assert.equal(result.code, 0, result.stderr);
    return { dir, run };
  };
  // The learned per-pixel scale is a checkpointed parameter: it survives a resume.
  const laplace = await train("laplace", []);
  const resumed = await runCli([
    "train",
    "--resume",
    laplace.run,
    "--steps",
    "15",
    "--no-progress",
  ]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /done at step 15/);
  const { tensors } = decodeSafetensors(readFileSync(join(laplace.run, "checkpoint.safetensors")));
  assert.deepEqual(tensors["params.vae.likelihood.logscale"].shape, [16, 16, 1]);
  // The mixture's decoder gives K(1 + 2C) outputs per pixel; its mean image makes the picture.
  const logistic = await train("discretised-logistic", ["--mixture-components", "2"]);
  const out = join(logistic.dir, "reconstructions.png");
  const pictures = await runCli(["reconstruct", logistic.run, "--n", "4", "--out", out]);
  assert.equal(pictures.code, 0, pictures.stderr);
  assert.ok(readFileSync(out).length > 100, "a PNG");
});
