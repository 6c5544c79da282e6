/** The run lock: one holder at a time; a lock whose holder died on this host is taken over. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { acquireRunLock, RunBusyError } from "../../src/study/store.ts";

test("a run lock has one holder; a dead holder's lock is taken over", () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-lock-"));
  const lock = acquireRunLock(dir);
  assert.throws(
    () => acquireRunLock(dir),
    (error: Error) => {
      assert.ok(error instanceof RunBusyError);
      assert.match(error.message, new RegExp(`being trained by ${hostname()} pid ${process.pid}`));
      return true;
    },
  );
  lock.release();
  assert.equal(existsSync(join(dir, "train.lock")), false);

  // A holder on this host that is no longer alive (pid 2^22 + 1 is above Linux's pid_max).
  writeFileSync(join(dir, "train.lock"), JSON.stringify({ host: hostname(), pid: 4194305 }));
  acquireRunLock(dir).release();
  // A holder on another host is trusted while it keeps touching the file.
  writeFileSync(join(dir, "train.lock"), JSON.stringify({ host: "elsewhere", pid: 1 }));
  assert.throws(() => acquireRunLock(dir), /being trained by elsewhere pid 1/);
  acquireRunLock(dir, -1).release(); // older than staleMs: taken over
});
