import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { flagOverrides } from "../../src/cli/train.ts";
import { ConfigError, dropForeignHyperparameters, parseTrainConfig } from "../../src/run/config.ts";
import { loadTrainConfigFile } from "../../src/run/config-file.ts";

test("defaults make a beta-TCVAE on sprites with its descriptor's hyperparameters", () => {
  const config = parseTrainConfig({}, "command line");
  assert.equal(config.model, "beta-tcvae");
  assert.equal(config.data, "sprites");
  assert.equal(config.prior, "normal");
  assert.deepEqual([config.alpha, config.beta, config.gamma, config.estimator], [1, 6, 1, "mss"]);
  const vae = parseTrainConfig({ model: "vae" }, "x");
  assert.equal(vae.beta, undefined, "the VAE holds no beta");
  assert.equal(vae.estimator, undefined, "nor beta-TCVAE's estimator");
});

test("a hyperparameter the model does not take is an error naming the models that do", () => {
  assert.throws(
    () => parseTrainConfig({ model: "beta-vae", alpha: 2 }, "command line"),
    /field "alpha" \(got 2\): beta-vae takes no alpha \(a hyperparameter of beta-tcvae/,
  );
  assert.throws(
    () => parseTrainConfig({ model: "beta-tcvae", queries: ["shape"] }, "command line"),
    /beta-tcvae takes no queries \(a hyperparameter of triplet-vae/,
  );
  assert.throws(
    () => parseTrainConfig({ model: "beta-vae", base: "vae" }, "command line"),
    /field "base".*only the triplet VAE has a base objective/,
  );
});

test("the triplet VAE takes its base's hyperparameters and its own, with the legacy divergence name", () => {
  const config = parseTrainConfig(
    { model: "triplet-vae", base: "beta-tcvae", queries: ["color"], divergence: "jensen-shannon" },
    "x",
  );
  assert.equal(config.estimator, "mss");
  assert.equal(config.divergence, "jensen-shannon-per-dim");
  assert.equal(config.tripletsPerQuery, 16);
  assert.throws(
    () => parseTrainConfig({ model: "triplet-vae" }, "x"),
    /field "queries": the triplet VAE needs at least one query/,
  );
  assert.throws(
    () => parseTrainConfig({ model: "triplet-vae", queries: [] }, "x"),
    /needs at least one query/,
  );
});

test("a run folder written before hyperparameters belonged to their objective still reads", () => {
  const old = {
    model: "beta-vae",
    base: "vae",
    beta: 4,
    alpha: 1,
    gamma: 1,
    estimator: "mss",
    queries: [],
    tripletsPerQuery: 16,
    divergence: "jensen-shannon",
    steps: 10,
  };
  const config = parseTrainConfig(dropForeignHyperparameters(old), "config.json");
  assert.equal(config.beta, 4);
  assert.equal(config.alpha, undefined);
  assert.equal(config.queries, undefined);
  assert.equal(config.base, undefined, "the triplet VAE's base is not a beta-VAE setting");
  assert.equal(config.prior, "normal", "runs without a prior field had the standard normal");
});

test("a bad config file names the file, the line, the field, the value and what was expected", () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-config-"));
  const path = join(dir, "run.json");
  writeFileSync(
    path,
    '{\n  "model": "beta-tcvae",\n  "steps": 1.5,\n  "beta": "six",\n  "bogus": 1\n}\n',
  );
  assert.throws(
    () => loadTrainConfigFile(path),
    (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, new RegExp(`${path}:3: field "steps" \\(got 1.5\\): .*int`));
      assert.match(
        error.message,
        new RegExp(`${path}:4: field "beta" \\(got "six"\\): .*expected number`),
      );
      assert.match(error.message, /Unrecognized key: "bogus"/);
      return true;
    },
  );
});

test("unknown model and dataset list the valid choices", () => {
  assert.throws(
    () => parseTrainConfig({ model: "gan" }, "command line"),
    /field "model" \(got "gan"\).*"vae"\|"beta-vae"\|"beta-tcvae"/,
  );
  assert.throws(
    () => parseTrainConfig({ data: "imagenet" }, "command line"),
    /field "data".*"sprites"/,
  );
});

test("the plain VAE refuses a beta and points at the models that have one", () => {
  assert.throws(
    () => parseTrainConfig({ model: "vae", beta: 4 }, "command line"),
    /vae takes no beta \(a hyperparameter of beta-vae, beta-tcvae; choose one of those with --model\)/,
  );
});

test("flags override the file and keep non-numeric text for the error message", () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-config-"));
  const path = join(dir, "run.json");
  writeFileSync(path, JSON.stringify({ steps: 100, beta: 2, model: "beta-vae" }));
  const config = loadTrainConfigFile(path, flagOverrides({ steps: "300", arch: "conv-small" }));
  assert.equal(config.steps, 300);
  assert.equal(config.beta, 2);
  assert.equal(config.architecture, "conv-small");
  assert.throws(
    () => parseTrainConfig(flagOverrides({ lr: "fast" }), "command line"),
    /field "lr" \(got "fast"\)/,
  );
});
