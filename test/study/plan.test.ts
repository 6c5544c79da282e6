/** The plan's estimate: a run's remaining time at a measured cost, and the pool's makespan. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { expandStudy } from "../../src/study/expand.ts";
import { poolMakespan, remainingSeconds } from "../../src/study/plan.ts";

test("a run's time is its remaining steps at the measured img/s plus its remaining evaluations", () => {
  const [spec] = expandStudy(
    {
      name: "p",
      shared: { batch: 50 },
      models: [{ model: "vae" }],
      seeds: [0],
      budget: { steps: 1000 },
      evaluate: { every: 250 },
      metrics: ["mig"],
    },
    "p.json",
  ).runs;
  const cost = {
    imagesPerSecond: 500,
    finalEvalSeconds: 200,
    alongEvalSeconds: 60,
    startSeconds: 5,
  };
  const fresh = { id: spec.id, status: "new" as const, step: 0, evaluated: [] };
  // 1000 steps x 50 images / 500 img/s = 100 s, 3 evaluations along the way and the final one.
  assert.equal(remainingSeconds(spec, fresh, cost), 5 + 100 + 3 * 60 + 200);
  const half = { ...fresh, status: "partial" as const, step: 500, evaluated: [250, 500] };
  assert.equal(remainingSeconds(spec, half, cost), 5 + 50 + 60 + 200);
  assert.equal(remainingSeconds(spec, { ...half, status: "done" }, cost), 0);
});

test("runs are dealt in order to the first free worker", () => {
  assert.equal(poolMakespan([10, 10, 10, 10], 2), 20);
  assert.equal(poolMakespan([30, 10, 10, 10], 2), 30);
  assert.equal(poolMakespan([5, 5, 5], 1), 15);
  assert.equal(poolMakespan([], 2), 0);
});
