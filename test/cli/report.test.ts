/**
 * `disentangle report` end to end on a tiny run: every section written, the page opens in
 * headless Chromium with no console error and every picture loaded; clear errors for a folder
 * that holds no trained run.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { brokenImages, withPage } from "../helpers/browser.ts";
import { runCli, trainTinyRun } from "../helpers/cli.ts";
import { NATIVE_PASS_ONLY } from "../helpers/native-pass.ts";

// The report is built from the run layer and the pictures, the same on every device: run only
// in the native pass.
test("report of a tiny run: every picture, metrics computed, and it renders in Chromium", {
  skip: NATIVE_PASS_ONLY,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "report-cli-"));
  const { run, result } = await trainTinyRun(dir, [
    "--model",
    "beta-tcvae",
    "--z",
    "3",
    "--batch",
    "16",
    "--steps",
    "40",
    "--log-every",
    "10",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const report = await runCli(["report", run, "--method", "umap", "--points", "120"], 2);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /wrote .*report\/index\.html/);
  assert.match(report.stderr, /no eval\.json: computing the fast metrics/);
  assert.ok(existsSync(join(run, "eval.json")), "the computed metrics are kept in eval.json");
  const folder = join(run, "report");
  for (const file of [
    "traversal.png",
    "traversal.gif",
    "reconstructions.png",
    "samples.png",
    "kl-per-dimension.png",
    "training-curves.png",
    "latent-vs-factor.png",
    "map-latent.png",
  ]) {
    assert.ok(existsSync(join(folder, file)), `${file} written`);
  }
  const html = readFileSync(join(folder, "index.html"), "utf8");
  assert.match(html, /<td>mig-dlib<\/td><td>mig<\/td><td class="value">\d\.\d{4}<\/td>/);
  await withPage(pathToFileURL(join(folder, "index.html")).href, async (page, problems) => {
    assert.deepEqual(await brokenImages(page), []);
    assert.deepEqual(problems, { consoleErrors: [], failedRequests: [] });
    assert.equal(await page.locator("figure img").count(), 8);
  });
});

test("report of a folder without a trained run says so", async () => {
  const dir = mkdtempSync(join(tmpdir(), "report-cli-"));
  const missing = await runCli(["report", join(dir, "nothing-here")]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /not a run folder \(no config\.json\)/);
  assert.doesNotMatch(missing.stderr, /at .*\.ts:\d+/);
  const untrained = join(dir, "untrained");
  mkdirSync(untrained);
  writeFileSync(join(untrained, "config.json"), JSON.stringify({ model: "vae" }));
  const noCheckpoint = await runCli(["report", untrained]);
  assert.equal(noCheckpoint.code, 1);
  assert.match(noCheckpoint.stderr, /no checkpoint\.safetensors yet/);
});
