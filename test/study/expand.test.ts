/**
 * Study files: a study expands into datasets x models x swept hyperparameters x seeds, each a
 * validated run config; bad files (an unknown model, a hyperparameter a model does not take,
 * an empty list of values, an unknown metric option) are refused with the file, the line, the
 * value and what was expected, before anything trains.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError } from "../../src/run/config.ts";
import { lineOfPath } from "../../src/run/config-errors.ts";
import { expandStudy } from "../../src/study/expand.ts";
import { loadStudyFile } from "../../src/study/study-file.ts";
import { runCli } from "../helpers/cli.ts";

const GOOD = {
  name: "demo",
  shared: { data: "sprites", dataOptions: { size: 16 }, z: 4, batch: 16 },
  models: [{ model: "beta-vae" }, { model: "beta-tcvae", alpha: 1, gamma: 1, estimator: "mss" }],
  grid: { beta: [1, 4, 8] },
  seeds: [0, 1],
  budget: { steps: 100 },
  evaluate: { every: 40, metrics: { mig: { samples: 100 } } },
  metrics: { mig: { include: ["scale", "posX"] }, "mig-dlib": {}, decomposition: {} },
};

function writeStudy(value: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-study-file-"));
  const path = join(dir, "study.json");
  writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value, null, 2));
  return path;
}

test("a study expands into models x hyperparameters x seeds run configs", () => {
  const study = expandStudy(GOOD, "demo.json");
  assert.equal(study.runs.length, 2 * 3 * 2);
  assert.deepEqual(study.swept, ["beta"]);
  assert.deepEqual(
    study.runs.slice(0, 3).map((r) => r.id),
    ["beta-vae-beta1-seed0", "beta-vae-beta1-seed1", "beta-vae-beta4-seed0"],
  );
  const tc = study.runs.find((r) => r.id === "beta-tcvae-beta8-seed1");
  assert.ok(tc);
  assert.equal(tc.cell, "beta-tcvae-beta8");
  assert.deepEqual(
    [tc.config.model, tc.config.beta, tc.config.alpha, tc.config.gamma, tc.config.seed],
    ["beta-tcvae", 8, 1, 1, 1],
  );
  assert.equal(tc.config.steps, 100);
  assert.equal(tc.config.z, 4);
  // Every 40 steps with the cheap metrics, then the final metrics at the budget.
  assert.deepEqual(
    tc.evaluations.map((e) => [e.step, Object.keys(e.metrics)]),
    [
      [40, ["mig"]],
      [80, ["mig"]],
      [100, ["mig", "mig-dlib", "decomposition"]],
    ],
  );
  const vae = study.runs.find((r) => r.model === "beta-vae");
  assert.equal(
    vae?.config.alpha,
    undefined,
    "beta-vae's config holds its own hyperparameters only",
  );
});

test("several datasets name their runs and a model's own grid sweeps only it", () => {
  const study = expandStudy(
    {
      ...GOOD,
      shared: { z: 4 },
      datasets: [
        { label: "s16", data: "sprites", dataOptions: { size: 16 } },
        { label: "shapes", data: "colored-shapes" },
      ],
      grid: {},
      models: [{ model: "vae" }, { model: "beta-tcvae", grid: { beta: [2, 6] } }],
      seeds: [3],
    },
    "multi.json",
  );
  assert.deepEqual(
    study.runs.map((r) => r.id),
    [
      "s16-vae-seed3",
      "s16-beta-tcvae-beta2-seed3",
      "s16-beta-tcvae-beta6-seed3",
      "shapes-vae-seed3",
      "shapes-beta-tcvae-beta2-seed3",
      "shapes-beta-tcvae-beta6-seed3",
    ],
  );
  assert.equal(study.runs[3].config.data, "colored-shapes");
});

test("lines: the line of a path in JSON text", () => {
  const text = '{\n  "a": 1,\n  "b": [\n    {"c": 2},\n    {\n      "c": 3\n    }\n  ]\n}';
  assert.equal(lineOfPath(text, ["a"]), 2);
  assert.equal(lineOfPath(text, ["b", 1, "c"]), 6);
  assert.equal(lineOfPath(text, ["b", 0, "c"]), 4);
  assert.equal(lineOfPath(text, ["b", 1, "missing"]), 5, "the deepest part that exists");
  assert.equal(lineOfPath(text, []), undefined);
  assert.equal(lineOfPath("{ not json", ["a"]), undefined);
});

/** The error message of loading `value` as a study file, with the file's path. */
function studyError(value: unknown): { path: string; message: string } {
  const path = writeStudy(value);
  try {
    loadStudyFile(path);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return { path, message: error.message };
  }
  assert.fail("expected the study to be refused");
}

test("bad study files: unknown model, a hyperparameter the model lacks, an empty grid", () => {
  const unknown = studyError({ ...GOOD, models: [{ model: "beta-vae" }, { model: "beta-gan" }] });
  const unknownLine =
    readFileSync(unknown.path, "utf8")
      .split("\n")
      .findIndex((l) => l.includes("beta-gan")) + 1;
  assert.match(
    unknown.message,
    new RegExp(
      `${unknown.path}:${unknownLine}: field "models.1.model" \\(got "beta-gan"\\): .*"beta-tcvae"`,
    ),
  );

  const lacks = studyError({ ...GOOD, models: [{ model: "vae" }, { model: "beta-vae" }] });
  const gridLine =
    readFileSync(lacks.path, "utf8")
      .split("\n")
      .findIndex((l) => l.includes('"beta": [')) + 1;
  assert.match(
    lacks.message,
    new RegExp(
      `${lacks.path}:${gridLine}: field "grid.beta" \\(got \\[1,4,8\\]\\): run vae-beta1-seed0: vae takes no beta`,
    ),
  );
  assert.equal(
    lacks.message.split("\n").length,
    1,
    `one line per distinct problem:\n${lacks.message}`,
  );

  const fixed = studyError({ ...GOOD, models: [{ model: "beta-vae", gamma: 2 }] });
  assert.match(fixed.message, /field "models.0.gamma" \(got 2\): .*beta-vae takes no gamma/);

  const empty = studyError({ ...GOOD, grid: { beta: [] } });
  assert.match(
    empty.message,
    /:\d+: field "grid.beta" \(got \[\]\): an empty list of values expands to no runs/,
  );
  assert.match(studyError({ ...GOOD, seeds: [] }).message, /field "seeds".*at least one seed/);

  const option = studyError({ ...GOOD, metrics: { mig: { sample: 10 } } });
  assert.match(
    option.message,
    /:\d+: field "metrics.mig" \(got \{"sample":10\}\): mig takes no option sample \(its options: samples, include\)/,
  );
  assert.match(studyError({ ...GOOD, metrics: ["mig", "migg"] }).message, /unknown metric "migg"/);
  assert.match(
    studyError({ ...GOOD, shared: { ...GOOD.shared, seed: 3 } }).message,
    /field "shared.seed" \(got 3\): seeds are listed in `seeds`/,
  );
  assert.match(studyError('{ "name": ').message, /not valid JSON/);
});

test("study plan refuses a bad file before anything trains", async () => {
  const path = writeStudy({ ...GOOD, grid: { beta: [1], betta: [2] } });
  const store = join(path, "..", "store");
  const result = await runCli(["study", "run", path, "--store", store]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /field "grid.betta".*Unrecognized key/);
  assert.equal(existsSync(store), false, "nothing was written");
});
