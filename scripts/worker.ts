// `npm run worker`: a job worker (src/server/faces/worker.ts) on the app's database. Run as many as you
// like, on any machines, beside the app's instances. SIGTERM or SIGINT (Ctrl-C) lets the jobs in flight
// finish (30 s at most, then they are released for another worker) and exits.
import { databaseUrl } from "../prisma/database-url";
import { db } from "../src/server/platform/db";
import { startWorker } from "../src/server/faces/worker";

const url = databaseUrl();
const worker = await startWorker({ connectionString: url, db }).catch((error: unknown) => {
  console.error(`[worker] cannot start: ${error instanceof Error ? error.message : String(error)} (database ${new URL(url).host})`);
  process.exit(1);
});
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    worker
      .stop()
      .then(() => db.$disconnect())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(`[worker] stopping failed: ${error instanceof Error ? error.message : String(error)}`);
          process.exit(1);
        },
      );
  });
}
