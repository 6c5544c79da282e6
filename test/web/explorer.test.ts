/**
 * The explorer end to end in headless Chromium (Debian's chromium through playwright-core):
 * `serve` on a tiny run trained here (16x16 sprites, z 4, 30 steps); the page opens it, a
 * slider moves, the canvas changes and the decoded image equals the Node decoder's for the
 * same code to float32 rounding; a dropped image becomes the start; a subspace-map point is
 * clicked; the train form lists the registries' unsupervised models, priors and likelihoods
 * and refuses what the config refuses (start disabled, the config's message shown); 20 steps
 * of beta-vae with a Laplace prior and a learned Gaussian variance run in the worker, traverse
 * the prior's quantiles, reach Node's loss for the same config, and download as a zip that
 * `loadTrainedRun` reads once unzipped; a long run stops on the stop button; and no console
 * error or failed request. Then the same page exported by `export-web` opens the run from a
 * plain static file server.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { unzipSync } from "fflate";
import type { Page } from "playwright-core";
import { loadSprites } from "../../src/data/datasets/sprites.ts";
import { LIKELIHOOD_NAMES } from "../../src/distributions/likelihoods/registry.ts";
import { PRIOR_NAMES } from "../../src/distributions/priors.ts";
import { initEngine } from "../../src/engine/device.ts";
import { jit, numpy as np, tree } from "../../src/engine/jax.ts";
import type { DecoderParams } from "../../src/nn/architecture.ts";
import { OBJECTIVE_NAMES } from "../../src/objectives/registry.ts";
import { parseTrainConfig } from "../../src/run/config.ts";
import { loadTrainedRun } from "../../src/run/load-trained-run.ts";
import { runTraining } from "../../src/run/run-training.ts";
import { exportWeb } from "../../src/server/export-web.ts";
import { pageFolder } from "../../src/server/page.ts";
import { type ExplorerServer, startExplorer } from "../../src/server/serve.ts";
import { buildTask } from "../../src/train/build-task.ts";
import { initialState } from "../../src/train/initial-state.ts";
import { trainLoop } from "../../src/train/loop.ts";
import { laplaceQuantile, normalCdf } from "../../src/viz/traversal.ts";
import { withPage } from "../helpers/browser.ts";
import { TINY_SPRITES } from "../helpers/cli.ts";
import { serveFolder } from "../helpers/static-server.ts";

/** The page is the same whatever device the Node suite runs on: checked in the default pass only. */
const skip =
  process.env.DISENTANGLE_DEVICE === "wasm"
    ? "the page decodes on Wasm in either pass; checked once, in the default (native) pass"
    : false;

interface Probe {
  device?: string;
  viewers: Record<
    string,
    { code: number[]; pixels: number[]; decodes: number; mapPoints: number; neighbours: number[] }
  >;
  training?: {
    step: number;
    rows: number;
    done: boolean;
    traversals: number;
    error?: string;
    stepsPerSecond: number;
    range?: { low: number[]; high: number[] };
  };
}
const probe = (page: Page) =>
  page.evaluate(() => (window as unknown as { __explorer: Probe }).__explorer);

/** The decoded canvas's red channel. */
const canvasPixels = (page: Page, id: string) =>
  page.evaluate((selector) => {
    const canvas = document.querySelector(selector) as HTMLCanvasElement;
    const data =
      canvas.getContext("2d")?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
    return Array.from(data).filter((_, i) => i % 4 === 0);
  }, `#decoded-${id}`);

describe("the explorer in headless Chromium", { skip, timeout: 300_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), "disentangle-explorer-"));
  const runDir = join(work, "runs/tiny");
  let server: ExplorerServer;

  before(async () => {
    await initEngine();
    await runTraining(
      parseTrainConfig(
        {
          model: "vae",
          data: "sprites",
          dataOptions: TINY_SPRITES,
          z: 4,
          batch: 16,
          steps: 30,
          logEvery: 10,
          lr: 3e-3,
          out: runDir,
        },
        "test",
      ),
      { progress: false },
    );
    server = await startExplorer({ runs: [join(work, "runs")], port: 0, pageDir: pageFolder() });
  });
  after(async () => {
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test("open a run, move a slider, click a map point, train 20 steps in the page and download the run", async () => {
    await withPage(
      `${server.url}?device=wasm&train.steps=20&train.z=4&train.batch=16&train.size=16&train.traversalEvery=0`,
      async (page, problems) => {
        await page.waitForSelector("button[data-open=tiny]");
        await page.click("button[data-open=tiny]");
        await page.waitForFunction(
          () =>
            ((window as unknown as { __explorer: Probe }).__explorer?.viewers?.tiny?.decodes ?? 0) >
            0,
        );
        assert.equal((await probe(page)).device, "wasm");
        const before = await canvasPixels(page, "tiny");

        // Move z0's slider to 2.5, as a user dragging it would (input events).
        await page.evaluate(() => {
          const slider = document.querySelector('input[data-dim="0"]') as HTMLInputElement;
          slider.value = "2.5";
          slider.dispatchEvent(new Event("input", { bubbles: true }));
        });
        await page.waitForFunction(
          () =>
            (window as unknown as { __explorer: Probe }).__explorer.viewers.tiny.code[0] === 2.5,
        );
        const moved = (await probe(page)).viewers.tiny;
        const afterPixels = await canvasPixels(page, "tiny");
        assert.ok(
          afterPixels.some((v, i) => v !== before[i]),
          "the canvas changed with the slider",
        );

        // Node decodes the same code with the same decoder.
        const run = await loadTrainedRun(runDir);
        const decode = jit((params: DecoderParams, z) =>
          np.clip(run.model.decodeMean(params, z), 0, 1),
        );
        const fromNode = Array.from(
          (await decode(
            tree.ref(run.params.decoder),
            np.array(Float32Array.from(moved.code), { shape: [1, 4] }),
          ).data()) as Float32Array,
        );
        decode.dispose();
        tree.dispose(run.params as never);
        assert.equal(moved.pixels.length, fromNode.length);
        const worst = Math.max(...moved.pixels.map((v, i) => Math.abs(v - fromNode[i])));
        assert.ok(worst < 1e-5, `page and Node decodes differ by up to ${worst}`);

        // A dropped image: resized to the run's 16x16 grey, encoded in the page, decoded.
        await page.evaluate(async () => {
          const canvas = new OffscreenCanvas(100, 100);
          const context = canvas.getContext("2d") as OffscreenCanvasRenderingContext2D;
          context.fillStyle = "white";
          context.fillRect(20, 60, 25, 25);
          const file = new File([await canvas.convertToBlob({ type: "image/png" })], "square.png");
          const transfer = new DataTransfer();
          transfer.items.add(file);
          const drop = new DragEvent("drop", {
            dataTransfer: transfer,
            bubbles: true,
            cancelable: true,
          });
          document.querySelector("#viewer-tiny .drop")?.dispatchEvent(drop);
        });
        await page.waitForFunction(() =>
          document
            .querySelector("#viewer-tiny .decoded")
            ?.textContent?.includes("from square.png, resized to 16x16 grey"),
        );

        // The subspace map: compute it, click a point, get its neighbours and its code.
        await page.click("text=Subspace map");
        await page.click("#map-tiny");
        await page.waitForSelector("circle[data-index='3']", { timeout: 60_000 });
        await page.click("circle[data-index='3']");
        await page.waitForFunction(
          () =>
            (window as unknown as { __explorer: Probe }).__explorer.viewers.tiny.neighbours.length >
            0,
        );
        assert.ok((await probe(page)).viewers.tiny.mapPoints > 3);

        // Train in the page. The form lists the registries' unsupervised models, priors and
        // likelihoods, and refuses what the config refuses (Rényi needs the normal prior).
        await page.click("#tab-train");
        const options = (name: string) =>
          page.$$eval(`select[name=${name}] option`, (os) =>
            os.map((o) => (o as HTMLOptionElement).value),
          );
        assert.deepEqual(await options("model"), OBJECTIVE_NAMES);
        assert.ok(!(await options("model")).includes("triplet-vae"));
        assert.deepEqual(await options("prior"), PRIOR_NAMES);
        assert.deepEqual(await options("likelihood"), LIKELIHOOD_NAMES);
        assert.equal(await page.inputValue("select[name=estimator]"), "mss");
        await page.selectOption("select[name=model]", "beta-vae");
        await page.selectOption("select[name=prior]", "laplace");
        await page.selectOption("select[name=priorDivergence]", "renyi");
        assert.match(
          (await page.textContent("#train-refusal")) ?? "",
          /field "priorDivergence" \(got "renyi"\): renyi with prior laplace: its closed form needs the normal prior, not laplace/,
        );
        assert.ok(await page.isDisabled("#train-start"));

        // 20 steps of beta-vae with the Laplace prior and a learned Gaussian variance, then the download.
        await page.selectOption("select[name=priorDivergence]", "kl");
        await page.fill("input[name=beta]", "2");
        await page.selectOption("select[name=likelihood]", "gaussian");
        await page.fill("input[name=gaussianVariance]", "learned");
        assert.ok(!(await page.isVisible("#train-refusal")));
        await page.click("#train-start");
        await page.waitForFunction(
          () => {
            const t = (window as unknown as { __explorer: Probe }).__explorer.training;
            return t?.done || t?.error;
          },
          undefined,
          { timeout: 120_000 },
        );
        const training = (await probe(page)).training;
        assert.equal(training?.error, undefined);
        assert.equal(training?.step, 20);
        assert.equal(training?.rows, 2);
        assert.ok((training?.traversals ?? 0) >= 1, "a traversal was drawn");
        // The traversal sweeps the Laplace prior's central 95.4%, as `traverse --range prior`.
        const edge = laplaceQuantile(normalCdf(2));
        assert.ok(
          Math.abs((training?.range?.high[0] ?? 0) - edge) < 1e-4,
          `${training?.range?.high}`,
        );
        assert.ok(
          Math.abs((training?.range?.low[0] ?? 0) + edge) < 1e-4,
          `${training?.range?.low}`,
        );
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          page.click("#train-download"),
        ]);
        const zip = readFileSync(await download.path());
        const files = unzipSync(new Uint8Array(zip));
        const unzipped = join(work, "unzipped");
        for (const [name, bytes] of Object.entries(files)) {
          if (name.endsWith("/")) continue; // a folder entry
          mkdirSync(dirname(join(unzipped, name)), { recursive: true });
          writeFileSync(join(unzipped, name), bytes);
        }
        const folder = join(unzipped, Object.keys(files)[0].split("/")[0]);
        const fromPage = await loadTrainedRun(folder);
        assert.equal(fromPage.step, 20);
        assert.deepEqual(
          [
            fromPage.config.model,
            fromPage.config.prior,
            fromPage.config.beta,
            fromPage.config.likelihood,
            fromPage.config.gaussianVariance,
          ],
          ["beta-vae", "laplace", 2, "gaussian", "learned"],
        );
        tree.dispose(fromPage.params as never);
        const pageRows = readFileSync(join(folder, "log.jsonl"), "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l));

        // The same config trained in Node reaches the same loss (Wasm in the page, the suite's device here).
        const config = fromPage.config;
        const task = buildTask(config, loadSprites(config.dataOptions));
        const node = await trainLoop(task, initialState(task, config.seed), {
          steps: 20,
          batch: config.batch,
          logEvery: 10,
          checkpointEvery: 20,
          adam: {
            lr: config.lr,
            weightDecay: config.weightDecay,
            clipGradNorm: config.clipGradNorm,
          },
        });
        tree.dispose([node.state.params, node.state.opt, node.state.key] as never);
        const pageLoss = pageRows.at(-1).loss;
        assert.ok(
          Math.abs(pageLoss - (node.last?.loss ?? Number.NaN)) < 1e-3 * pageLoss,
          `page ${pageLoss} vs Node ${node.last?.loss}`,
        );

        // Stop: a long run (of the default model) stops at the next step after the button, and
        // still offers its zip.
        await page.selectOption("select[name=model]", "beta-tcvae");
        await page.fill("input[name=steps]", "100000");
        await page.click("#train-start");
        await page.waitForFunction(() => {
          const t = (window as unknown as { __explorer: Probe }).__explorer.training;
          return (t?.step ?? 0) >= 3 && !t?.done;
        });
        await page.click("#train-stop");
        await page.waitForFunction(
          () => (window as unknown as { __explorer: Probe }).__explorer.training?.done,
        );
        const stopped = (await probe(page)).training;
        assert.ok(
          (stopped?.step ?? 0) >= 3 && (stopped?.step ?? 0) < 1000,
          `stopped at step ${stopped?.step}`,
        );
        assert.match((await page.textContent("#train-status")) ?? "", /^Stopped at step \d+/);
        assert.ok(await page.isVisible("#train-download"));

        assert.deepEqual(problems, { consoleErrors: [], failedRequests: [] });
      },
    );
  });

  test("export-web: the static site opens the run and decodes it without the explorer's server", async () => {
    const site = join(work, "site");
    await exportWeb({ runs: [join(work, "runs")], out: site, count: 16, pageDir: pageFolder() });
    const files = await serveFolder(site);
    try {
      await withPage(`${files.url}?device=wasm`, async (page, problems) => {
        await page.click("button[data-open=tiny]");
        await page.waitForFunction(
          () =>
            ((window as unknown as { __explorer: Probe }).__explorer?.viewers?.tiny?.decodes ?? 0) >
            0,
        );
        assert.match((await page.textContent("#viewer-tiny header")) ?? "", /16 held-out images/);
        assert.deepEqual(problems, { consoleErrors: [], failedRequests: [] });
      });
    } finally {
      await files.close();
    }
  });
});
