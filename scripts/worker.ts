// `npm run worker`: a job worker (src/server/faces/worker.ts) on the app's database. Run as many as you
// like, on any machines, beside the app's instances, with the app's environment. SIGTERM or SIGINT
// (Ctrl-C) lets the jobs in flight finish (30 s at most, then they are released for another worker)
// and exits. A cause it can name (an invalid environment, no database) is one line, never a stack trace.
// It runs in one process (`node --import tsx`, not the tsx launcher): the launcher hands a signal on
// only if its child answers within 30 ms, and kills a busy worker outright otherwise.
import process from "node:process";
import { onParentGone } from "./local-stack.mjs";

const fail = (error: unknown): never => {
  console.error(`[worker] cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
};

// Loaded here rather than imported: the app's modules read (and check) the environment as they load.
const [{ databaseUrl }, { db }, { startWorker }] = await Promise.all([import("../prisma/database-url"), import("../src/server/platform/db"), import("../src/server/faces/worker")]).catch(fail);

const url = databaseUrl();
const started = startWorker({ connectionString: url, db }).catch((error: unknown) => fail(`${error instanceof Error ? error.message : String(error)} (database ${new URL(url).host})`));
// Listening from the start: a signal while the worker starts stops it once it has started. Its
// parent gone stops it too: a SIGTERM to `npm run worker` ends npm and its shell, never the worker,
// and a worker of `npm run dev` whose launcher was killed has no one left to stop it.
let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  started
    .then((worker) => worker.stop())
    .then(() => db.$disconnect())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`[worker] stopping failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, stop);
onParentGone(stop);
