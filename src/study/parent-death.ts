/**
 * A study run's child process dies with its parent. The IPC channel's `disconnect` event is
 * the portable way, but it is only seen when the event loop turns, and an evaluation of a full
 * factor grid can run for minutes on engine promises that settle as microtasks. On Linux the
 * kernel does it instead: prctl(PR_SET_PDEATHSIG, SIGKILL) (through koffi, as the native
 * backend calls C), so a run whose runner or queue worker was killed stops at once and can be
 * taken over without being trained twice at once.
 */
import koffi from "koffi";

const PR_SET_PDEATHSIG = 1;
const SIGKILL = 9;

/**
 * Asks the kernel to SIGKILL this process when its parent dies (Linux; elsewhere a no-op that
 * returns false). `parentPid` is the parent that started it: if that parent is already gone
 * (it died before this call), the process exits at once.
 */
export function dieWithParent(parentPid: number | undefined): boolean {
  if (process.platform !== "linux") return false;
  try {
    const libc = koffi.load("libc.so.6");
    const prctl = libc.func(
      "int prctl(int, unsigned long, unsigned long, unsigned long, unsigned long)",
    );
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) !== 0) return false;
  } catch {
    return false;
  }
  if (parentPid !== undefined && process.ppid !== parentPid) process.exit(1);
  return true;
}
