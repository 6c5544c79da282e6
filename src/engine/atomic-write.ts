/**
 * Crash-safe file replacement: write a temporary file in the target's directory, fsync it,
 * rename it over the target (atomic on POSIX file systems), then fsync the directory so the
 * rename itself is durable. A reader sees either the old file or the complete new one.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** Replaces `path` with `data` atomically (strings are written as UTF-8). */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const dir = dirname(path);
  let dirStat: ReturnType<typeof statSync>;
  try {
    dirStat = statSync(dir);
  } catch {
    throw new Error(`${path}: cannot write, directory ${dir} does not exist`);
  }
  if (!dirStat.isDirectory()) throw new Error(`${path}: cannot write, ${dir} is not a directory`);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, "wx", 0o644);
    let written = 0;
    while (written < bytes.length) {
      written += writeSync(fd, bytes, written, bytes.length - written);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${path}: atomic write failed: ${reason}`);
  }
  syncDirectory(dir);
}

/** Makes a rename in `dir` durable. Some platforms cannot fsync a directory; that is not fatal. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Windows and some network file systems refuse to open or fsync directories.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
