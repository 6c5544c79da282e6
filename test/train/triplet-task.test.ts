import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseQuery } from "../../src/run/build.ts";
import { readLog } from "../../src/run/log.ts";
import { runCli, trainTinyRun } from "../helpers/cli.ts";
import { NATIVE_PASS_ONLY } from "../helpers/native-pass.ts";

test("queries parse into factor lists", () => {
  assert.deepEqual(parseQuery("shape+color", 0.1), {
    name: "shape+color",
    factors: ["shape", "color"],
    margin: 0.1,
  });
});

// A training run end to end, once, in the native pass: the triplet likelihood and its gradients
// are tested on both devices in test/objectives/.
test("a tiny triplet VAE learns its colour query well above chance on held-out triplets", {
  skip: NATIVE_PASS_ONLY,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-triplet-"));
  const { run, result } = await trainTinyRun(
    dir,
    [
      "--model",
      "triplet-vae",
      "--data",
      "colored-shapes",
      "--queries",
      "color",
      "--z",
      "4",
      "--dims-per-query",
      "2",
      "--batch",
      "16",
      "--triplets-per-query",
      "8",
      "--steps",
      "400",
      "--lr",
      "3e-3",
      "--log-every",
      "400",
      "--eval-triplets",
      "200",
    ],
    { size: 16 },
  );
  assert.equal(result.code, 0, result.stderr);
  const [row] = readLog(join(run, "log.jsonl"));
  assert.equal(row.step, 400);
  for (const term of ["reconstruction", "kl", "triplet", "tripletAccuracy"]) {
    assert.ok(Number.isFinite(row[term]), `term ${term} logged`);
  }
  assert.ok(
    row["heldOut.color.subspace"] > 0.8,
    `held-out colour accuracy ${row["heldOut.color.subspace"]} (chance 0.5)`,
  );
});

test("the triplet VAE needs queries, and rejects unknown factors by name", async () => {
  const none = await runCli([
    "train",
    "--model",
    "triplet-vae",
    "--data",
    "colored-shapes",
    "--steps",
    "1",
  ]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /needs at least one query/);
  const dir = mkdtempSync(join(tmpdir(), "disentangle-triplet-"));
  const bad = await runCli([
    "train",
    "--model",
    "triplet-vae",
    "--data",
    "colored-shapes",
    "--queries",
    "hue",
    "--steps",
    "1",
    "--out",
    join(dir, "run"),
  ]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /has no factor 'hue' \(factors: shape, color, scale, posX, posY\)/);
});
