import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { PNG } from "pngjs";
import { parseIndexList } from "../../src/cli/subspaces.ts";
import { runCli, trainTinyRun } from "../helpers/cli.ts";
import { NATIVE_PASS_ONLY } from "../helpers/native-pass.ts";

// Run only in the native pass (NATIVE_PASS_ONLY): a command-line run over the run layer, which
// is device-independent: checked once, in the native pass.

test("index lists parse, and bad ones name the flag", () => {
  assert.deepEqual(parseIndexList("--a", "3, 17,40"), [3, 17, 40]);
  assert.throws(
    () => parseIndexList("--b", "3,x"),
    /--b "3,x": expected comma-separated image indices/,
  );
});

test("swap and embed read a triplet VAE's query subspaces", {
  skip: NATIVE_PASS_ONLY,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-subspaces-"));
  const { run, result: trained } = await trainTinyRun(
    dir,
    [
      "--model",
      "triplet-vae",
      "--data",
      "colored-shapes",
      "--queries",
      "color,shape",
      "--z",
      "6",
      "--dims-per-query",
      "2",
      "--batch",
      "8",
      "--triplets-per-query",
      "4",
      "--steps",
      "3",
      "--eval-triplets",
      "20",
    ],
    { size: 16 },
  );
  assert.equal(trained.code, 0, trained.stderr);

  const png = join(dir, "swap.png");
  const swapped = await runCli([
    "swap",
    run,
    "--query",
    "shape",
    "--a",
    "0,1",
    "--b",
    "5,6,7",
    "--out",
    png,
  ]);
  assert.equal(swapped.code, 0, swapped.stderr);
  assert.match(swapped.stdout, /'shape' subspace \(dims 2, 3\)/);
  const image = PNG.sync.read(readFileSync(png));
  // (2 + 1) rows x (3 + 1) columns of 16 px tiles upscaled to 48 px cells, with headers.
  // The title (bases, sources, the query's dimensions) may be wider than the grid.
  assert.ok(image.width >= 4 * 48 && image.width < 700, `width ${image.width}`);
  assert.ok(image.height >= 3 * 48 && image.height < 3 * 48 + 120, `height ${image.height}`);

  const json = join(dir, "emb.json");
  const embedded = await runCli(["embed", run, "--query", "color", "--n", "10", "--out", json]);
  assert.equal(embedded.code, 0, embedded.stderr);
  const embedding = JSON.parse(readFileSync(json, "utf8"));
  assert.deepEqual(embedding.dims, [0, 1]);
  assert.deepEqual(embedding.factors, ["shape", "color", "scale", "posX", "posY"]);
  assert.equal(embedding.points.length, 10);
  assert.equal(embedding.points[0].z.length, 2);
  assert.equal(embedding.points[0].factors.length, 5);

  const evaluated = await runCli([
    "eval",
    run,
    "--metrics",
    "triplet",
    "--triplets-per-query",
    "50",
    "--json",
  ]);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const triplet = JSON.parse(evaluated.stdout).metrics.triplet;
  for (const key of [
    "color.subspace",
    "color.full",
    "shape.subspace",
    "shape.full",
    "color.in-shape-subspace",
  ]) {
    const value = triplet.values[key];
    assert.ok(value >= 0 && value <= 1, `${key} = ${value} is an accuracy`);
  }
  assert.equal(triplet.details.perQuery.color.triplets, 50);
  assert.equal(triplet.details.cross.color.color, triplet.values["color.subspace"]);

  const unknown = await runCli(["swap", run, "--query", "size"]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /has no query 'size' \(queries: color, shape\)/);
});
