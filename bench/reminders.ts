// The reminders case of `npm run bench`: one episode due for 10,000 followers (BENCH_FOLLOWERS), made
// and emailed to a local SMTP server by 1 worker, then by 2 working at once (each in a process of its
// own, as deployed workers are), on a database of its own. Prints, for each: the time from due to all
// sent, the emails the server received and how many were duplicates (must be 0), and the workers' CPU
// per reminder. Exits non-zero on a duplicate or a missing email.
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import pg from "pg";
import { canConnect, dropDatabase, ensureDatabase, withDatabase } from "../dev/postgres";
import { openDatabase } from "../scripts/local-database";

const FOLLOWERS = Number(process.env.BENCH_FOLLOWERS) || 10_000;

// What the app's modules need to load in a worker (nothing here signs anyone in).
const WORKER_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  APP_BASE_URL: "http://localhost:3999",
  AUTH0_DOMAIN: "http://localhost:4999",
  AUTH0_CLIENT_ID: "showtrack-bench",
  AUTH0_CLIENT_SECRET: "showtrack-bench",
  AUTH0_SECRET: randomBytes(32).toString("hex"),
  AUTH0_AUDIENCE: "https://api.showtrack.bench",
  LOG_LEVEL: "warn",
};

if (process.argv[2] === "--worker") {
  // One worker process: makes the due reminders and sends the emails (the job's own functions).
  const [url, smtpUrl, now] = process.argv.slice(3) as [string, string, string];
  process.env.DATABASE_URL = url;
  const { createPrismaClient } = await import("../src/server/platform/db");
  const { createDueReminders, sendDueEmails } = await import("../src/server/domain/reminders");
  const { createMailer } = await import("../src/server/platform/mail");
  const db = createPrismaClient(url);
  const at = new Date(now);
  await createDueReminders(db, at);
  const sent = await sendDueEmails(db, createMailer(smtpUrl)!, at, { batch: Number.MAX_SAFE_INTEGER });
  const { user, system } = process.cpuUsage();
  process.send!({ sent, cpuMs: (user + system) / 1000 });
  await db.$disconnect();
  process.exit(0);
}

async function freshDatabase(name: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  if (!(await canConnect(server))) throw new Error(`The reminders bench needs a PostgreSQL server at ${server} (BENCH_POSTGRES_URL).`);
  const url = withDatabase(server, name);
  await dropDatabase(server, name);
  await ensureDatabase(url);
  await openDatabase({ external: url, prepare: true });
  return { url, close: () => dropDatabase(server, name) };
}

/** One episode, airing in 30 minutes, followed with reminders on by FOLLOWERS new people. */
async function seedFollowers(url: string, airsAt: Date) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`INSERT INTO "Show" (id, slug, title, network, summary, premiered, status) VALUES ('bench-show', 'bench-show', 'Bench Show', 'Bench', 'A show for the bench.', 2020, 'running')`);
    await client.query(`INSERT INTO "Episode" (id, "showId", season, number, title, "airsAt") VALUES ('bench-episode', 'bench-show', 1, 1, 'Pilot', $1)`, [airsAt]);
    await client.query(`INSERT INTO "User" (id, "auth0Sub", email, "emailVerified", "updatedAt") SELECT 'f' || i, 'bench|f' || i, 'f' || i || '@bench.test', true, now() FROM generate_series(1, $1) AS i`, [FOLLOWERS]);
    await client.query(`INSERT INTO "Subscription" (id, "userId", "showId", "createdAt") SELECT 's' || i, 'f' || i, 'bench-show', now() - interval '1 day' FROM generate_series(1, $1) AS i`, [FOLLOWERS]);
  } finally {
    await client.end();
  }
}

async function run(workers: number): Promise<{ seconds: number; received: number; duplicates: number; cpuMsPerReminder: number }> {
  const database = await freshDatabase(`showtrack_bench_reminders_${process.pid}_${workers}`);
  const recipients: string[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    closeTimeout: 100,
    onRcptTo(address, _session, callback) {
      // The seed's demo users may have a reminder due too: only the bench's followers are counted.
      if (address.address.endsWith("@bench.test")) recipients.push(address.address);
      callback();
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on("end", () => callback());
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  try {
    const airsAt = new Date(Date.now() + 30 * 60_000);
    await seedFollowers(database.url, airsAt);
    const smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    const started = performance.now();
    const children: ChildProcess[] = Array.from({ length: workers }, () =>
      fork(import.meta.filename, ["--worker", database.url, smtpUrl, new Date().toISOString()], { env: WORKER_ENV, execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] }),
    );
    const results = await Promise.all(children.map((child) => new Promise<{ cpuMs: number }>((resolve, reject) => {
      child.once("message", (message) => resolve(message as { cpuMs: number }));
      child.once("exit", (code) => (code === 0 ? undefined : reject(new Error(`a worker exited with ${code}`))));
    })));
    const seconds = (performance.now() - started) / 1000;
    const duplicates = recipients.length - new Set(recipients).size;
    return { seconds, received: recipients.length, duplicates, cpuMsPerReminder: results.reduce((sum, result) => sum + result.cpuMs, 0) / FOLLOWERS };
  } finally {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await database.close();
  }
}

console.log(`[bench] reminders: one episode due for ${FOLLOWERS} followers, emailed to a local SMTP server`);
console.log("| workers | due → all sent | emails received | duplicates | worker CPU ms per reminder |\n|---|---|---|---|---|");
let ok = true;
for (const workers of [1, 2]) {
  const result = await run(workers);
  console.log(`| ${workers} | ${result.seconds.toFixed(1)} s | ${result.received} | ${result.duplicates} | ${result.cpuMsPerReminder.toFixed(2)} |`);
  ok &&= result.duplicates === 0 && result.received === FOLLOWERS;
}
process.exit(ok ? 0 : 1);
