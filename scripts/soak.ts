// `npm run soak`: the production build under steady load (autocannon), 60 s at 20 connections by
// default (SOAK_SECONDS, SOAK_CONNECTIONS; SOAK_RATE caps the requests per second), a mix of public
// and signed-in calls as several users, writes near the Free plan's cap included. Beside it runs a job
// worker in its own process, as deployed, kept busy: every 30 s an episode of the most followed show
// (given 300 more followers) becomes due for reminders (emailed to an SMTP server started here), and
// a few paid periods end.
// Prints requests/s, p50/p99 latency, the status histogram, the server's and the worker's RSS at start
// and end, and the reminders emailed (with their duplicates); exits non-zero on any 5xx, on RSS growth
// of 50 MB or more in either process, a duplicate email, or inconsistent data afterwards
// (scripts/consistency.ts).
// Its database is its own: a new embedded PostgreSQL server in a temporary folder.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateSessionCookie } from "@auth0/nextjs-auth0/testing";
import autocannon from "autocannon";
import pg from "pg";
import { SMTPServer } from "smtp-server";
import { createPrismaClient } from "../src/server/platform/db";
import { inconsistencies } from "./consistency";
import { openDatabase } from "./local-database";
import { API_SCOPES } from "../src/utils/scopes";
import { freeLoopbackPort } from "../dev/ports";

const SECONDS = Number(process.env.SOAK_SECONDS) || 60;
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS) || 20;
const RATE = Number(process.env.SOAK_RATE) || undefined;
const FEED_SECONDS = 30;
const SOAK_FOLLOWERS = 300;
// New users (no seeded follows or plan), so that their audit trails tell their whole story.
const USERS = ["soak|user-1", "soak|user-2", "soak|user-3", "soak|user-4", "soak|user-5", "soak|user-6"];
const WARM_UP_SECONDS = 45;
const root = path.resolve(import.meta.dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);

/** Resident memory of a process and its children, in MB (Linux /proc). */
function rssMb(pid: number): number {
  const children = spawnSync("ps", ["-o", "pid=", "--ppid", String(pid)]).stdout.toString(); // none: exit status 1
  const pids = [pid, ...children.split(/\s+/).filter(Boolean).map(Number)];
  const kb = pids.reduce((sum, id) => {
    const status = fs.existsSync(`/proc/${id}/status`) ? fs.readFileSync(`/proc/${id}/status`, "utf8") : "";
    return sum + Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }, 0);
  return Math.round(kb / 1024);
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "showtrack-soak-"));
const database = await openDatabase({ embedded: { dataDir, port: await freeLoopbackPort() }, prepare: true });
const db = createPrismaClient(database.url);
const appPort = await freeLoopbackPort();
const secret = randomBytes(32).toString("hex");
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
  NEXT_DIST_DIR: ".next-soak",
  // Its users' sessions are minted whole into their cookies, and their cards are the test cards.
  AUTH0_SESSION_STORE: "cookie",
  PAYMENTS_PROVIDER: "test",
  DATABASE_URL: database.url,
  APP_BASE_URL: `http://localhost:${appPort}`,
  // Never contacted: the sessions below are minted, their access tokens fresh.
  AUTH0_DOMAIN: "http://localhost:4999",
  AUTH0_CLIENT_ID: "showtrack-soak",
  AUTH0_CLIENT_SECRET: "showtrack-soak",
  AUTH0_SECRET: secret,
  AUTH0_AUDIENCE: "https://api.showtrack.soak",
  AUTH0_ALLOW_INSECURE_REQUESTS: "true",
  // A few users making all the load: the limits would be the test, not the server.
  RATE_LIMIT_READS_PER_MINUTE: "10000000",
  RATE_LIMIT_WRITES_PER_MINUTE: "10000000",
  LOG_LEVEL: "warn",
};

console.log("[soak] building…");
execFileSync(bin("next"), ["build"], { cwd: root, env, stdio: "ignore" });
// The app's and the worker's logs (warnings and errors: LOG_LEVEL=warn), kept for a failed run's reader.
const logFile = path.join(os.tmpdir(), `showtrack-soak-${process.pid}.log`);
const logs = fs.openSync(logFile, "a");
const server = spawn(bin("next"), ["start", "-p", String(appPort), "-H", "127.0.0.1"], { cwd: root, env, stdio: ["ignore", logs, "inherit"] });
const app = `http://127.0.0.1:${appPort}`;
for (let ready = false; !ready; ) {
  ready = await fetch(`${app}/api/health`).then((r) => r.ok, () => false);
  if (!ready) await new Promise((resolve) => setTimeout(resolve, 200)); // polling a starting server
}

// The worker's mail goes to an SMTP server here, which counts every reminder by its Message-ID.
const reminderIds: string[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  logger: false,
  closeTimeout: 100,
  onData(stream, _session, callback) {
    let head = "";
    stream.on("data", (chunk: Buffer) => {
      if (head.length < 8192) head += chunk.toString();
    });
    stream.on("end", () => {
      const id = /^Message-ID:\s*<(reminder\.[^>]+)>/im.exec(head)?.[1];
      if (id) reminderIds.push(id);
      callback();
    });
  },
});
await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
const smtpPort = (smtp.server.address() as import("node:net").AddressInfo).port;
const worker = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], { cwd: root, env: { ...env, SMTP_URL: `smtp://127.0.0.1:${smtpPort}` }, stdio: ["ignore", logs, "inherit"] });
const workerExited = new Promise((resolve) => worker.once("exit", resolve));
const stopWorker = () => (worker.kill("SIGTERM"), workerExited);

// The feeder: what the worker finds due, every FEED_SECONDS.
const feeder = new pg.Client({ connectionString: database.url });
await feeder.connect();
const { rows: busiest } = await feeder.query<{ showId: string }>(
  `SELECT "showId" FROM "Subscription" WHERE notify GROUP BY "showId" ORDER BY count(*) DESC LIMIT 1`,
);
// Followers enough that each episode is a batch of emails, as a popular show's is.
await feeder.query(
  `INSERT INTO "User" (id, "auth0Sub", email, "emailVerified", "updatedAt") SELECT 'soak-f' || i, 'soak|f' || i, 'f' || i || '@soak.test', true, now() FROM generate_series(1, $1) AS i`,
  [SOAK_FOLLOWERS],
);
await feeder.query(
  `INSERT INTO "Subscription" (id, "userId", "showId", "createdAt") SELECT 'soak-s' || i, 'soak-f' || i, $2, now() - interval '1 day' FROM generate_series(1, $1) AS i`,
  [SOAK_FOLLOWERS, busiest[0]!.showId],
);
let episodeNumber = 0;
const feed = async () => {
  // Due in a few seconds for a follower with the default lead time (60 minutes).
  await feeder.query(
    `INSERT INTO "Episode" (id, "showId", season, number, title, "airsAt") VALUES (gen_random_uuid()::text, $1, 99, $2, 'Soak', now() + interval '60 minutes 10 seconds')`,
    [busiest[0]!.showId, ++episodeNumber],
  );
  // A few paid periods end: the worker renews them (the demo cards are test cards).
  await feeder.query(
    `UPDATE "BillingAccount" SET "currentPeriodEnd" = now() WHERE id IN (
       SELECT b.id FROM "BillingAccount" b JOIN "PricingTier" t ON t.id = b."tierId"
       WHERE t."priceCents" > 0 AND b."paymentReference" IS NOT NULL AND b."pendingTierId" IS NULL ORDER BY random() LIMIT 3)`,
  );
};

const now = Math.floor(Date.now() / 1000);
const accessTokenFor = (sub: string) =>
  [{ alg: "none", typ: "at+jwt" }, { iss: `${env.AUTH0_DOMAIN}/`, sub, aud: env.AUTH0_AUDIENCE, exp: now + 24 * 3600, permissions: API_SCOPES }, ""]
    .map((part) => (part === "" ? "" : Buffer.from(JSON.stringify(part)).toString("base64url")))
    .join(".");
const cookies = await Promise.all(
  USERS.map(async (sub) => {
    const session = {
      user: { sub, name: sub, email: `${sub.replace(/\W/g, "")}@example.test`, email_verified: true },
      // The app reads the permissions of a session's access token (Auth0 RBAC) without verifying it: the SDK took it from the issuer.
      tokenSet: { accessToken: accessTokenFor(sub), idToken: "soak", expiresAt: now + 24 * 3600, scope: ["openid", ...API_SCOPES].join(" "), audience: env.AUTH0_AUDIENCE },
      internal: { sid: `soak-${sub}`, createdAt: now },
    };
    return `__session=${await generateSessionCookie(session, { secret })}`;
  }),
);
const showIds = (await db.show.findMany({ select: { id: true }, take: 8 })).map((show) => show.id);
const wire = (input: unknown) => encodeURIComponent(JSON.stringify({ json: input }));
const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)]!;

/** One call of the mix: 60% public reads, 25% signed-in reads, 15% writes (follows around the cap, plan changes). */
function nextCall(): { method: "GET" | "POST"; path: string; headers: Record<string, string>; body?: string } {
  const roll = Math.random();
  const cookie = pick(cookies);
  if (roll < 0.3) return { method: "GET", path: `/api/trpc/shows.list?input=${wire({ limit: 20 })}`, headers: {} };
  if (roll < 0.45) return { method: "GET", path: `/api/trpc/shows.list?input=${wire({ search: pick(["harbor", "glass", "salt"]) })}`, headers: {} };
  if (roll < 0.6) return { method: "GET", path: "/api/pricing-tiers", headers: {} };
  if (roll < 0.75) return { method: "GET", path: `/api/trpc/subscriptions.list,me.profile?batch=1&input=${encodeURIComponent("{}")}`, headers: { cookie } };
  if (roll < 0.85) return { method: "GET", path: "/api/billing-info", headers: { cookie } };
  const origin = env.APP_BASE_URL!;
  const write = (procedure: string, input: unknown) => ({
    method: "POST" as const,
    path: `/api/trpc/${procedure}`,
    headers: { cookie, origin, "content-type": "application/json" },
    body: JSON.stringify({ json: input }),
  });
  if (roll < 0.92) return write("subscriptions.add", { showId: pick(showIds) });
  if (roll < 0.98) return write("subscriptions.remove", { showId: pick(showIds) });
  if (roll < 0.99) return write("billing.changeTier", { tierId: pick(["free", "developer"]) });
  // A good card or one whose charges are declined: plan changes both succeed and fail.
  return write("billing.setCard", { number: pick(["4242424242424242", "4000000000000341"]), expMonth: 12, expYear: new Date().getUTCFullYear() + 1, cvc: "123" });
}

/** Loads the server, then reports; true when the soak failed. */
async function soak(): Promise<boolean> {
  const load = (duration: number) =>
    autocannon({ url: app, connections: CONNECTIONS, duration, overallRate: RATE, requests: [{ setupRequest: (request) => ({ ...request, ...nextCall() }) }] });
  // The first seconds load code, fill caches and grow the heap to its working size: not a leak.
  console.log(`[soak] warming up for ${WARM_UP_SECONDS} s (server RSS ${rssMb(server.pid!)} MB)…`);
  await feed();
  const feeding = setInterval(() => void feed().catch((error: unknown) => console.error(`[soak] feeder: ${String(error)}`)), FEED_SECONDS * 1000);
  const warmUp = await load(WARM_UP_SECONDS);
  const rssStart = rssMb(server.pid!);
  const workerRssStart = rssMb(worker.pid!);
  console.log(`[soak] ${SECONDS} s at ${CONNECTIONS} connections${RATE ? ` (${RATE} requests/s)` : ""}, ${os.cpus().length} cores; server RSS ${rssStart} MB, worker RSS ${workerRssStart} MB`);
  // Every 10 s (a minute for the worker): a leak climbs steadily, a heap settling into its size levels off.
  const samples = [rssStart];
  const workerSamples = [workerRssStart];
  const sampler = setInterval(() => samples.push(rssMb(server.pid!)), 10_000);
  const workerSampler = setInterval(() => workerSamples.push(rssMb(worker.pid!)), 60_000);
  const result = await load(SECONDS);
  clearInterval(sampler);
  clearInterval(workerSampler);
  clearInterval(feeding);
  const rssEnd = rssMb(server.pid!);
  const workerRssEnd = rssMb(worker.pid!);
  // The worker stops (finishing what it is sending) before the counts.
  await stopWorker();
  const { rows: made } = await feeder.query<{ made: number; renewed: number }>(
    `SELECT (SELECT count(*)::int FROM "Notification" n JOIN "Episode" e ON e.id = n."episodeId" WHERE e.title = 'Soak' AND n.channel = 'email' AND n."sentAt" IS NOT NULL) AS made,
            (SELECT count(*)::int FROM "Invoice" WHERE "issuedAt" > now() - make_interval(secs => $1)) AS renewed`,
    [SECONDS + WARM_UP_SECONDS],
  );
  const duplicates = reminderIds.length - new Set(reminderIds).size;

  const statusesOf = (run: autocannon.Result) =>
    Object.fromEntries(Object.entries(run.statusCodeStats ?? {}).map(([status, stats]) => [status, stats?.count ?? 0]));
  const statuses = statusesOf(result);
  // The warm-up counts for errors too; it is left out of the memory comparison only.
  const serverErrors = [statuses, statusesOf(warmUp)]
    .flatMap((histogram) => Object.entries(histogram))
    .filter(([status]) => Number(status) >= 500)
    .reduce((sum, [, count]) => sum + count, 0);
  const problems = await inconsistencies(db, USERS);
  console.log(
    [
      `requests/s  ${Math.round(result.requests.average)} (${result.requests.total} in ${SECONDS} s)`,
      `latency     p50 ${result.latency.p50} ms · p99 ${result.latency.p99} ms`,
      `statuses    ${JSON.stringify(statuses)}; errors (no response) ${result.errors}, timeouts ${result.timeouts}; warm-up ${JSON.stringify(statusesOf(warmUp))}`,
      `server RSS  ${rssStart} MB → ${rssEnd} MB (${rssEnd - rssStart >= 0 ? "+" : ""}${rssEnd - rssStart} MB; every 10 s: ${samples.join(", ")})`,
      `worker RSS  ${workerRssStart} MB → ${workerRssEnd} MB (${workerRssEnd - workerRssStart >= 0 ? "+" : ""}${workerRssEnd - workerRssStart} MB; every minute: ${workerSamples.join(", ")})`,
      `worker      ${reminderIds.length} reminder emails received (${made[0]!.made} marked sent, ${duplicates} duplicates), ${made[0]!.renewed} invoices from renewals and plan changes`,
      `data        ${problems.length === 0 ? "consistent (caps hold, audit trails replay)" : problems.join("\n            ")}`,
    ].join("\n"),
  );

  return serverErrors > 0 || rssEnd - rssStart >= 50 || workerRssEnd - workerRssStart >= 50 || duplicates > 0 || problems.length > 0 || result.errors + warmUp.errors > 0;
}

let failed = true;
try {
  failed = await soak();
} finally {
  server.kill("SIGTERM");
  await stopWorker();
  await feeder.end();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await db.$disconnect();
  await database.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
console.log(`[soak] the app's and the worker's logs: ${logFile}`);
console.log(failed ? "[soak] FAILED" : "[soak] passed: no 5xx, RSS growth under 50 MB, no duplicate email, data consistent");
process.exit(failed ? 1 : 0);
