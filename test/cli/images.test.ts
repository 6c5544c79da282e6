import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { PNG } from "pngjs";
import { runCli, trainTinyRun } from "../helpers/cli.ts";
import { NATIVE_PASS_ONLY } from "../helpers/native-pass.ts";

// Command-line plumbing, the same on every device: run only in the native pass.
test("train, then sample and reconstruct write PNG grids of the expected size", {
  skip: NATIVE_PASS_ONLY,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-images-"));
  const { run, result: trained } = await trainTinyRun(dir, [
    "--model",
    "beta-vae",
    "--z",
    "4",
    "--batch",
    "16",
    "--steps",
    "10",
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /done at step 10/);

  const samples = join(dir, "samples.png");
  const sampled = await runCli(["sample", run, "--n", "9", "--out", samples]);
  assert.equal(sampled.code, 0, sampled.stderr);
  const samplePng = PNG.sync.read(readFileSync(samples));
  // 3x3 tiles of 16 px with 2 px padding: 3*16 + 4*2 = 56.
  assert.equal(samplePng.width, 56);
  assert.equal(samplePng.height, 56);

  const recon = join(dir, "recon.png");
  const reconstructed = await runCli(["reconstruct", run, "--n", "4", "--out", recon]);
  assert.equal(reconstructed.code, 0, reconstructed.stderr);
  const reconPng = PNG.sync.read(readFileSync(recon));
  // One row of 4 originals above one row of their 4 reconstructions.
  assert.equal(reconPng.width, 4 * 16 + 5 * 2);
  assert.equal(reconPng.height, 2 * 16 + 3 * 2);

  const missing = await runCli(["sample", join(dir, "nope")]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /not a run folder \(no config.json\)/);
});
