// Processes of the laptop stack (scripts/dev.ts): each child runs in a process group of its own, so
// that whatever it starts in turn (next dev's server, tsx's node) stops with it.
import fs from "node:fs";

/** Whether a process with this id exists (a zombie counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true; // no /proc (macOS): kill(0) is the answer
  }
}

/** Whether any process of the group remains. */
function groupRunning(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Polls `done` every 100 ms for at most `ms`; returns whether it came true. */
export async function waitUntil(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/**
 * Ends the process group `pgid`: SIGTERM, then SIGKILL for what still runs after `graceMs`.
 * Returns whether the group was running.
 */
export async function stopGroup(pgid: number, graceMs = 5_000): Promise<boolean> {
  try {
    process.kill(-pgid, "SIGTERM");
  } catch {
    return false;
  }
  if (!(await waitUntil(() => !groupRunning(pgid), graceMs))) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // ended meanwhile
    }
    // Orphans killed here are reaped by init, which may take a moment.
    await waitUntil(() => !groupRunning(pgid), 1_000);
  }
  return true;
}
