/**
 * The explorer's server reads only what it was given: run folders' known files and the built
 * page. Path traversal in every form (`../`, percent-encoded `%2e%2e` and `%2f`, absolute
 * paths, an absolute-form request target, symlinks out of a run folder or the page folder,
 * hidden files) gets a 4xx and never the bytes of the file outside; unknown routes are 404,
 * bad parameters 400 with a message; files are streamed whole. Requests go over a real
 * socket with raw targets, as a client could send them.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { PathRefused, resolveInside } from "../../src/server/safe-path.ts";
import { type ExplorerServer, startExplorer } from "../../src/server/serve.ts";

const SECRET = "TOP-SECRET-not-for-the-explorer";

/** GET (or `method`) of a raw request target; the body as text. */
function get(
  base: string,
  target: string,
  method = "GET",
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: target, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString("latin1"),
          headers: res.headers,
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("disentangle serve: what the server answers", () => {
  const work = mkdtempSync(join(tmpdir(), "disentangle-serve-"));
  const runs = join(work, "runs");
  const run = join(runs, "tiny");
  const linked = join(runs, "linked");
  const page = join(work, "page");
  let server: ExplorerServer;

  before(async () => {
    mkdirSync(run, { recursive: true });
    mkdirSync(linked, { recursive: true });
    mkdirSync(join(page, "assets"), { recursive: true });
    writeFileSync(join(work, "secret.txt"), SECRET);
    writeFileSync(
      join(run, "config.json"),
      JSON.stringify({ model: "vae", data: "sprites", z: 4 }),
    );
    writeFileSync(join(run, "checkpoint.safetensors"), Buffer.alloc(200_000, 7));
    writeFileSync(join(run, "log.jsonl"), '{"step":10,"loss":1}\n');
    writeFileSync(join(run, ".hidden"), SECRET);
    // A run whose checkpoint is a symlink out of its folder.
    writeFileSync(
      join(linked, "config.json"),
      JSON.stringify({ model: "vae", data: "sprites", z: 4 }),
    );
    symlinkSync(join(work, "secret.txt"), join(linked, "checkpoint.safetensors"));
    writeFileSync(join(page, "index.html"), "<!doctype html><title>page</title>");
    writeFileSync(join(page, "assets/app.js"), "console.log(1)");
    writeFileSync(join(page, ".env"), SECRET);
    symlinkSync(join(work, "secret.txt"), join(page, "assets/escape.js"));
    server = await startExplorer({ runs: [runs], port: 0, pageDir: page });
  });
  after(async () => {
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test("the run list names both runs; the page and a run's files are served, the checkpoint whole", async () => {
    const list = await get(server.url, "/api/runs.json");
    assert.equal(list.status, 200);
    const ids = (JSON.parse(list.body) as { runs: { id: string; model?: string }[] }).runs.map(
      (r) => r.id,
    );
    assert.deepEqual(ids, ["linked", "tiny"]);
    assert.equal((await get(server.url, "/")).body, "<!doctype html><title>page</title>");
    assert.equal((await get(server.url, "/assets/app.js")).status, 200);
    const checkpoint = await get(server.url, "/api/runs/tiny/checkpoint.safetensors");
    assert.equal(checkpoint.status, 200);
    assert.equal(checkpoint.headers["content-length"], "200000");
    assert.equal(checkpoint.body, Buffer.alloc(200_000, 7).toString("latin1"));
    assert.equal(
      (await get(server.url, "/api/runs/tiny/log.jsonl")).body,
      '{"step":10,"loss":1}\n',
    );
  });

  test("traversal attempts get 4xx and none of the secret's bytes", async () => {
    const attempts = [
      "/api/runs/tiny/../../secret.txt",
      "/api/runs/tiny/..%2f..%2fsecret.txt",
      "/api/runs/tiny/%2e%2e/%2e%2e/secret.txt",
      "/api/runs/%2e%2e/secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E/%2E%2E/secret.txt",
      "/..%2fsecret.txt",
      "/..%5csecret.txt",
      "/assets/../../secret.txt",
      "/assets/%2e%2e%2f%2e%2e%2fsecret.txt",
      `/${encodeURIComponent(join(work, "secret.txt"))}`,
      join(work, "secret.txt"),
      `//${join(work, "secret.txt").slice(1)}`,
      `http://127.0.0.1${join(work, "secret.txt")}`,
      "/api/runs/linked/checkpoint.safetensors",
      "/assets/escape.js",
      "/.env",
      "/%2eenv",
      "/api/runs/tiny/.hidden",
      "/api/runs/tiny/%00config.json",
    ];
    for (const target of attempts) {
      const { status, body } = await get(server.url, target);
      assert.ok(status >= 400 && status < 500, `${target}: status ${status}`);
      assert.ok(!body.includes(SECRET), `${target} leaked the secret`);
    }
  });

  test("unknown routes are 404, bad parameters 400, writes 405, each with a message", async () => {
    const cases: [string, number, RegExp, string?][] = [
      ["/api/runs/nope/config.json", 404, /no run "nope" \(runs: linked, tiny\)/],
      ["/api/runs/tiny/secret.txt", 404, /no file "secret.txt"/],
      ["/api/nothing", 404, /no route/],
      ["/no-such-page.js", 404, /not found/],
      [
        "/api/runs/tiny/held-out.safetensors?count=abc",
        400,
        /count "abc": expected a whole number from 1 to 2000/,
      ],
      ["/api/runs/tiny/held-out.safetensors?count=0", 400, /expected a whole number/],
      ["/api/runs/tiny/held-out.safetensors?count=5&colour=red", 400, /unknown parameter "colour"/],
      ["/api/runs/tiny/config.json", 405, /read-only/, "POST"],
    ];
    for (const [target, status, message, method] of cases) {
      const response = await get(server.url, target, method);
      assert.equal(response.status, status, target);
      assert.match(JSON.parse(response.body).error, message, target);
    }
  });
});

describe("resolveInside: the path check under the routes", () => {
  test("refuses dot segments, encoded separators, hidden names, absolute paths and symlinks out", () => {
    const work = mkdtempSync(join(tmpdir(), "disentangle-paths-"));
    try {
      mkdirSync(join(work, "root/sub"), { recursive: true });
      writeFileSync(join(work, "root/sub/file.txt"), "ok");
      writeFileSync(join(work, "outside.txt"), SECRET);
      symlinkSync(join(work, "outside.txt"), join(work, "root/link.txt"));
      symlinkSync(join(work), join(work, "root/up"));
      const root = join(work, "root");
      assert.equal(resolveInside(root, "sub/file.txt"), join(work, "root/sub/file.txt"));
      const refused: [string, number][] = [
        ["../outside.txt", 400],
        ["sub/../../outside.txt", 400],
        ["%2e%2e/outside.txt", 400],
        ["sub%2f..%2f..%2foutside.txt", 400],
        ["..%5coutside.txt", 400],
        [encodeURIComponent(join(work, "outside.txt")), 400],
        ["", 404],
        ["sub//file.txt", 400],
        ["link.txt", 403],
        ["up/outside.txt", 403],
        [".git", 403],
        ["sub/%2efile", 403],
        ["%zz", 400],
        ["sub", 404],
        ["missing.txt", 404],
      ];
      for (const [path, status] of refused) {
        assert.throws(
          () => resolveInside(root, path),
          (error: unknown) => error instanceof PathRefused && error.status === status,
          path,
        );
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
