import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runDataCommand } from "../../src/cli/data.ts";
import { tempFolder, writeFiles } from "../data/helpers/files.ts";

async function capture(run: () => Promise<void>) {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const write = process.stderr.write;
  console.log = (s: string) => out.push(s);
  process.stderr.write = ((s: string) => err.push(s) > 0) as typeof process.stderr.write;
  try {
    await run();
  } finally {
    console.log = log;
    process.stderr.write = write;
  }
  return { out: out.join("\n"), err: err.join("") };
}

test("--json prints one object with counts, shape, factors and skipped files; --preview writes a PNG", async () => {
  const root = tempFolder("cli-yale");
  const pgm = (v: number) => Uint8Array.of(...new TextEncoder().encode("P5 2 2 255\n"), v, v, v, v);
  writeFiles(root, {
    "yaleB01/yaleB01_P00A+000E+00.pgm": pgm(10),
    "yaleB02/yaleB02_P00A-035E+15.pgm": pgm(20),
    "yaleB02/yaleB02_P00_Ambient.pgm": pgm(0),
  });
  const preview = join(root, "preview.png");
  const { out } = await capture(() => runDataCommand("yale-b", { root, json: true, preview }));
  const summary = JSON.parse(out);
  assert.equal(summary.name, "yale-b");
  assert.equal(summary.count, 2);
  assert.deepEqual(summary.imageShape, [2, 2, 1]);
  assert.deepEqual(summary.factors, [
    { name: "identity", kind: "categorical", values: [1, 2], labels: ["yaleB01", "yaleB02"] },
    { name: "azimuth", kind: "continuous", range: [-35, 0], distinct: 2 },
    { name: "elevation", kind: "continuous", range: [0, 15], distinct: 2 },
  ]);
  assert.deepEqual(summary.skipped, [
    {
      path: join(root, "yaleB02/yaleB02_P00_Ambient.pgm"),
      reason: "ambient image (no light-source direction)",
    },
  ]);
  assert.ok(existsSync(preview));
  const text = await capture(() => runDataCommand("sprites", { size: "16" }));
  assert.match(text.out, /sprites: 737280 images, 16x16x1/);
  assert.match(text.out, /grid: full product 3 x 6 x 40 x 32 x 32/);
});

test("bad input prints one error line and sets the exit code, no stack trace", async () => {
  for (const [name, options, message] of [
    ["yale-b", { root: "/no/such/dir" }, /^error: \/no\/such\/dir: cannot read folder/],
    ["nope", {}, /^error: unknown dataset 'nope' \(expected one of sprites, colored-shapes/],
    ["sprites", { size: "big" }, /^error: --size must be a positive whole number, got 'big'/],
  ] as const) {
    process.exitCode = 0;
    const { err } = await capture(() => runDataCommand(name, options));
    assert.match(err, message);
    assert.equal(err.trim().split("\n").length, 1);
    assert.equal(process.exitCode, 1);
  }
  process.exitCode = 0;
});
