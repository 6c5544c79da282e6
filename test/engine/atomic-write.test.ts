import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { writeFileAtomic } from "../../src/engine/atomic-write.ts";

const dir = mkdtempSync(join(tmpdir(), "atomic-write-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("writes strings and bytes, replaces an existing file, leaves no temporary files", () => {
  const path = join(dir, "out.json");
  writeFileSync(path, "old contents that are longer than the new ones");
  writeFileAtomic(path, '{"a": "é"}\n');
  assert.equal(readFileSync(path, "utf8"), '{"a": "é"}\n');
  const bytes = new Uint8Array(300_000).map((_, i) => (i * 7) & 255);
  writeFileAtomic(path, bytes);
  assert.deepEqual(new Uint8Array(readFileSync(path)), bytes);
  assert.deepEqual(readdirSync(dir), ["out.json"]);
});

test("a failed write names the file, keeps the target, and removes its temporary file", () => {
  const sub = join(dir, "failing");
  mkdirSync(join(sub, "target"), { recursive: true });
  // Renaming a file over a directory fails after the temporary file was written.
  assert.throws(
    () => writeFileAtomic(join(sub, "target"), "data"),
    (error: Error) => error.message.startsWith(`${join(sub, "target")}: atomic write failed:`),
  );
  assert.deepEqual(readdirSync(sub), ["target"]);
  assert.throws(
    () => writeFileAtomic(join(dir, "missing", "x.txt"), "data"),
    /x\.txt: cannot write, directory .*missing does not exist/,
  );
});
