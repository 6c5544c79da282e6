/** The report page: its HTML in headless Chromium (no console errors, every image loaded). */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { encodePng } from "../../src/viz/png.ts";
import { reportHtml } from "../../src/viz/report.ts";
import { brokenImages, withPage } from "../helpers/browser.ts";

const input = (file: string) => ({
  title: "Report <of> runs/x",
  subtitle: "beta-tcvae on sprites, step 100",
  config: { model: "beta-tcvae", beta: 6 },
  metrics: { mig: { values: { mig: 0.1234 } }, dci: { values: { disentanglement: null } } },
  sections: [
    {
      title: "Latent traversals",
      caption: "One row per active dimension.",
      pictures: [{ file, alt: "traversal" }],
    },
  ],
});

test("the report renders in Chromium with its metrics table and every picture loaded", async () => {
  const dir = mkdtempSync(join(tmpdir(), "report-"));
  writeFileSync(join(dir, "pic.png"), encodePng(new Uint8Array(4 * 3 * 3).fill(200), 4, 3, 3));
  writeFileSync(join(dir, "index.html"), reportHtml(input("pic.png")));
  await withPage(pathToFileURL(join(dir, "index.html")).href, async (page, problems) => {
    assert.deepEqual(await brokenImages(page), []);
    assert.deepEqual(problems, { consoleErrors: [], failedRequests: [] });
    assert.equal(await page.title(), "Report <of> runs/x");
    const cells = await page.$$eval("#metrics td", (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(cells, ["mig", "mig", "0.1234", "dci", "disentanglement", "n/a"]);
    assert.equal(await page.locator("#latent-traversals img").count(), 1);
  });
  // A missing picture is caught: the check can fail.
  writeFileSync(join(dir, "broken.html"), reportHtml(input("missing.png")));
  await withPage(pathToFileURL(join(dir, "broken.html")).href, async (page) => {
    assert.equal((await brokenImages(page)).length, 1);
  });
});
