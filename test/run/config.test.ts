import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { flagOverrides } from "../../src/cli/train.ts";
import {
  ConfigError,
  effectiveBeta,
  loadTrainConfigFile,
  parseTrainConfig,
} from "../../src/run/config.ts";

test("defaults make a beta-TCVAE on sprites with beta 6", () => {
  const config = parseTrainConfig({}, "command line");
  assert.equal(config.model, "beta-tcvae");
  assert.equal(config.data, "sprites");
  assert.equal(effectiveBeta(config), 6);
  assert.equal(effectiveBeta(parseTrainConfig({ model: "vae" }, "x")), 1);
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

test("the plain VAE refuses a beta other than 1", () => {
  assert.throws(
    () => parseTrainConfig({ model: "vae", beta: 4 }, "command line"),
    /beta = 1.*beta-vae/,
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
