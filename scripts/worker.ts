// `npm run worker`: a job worker (src/server/faces/worker.ts) on the app's database. Run as many as you
// like, on any machines, beside the app's instances, with the app's environment. SIGTERM or SIGINT
// (Ctrl-C) lets the jobs in flight finish (30 s, then they are released for another worker) and
// exits; a second one exits at once. A cause it can name (an invalid environment, no database) is
// one line, never a stack trace.
// It runs in one process (`node --import tsx`, not the tsx launcher): the launcher hands a signal on
// only if its child answers within 30 ms, and kills a busy worker outright otherwise.
import os from "node:os";
import process from "node:process";
import { onParentGone } from "./local-stack.mjs";
import { messageOf } from "./messages";

function fail(why: string): never {
  console.error(`[worker] cannot start: ${why}`);
  process.exit(1);
}

/** The database's host for a message: never the URL itself, which holds the password. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "an unparseable DATABASE_URL";
  }
}

// Set once the worker is starting; a stop asked for before then just exits, nothing having started.
let started: Promise<{ stop(): Promise<void> }> | undefined = undefined;
let disconnect = async () => {};
let stopping = false;
function stop(exitCodeIfAskedAgain: number) {
  if (stopping) process.exit(exitCodeIfAskedAgain);
  stopping = true;
  if (!started) process.exit(0);
  started
    .then((worker) => worker.stop())
    .then(() => disconnect())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`[worker] stopping failed: ${messageOf(error)}`);
        process.exit(1);
      },
    );
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => stop(128 + os.constants.signals[signal]));
// Under npm (`npm run worker`, or the worker of `npm run dev`), a SIGTERM to npm ends npm and the shell
// it runs the script in, and reaches the worker only where that shell hands it on (bash does, dash
// does not): the worker stops once its parent is gone. Watched from the first line, before the parent
// can go; not elsewhere, as a worker started with `nohup … &` or `setsid` outlives its parent on purpose.
if (process.env.npm_lifecycle_event) {
  onParentGone(() => {
    console.error("[worker] its parent process is gone (npm or the dev launcher ended): stopping");
    stop(1);
  });
}

// Loaded here rather than imported: the app's modules read (and check) the environment as they load.
const [{ databaseUrl }, { db }, { startWorker }] = await Promise.all([import("../prisma/database-url"), import("../src/server/platform/db"), import("../src/server/faces/worker")]).catch((error: unknown) => fail(messageOf(error)));
if (stopping) process.exit(0);
const url = databaseUrl();
disconnect = () => db.$disconnect();
started = startWorker({ connectionString: url, db }).catch((error: unknown) => fail(`${messageOf(error)} (database ${hostOf(url)})`));
