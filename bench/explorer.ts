/**
 * `npx tsx bench/explorer.ts`: the explorer's two speeds, measured in headless Chromium
 * (Debian's chromium through playwright-core, as the tests) against Node:
 *
 * 1. ms per decode of one 64x64 image on Wasm in the page: a conv-burgess beta-TCVAE (z 10,
 *    trained 2 steps here; the speed does not depend on training) opened in the explorer with
 *    ?device=wasm, one slider moved `--decodes` times, each move waiting for its decode; the
 *    page's own timer (decode call to pixels back). The first decode compiles the decoder and
 *    is reported apart. Node decodes the same model the same way (jit, batch 1) on wasm and
 *    native for comparison.
 * 2. in-page training steps/s against Node: the page's worker trains a beta-TCVAE on 32x32
 *    sprites (z 6, batch 32, `--steps` steps, the form's defaults otherwise); Node trains the
 *    same config with the same loop on Wasm (1 thread, as the page's worker) and on native
 *    (1 thread). Both figures are steps over the loop's whole time, first-step compile included.
 *
 * Options: --decodes=60 --steps=60. Runs with DISENTANGLE_THREADS=1 (re-executes itself so).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Array as JaxArray } from "../src/engine/jax.ts";
import type { DecoderParams } from "../src/nn/architecture.ts";

if (process.env.DISENTANGLE_THREADS !== "1") {
  const result = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, DISENTANGLE_THREADS: "1" },
  });
  process.exit(result.status ?? 1);
}

const option = (name: string, fallback: number) => {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.split("=")[1]) : fallback;
};
const DECODES = option("decodes", 60);
const STEPS = option("steps", 60);

const { withPage } = await import("../test/helpers/browser.ts");
const { initEngine } = await import("../src/engine/device.ts");
const { jit, numpy: np, tree } = await import("../src/engine/jax.ts");
const { parseTrainConfig } = await import("../src/run/config.ts");
const { runTraining } = await import("../src/run/run-training.ts");
const { loadTrainedRun } = await import("../src/run/load-trained-run.ts");
const { loadSprites } = await import("../src/data/datasets/sprites.ts");
const { buildTask } = await import("../src/train/build-task.ts");
const { initialState } = await import("../src/train/initial-state.ts");
const { trainLoop } = await import("../src/train/loop.ts");
const { pageFolder } = await import("../src/server/page.ts");
const { startExplorer } = await import("../src/server/serve.ts");

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `median ${at(0.5).toFixed(2)} ms, p10 ${at(0.1).toFixed(2)}, p90 ${at(0.9).toFixed(2)} (n=${values.length})`;
};

const work = mkdtempSync(join(tmpdir(), "disentangle-bench-explorer-"));
try {
  await initEngine("wasm");
  const runDir = join(work, "runs/sprites64");
  await runTraining(
    parseTrainConfig(
      { model: "beta-tcvae", data: "sprites", z: 10, batch: 8, steps: 2, logEvery: 1, out: runDir },
      "bench",
    ),
    { progress: false },
  );
  const server = await startExplorer({
    runs: [join(work, "runs")],
    port: 0,
    pageDir: pageFolder(console.error),
  });
  const trainQuery = `train.model=beta-tcvae&train.size=32&train.z=6&train.batch=32&train.steps=${STEPS}&train.traversalEvery=1000`;
  let page64: { first: number; times: number[] } = { first: 0, times: [] };
  let pageTraining = { step: 0, seconds: 0 };
  try {
    await withPage(`${server.url}?device=wasm&${trainQuery}`, async (page, problems) => {
      type Probe = {
        viewers: Record<string, { decodes: number; ms: number }>;
        training?: { done: boolean; step: number; seconds?: number; error?: string };
      };
      const probe = () =>
        page.evaluate(() => (window as unknown as { __explorer: Probe }).__explorer);
      await page.click("button[data-open=sprites64]");
      await page.waitForFunction(
        () =>
          ((window as unknown as { __explorer: Probe }).__explorer?.viewers?.sprites64?.decodes ??
            0) > 0,
        undefined,
        { timeout: 120_000 },
      );
      const first = (await probe()).viewers.sprites64.ms;
      const times: number[] = [];
      for (let i = 0; i < DECODES; i++) {
        const before = (await probe()).viewers.sprites64.decodes;
        await page.evaluate(
          (value) => {
            const slider = document.querySelector('input[data-dim="0"]') as HTMLInputElement;
            slider.value = String(value);
            slider.dispatchEvent(new Event("input", { bubbles: true }));
          },
          -2.5 + (5 * i) / DECODES,
        );
        await page.waitForFunction(
          (n) =>
            (window as unknown as { __explorer: Probe }).__explorer.viewers.sprites64.decodes > n,
          before,
        );
        times.push((await probe()).viewers.sprites64.ms);
        await page.waitForTimeout(120); // let the traversal strip's batch decode pass
      }
      page64 = { first, times };
      await page.click("#tab-train");
      await page.click("#train-start");
      await page.waitForFunction(
        () => {
          const t = (window as unknown as { __explorer: Probe }).__explorer.training;
          return t?.done || t?.error;
        },
        undefined,
        { timeout: 600_000 },
      );
      const t = (await probe()).training;
      if (t?.error) throw new Error(`in-page training failed: ${t.error}`);
      pageTraining = { step: t?.step ?? 0, seconds: t?.seconds ?? Number.NaN };
      if (problems.consoleErrors.length > 0)
        console.log(`console errors: ${problems.consoleErrors.join("; ")}`);
    });
  } finally {
    await server.close();
  }
  console.log(
    `page (Chromium ${"headless"}, Wasm, 1 thread): decode of one 64x64 image: ${stats(page64.times)}; first decode (compiles) ${page64.first.toFixed(0)} ms`,
  );

  for (const device of ["wasm", "native"] as const) {
    try {
      await initEngine(device);
    } catch (error) {
      console.log(`node ${device}: unavailable (${(error as Error).message})`);
      continue;
    }
    const run = await loadTrainedRun(runDir);
    const decode = jit((params: DecoderParams, z: JaxArray) =>
      np.clip(run.model.decodeMean(params, z), 0, 1),
    );
    const times: number[] = [];
    for (let i = 0; i <= DECODES; i++) {
      const code = new Float32Array(10);
      code[0] = -2.5 + (5 * i) / DECODES;
      const started = performance.now();
      await decode(
        tree.ref(run.params.decoder) as never,
        np.array(code, { shape: [1, 10] }) as never,
      ).data();
      if (i > 0) times.push(performance.now() - started);
    }
    decode.dispose();
    tree.dispose(run.params as never);
    console.log(`node ${device} (1 thread): decode of one 64x64 image: ${stats(times)}`);
  }

  console.log(
    `page (Chromium, Wasm worker, 1 thread): beta-TCVAE 32x32 z 6 batch 32: ${pageTraining.step} steps in ${pageTraining.seconds.toFixed(1)} s = ${(pageTraining.step / pageTraining.seconds).toFixed(2)} steps/s`,
  );
  for (const device of ["wasm", "native"] as const) {
    try {
      await initEngine(device);
    } catch {
      continue;
    }
    const config = parseTrainConfig(
      {
        model: "beta-tcvae",
        data: "sprites",
        dataOptions: { size: 32, positions: 8, scales: 3, orientations: 8 },
        z: 6,
        batch: 32,
        steps: STEPS,
        lr: 1e-3,
        seed: 0,
        logEvery: 10,
        checkpointEvery: STEPS,
        beta: 4,
      },
      "bench",
    );
    const task = buildTask(config, loadSprites(config.dataOptions));
    const result = await trainLoop(task, initialState(task, config.seed), {
      steps: STEPS,
      batch: config.batch,
      logEvery: 10,
      checkpointEvery: 10,
      adam: { lr: config.lr, weightDecay: config.weightDecay, clipGradNorm: config.clipGradNorm },
    });
    tree.dispose([result.state.params, result.state.opt, result.state.key] as never);
    console.log(
      `node ${device} (1 thread): the same config: ${STEPS} steps in ${result.seconds.toFixed(1)} s = ${(STEPS / result.seconds).toFixed(2)} steps/s`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
