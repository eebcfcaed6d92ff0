// `npm run db:<task>`: the Prisma CLI on the app's database (the embedded server is started for the
// duration of the command when DATABASE_URL is unset and it is not already running).
import { openDatabaseOrExit, prisma } from "./local-database";

const [task = "", ...extra] = process.argv.slice(2);
const TASKS: Record<string, string[][]> = {
  // The WASM engine's `migrate dev` fails on a database with pending migrations: apply them first.
  migrate: [["migrate", "deploy"], ["migrate", "dev", ...extra]],
  deploy: [["migrate", "deploy", ...extra]],
  reset: [["migrate", "reset", "--force", ...extra]],
  seed: [["db", "seed", ...extra]],
};
const steps = TASKS[task];
if (!steps) {
  console.error(`Unknown task "${task}": one of ${Object.keys(TASKS).join(", ")}.`);
  process.exit(2);
}

const database = await openDatabaseOrExit("db", { external: process.env.DATABASE_URL });
try {
  for (const args of steps) await prisma(args, database.url);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await database.close();
}
