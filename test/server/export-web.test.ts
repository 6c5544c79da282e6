/**
 * `disentangle export-web`: the page's files and, beside them, the run list and each run's
 * files under the URLs the server answers (api/runs.json, api/runs/<id>/...), with the
 * held-out images packed; hidden files of the page folder are not copied. The command line
 * checks its numbers, and `serve --host` warns that others can read the runs.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { heldOutFromBytes } from "../../src/run/held-out-bytes.ts";
import { exportWeb } from "../../src/server/export-web.ts";
import { runCli, startCli, TINY_SPRITES } from "../helpers/cli.ts";

describe("export-web and the serve command line", () => {
  const work = mkdtempSync(join(tmpdir(), "disentangle-export-"));
  const run = join(work, "runs/tiny");
  const page = join(work, "page");
  mkdirSync(run, { recursive: true });
  mkdirSync(join(page, "assets"), { recursive: true });
  writeFileSync(
    join(run, "config.json"),
    JSON.stringify({ model: "vae", data: "sprites", dataOptions: TINY_SPRITES, z: 4 }),
  );
  writeFileSync(join(run, "checkpoint.safetensors"), "not parsed by the export");
  writeFileSync(join(run, "log.jsonl"), '{"step":10,"loss":1}\n');
  writeFileSync(join(page, "index.html"), "<!doctype html>");
  writeFileSync(join(page, "assets/app.js"), "1");
  writeFileSync(join(page, ".source-mtime"), "1");
  after(() => rmSync(work, { recursive: true, force: true }));

  test("writes the page, the run list and each run's files with its held-out images", async () => {
    const out = join(work, "site");
    const written = await exportWeb({ runs: [join(work, "runs")], out, count: 7, pageDir: page });
    assert.ok(written.files >= 7);
    assert.ok(existsSync(join(out, "index.html")) && existsSync(join(out, "assets/app.js")));
    assert.ok(!existsSync(join(out, ".source-mtime")), "hidden files are not copied");
    const list = JSON.parse(readFileSync(join(out, "api/runs.json"), "utf8"));
    assert.equal(list.static, true);
    assert.deepEqual(
      list.runs.map((r: { id: string; model: string; z: number }) => [r.id, r.model, r.z]),
      [["tiny", "vae", 4]],
    );
    for (const file of ["config.json", "checkpoint.safetensors", "log.jsonl"]) {
      assert.deepEqual(
        readFileSync(join(out, "api/runs/tiny", file)),
        readFileSync(join(run, file)),
      );
    }
    assert.ok(!existsSync(join(out, "api/runs/tiny/eval.json")), "no eval.json to copy");
    const heldOut = heldOutFromBytes(
      readFileSync(join(out, "api/runs/tiny/held-out.safetensors")),
      "held-out",
    );
    assert.equal(heldOut.dataset.count, 7);
    assert.deepEqual(heldOut.dataset.imageShape, [16, 16, 1]);
    assert.deepEqual(
      heldOut.dataset.factors.map((f) => f.name),
      ["shape", "scale", "orientation", "posX", "posY"],
    );
    assert.equal(heldOut.pool, "held-out");
  });

  test("bad numbers are clear errors; --host warns, and the server answers", async () => {
    const badCount = await runCli(["export-web", run, "--out", join(work, "x"), "--count", "0"]);
    assert.equal(badCount.code, 1);
    assert.match(badCount.stderr, /--count "0": expected a whole number from 1 to 2000/);
    const badPort = await runCli(["serve", run, "--port", "http"]);
    assert.match(badPort.stderr, /--port "http": expected a whole number from 0 to 65535/);

    process.env.DISENTANGLE_WEB_DIR = page;
    const { child, done } = startCli(["serve", run, "--port", "0", "--host", "127.0.0.2"]);
    delete process.env.DISENTANGLE_WEB_DIR;
    const url = await new Promise<string>((resolve, reject) => {
      let text = "";
      child.stdout?.on("data", (chunk) => {
        text += chunk;
        const match = /explorer: (http:\S+)/.exec(text);
        if (match) resolve(match[1]);
      });
      child.on("close", () => reject(new Error("serve exited before printing its URL")));
    });
    try {
      const response = await fetch(`${url}api/runs.json`);
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { runs: unknown[] }).runs.length, 1);
    } finally {
      child.kill("SIGTERM");
    }
    const { stderr } = await done;
    assert.match(stderr, /warning: listening on 127\.0\.0\.2: anyone who can reach this address/);
  });
});
