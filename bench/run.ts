// `npm run bench`: what the typed API costs next to routes written by hand. Builds a copy of the app
// with the hand-written routes and page of bench/app/ (bench/app.ts, in .bench-app/), makes its own database (the
// seed plus 5,000 shows, 1,000 users and 50,000 follows, generated in SQL) on the local PostgreSQL
// (BENCH_POSTGRES_URL, default postgres@127.0.0.1:5432) or an embedded one, mints a session cookie,
// starts `next start` and the bare floor server (case D), checks that every case returns the same
// data, then loads each case with autocannon, interleaved over BENCH_ROUNDS rounds (default 3) of
// BENCH_SECONDS (default 5), and prints medians: req/s, p50/p99 latency, the server's CPU ms per
// request. Exits non-zero when a goal is missed. BENCH_SKIP_BUILD=1 reuses the last copy and its build.
// BENCH_SESSION_STORE=cookie runs the app with the whole session in its cookie (default: the
// database store), and the run prints the size of the Cookie header either way.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateSessionCookie } from "@auth0/nextjs-auth0/testing";
import type { SessionData } from "@auth0/nextjs-auth0/types";
import autocannon from "autocannon";
import { generateKeyPair, SignJWT } from "jose";
import { canConnect, dropDatabase, ensureDatabase, withDatabase } from "../dev/postgres";
import { openDatabase, type LocalDatabase } from "../scripts/local-database";
import { API_SCOPES } from "../src/utils/scopes";
import pg from "pg";
import { freeLoopbackPort } from "../dev/ports";
import { BENCH_APP_DIR, makeBenchApp } from "./app";

const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;
const SECONDS = Number(process.env.BENCH_SECONDS) || 5;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS) || 10;
const BENCH_SUB = "bench|user-0";
const FOLLOWED = 40;
const root = path.resolve(import.meta.dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const CLOCK_TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"]).toString()) || 100;

/** CPU seconds (user + system) a process and its descendants have used so far (Linux /proc). */
function cpuSeconds(pid: number): number {
  const stat = fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, "utf8") : "";
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const own = (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / CLOCK_TICKS_PER_SECOND;
  const children = fs.existsSync(`/proc/${pid}/task/${pid}/children`) ? fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8") : "";
  return own + children.split(/\s+/).filter(Boolean).reduce((sum, child) => sum + cpuSeconds(Number(child)), 0);
}

/** The benchmark data: 5,000 shows (2 genres each), 1,000 users following 50 each, and the bench user following 40. */
async function generateData(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`
      INSERT INTO "Show" (id, slug, title, network, summary, premiered, status)
      SELECT 'bench-show-' || i, 'bench-show-' || i, 'Bench Show ' || lpad(i::text, 5, '0'), 'Bench Network',
             'A show made up for the benchmark, number ' || i || '.', 1990 + i % 35, CASE WHEN i % 3 = 0 THEN 'ended' ELSE 'running' END::"ShowStatus"
      FROM generate_series(1, 5000) AS i ON CONFLICT DO NOTHING`);
    await client.query(`
      INSERT INTO "_GenreToShow" ("A", "B")
      SELECT g.id, s.id FROM "Show" s
      JOIN LATERAL (SELECT id FROM "Genre" ORDER BY md5(id || s.id) LIMIT 2) g ON true
      WHERE s.id LIKE 'bench-show-%' ON CONFLICT DO NOTHING`);
    await client.query(`
      INSERT INTO "User" (id, "auth0Sub", email, name, "updatedAt")
      SELECT 'bench-user-' || i, 'bench|user-' || i, 'user' || i || '@bench.test', 'Bench User ' || i, now()
      FROM generate_series(0, 1000) AS i ON CONFLICT DO NOTHING`);
    await client.query(`
      INSERT INTO "Subscription" (id, "userId", "showId", notify, "createdAt")
      SELECT 'bench-sub-' || u || '-' || k, 'bench-user-' || u, 'bench-show-' || (1 + (u * 97 + k * 13) % 5000), k % 2 = 0,
             now() - (k * interval '1 hour')
      FROM generate_series(0, 1000) AS u, generate_series(1, 50) AS k
      WHERE u > 0 OR k <= ${FOLLOWED} ON CONFLICT DO NOTHING`);
    // The bench user is on the Developer plan, with a paid invoice, as Bob is.
    await client.query(`
      INSERT INTO "BillingAccount" (id, "userId", "tierId", "currentPeriodStart", "currentPeriodEnd", "paymentBrand", "paymentLast4", "updatedAt")
      VALUES ('bench-account-0', 'bench-user-0', 'developer', now() - interval '3 days', now() + interval '27 days', 'visa', '4242', now())
      ON CONFLICT DO NOTHING`);
    await client.query(`
      INSERT INTO "Invoice" (id, "billingAccountId", "tierId", "amountCents", currency, status, "periodStart", "periodEnd", "issuedAt")
      SELECT 'bench-invoice-0', 'bench-account-0', id, "priceCents", currency, 'paid', now() - interval '3 days', now() + interval '27 days', now() - interval '3 days'
      FROM "PricingTier" WHERE id = 'developer' ON CONFLICT DO NOTHING`);
    await client.query("ANALYZE");
    const { rows } = await client.query<{ shows: number; users: number; follows: number }>(
      `SELECT (SELECT count(*)::int FROM "Show") AS shows, (SELECT count(*)::int FROM "User") AS users, (SELECT count(*)::int FROM "Subscription") AS follows`,
    );
    return rows[0]!;
  } finally {
    await client.end();
  }
}

/** The benchmark's own database: on the local PostgreSQL server when there is one, else embedded. */
async function benchDatabase(): Promise<LocalDatabase> {
  const server = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  if (await canConnect(server)) {
    const name = `showtrack_bench_${process.pid}`;
    const url = withDatabase(server, name);
    await dropDatabase(server, name);
    await ensureDatabase(url);
    await openDatabase({ external: url, prepare: true });
    return { url, close: () => dropDatabase(server, name) };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "showtrack-bench-"));
  const database = await openDatabase({ embedded: { dataDir, port: await freeLoopbackPort() }, prepare: true });
  return { url: database.url, close: async () => (await database.close(), fs.rmSync(dataDir, { recursive: true, force: true })) };
}

/**
 * Tokens the size of a tenant's (RS256 JWTs with Auth0's claims, an opaque refresh token), so that
 * the cookie holding them is the size a browser carries. Nobody verifies them: the session's access
 * token is used only by the API it is for, and is fresh.
 */
async function tokensOfSize(env: NodeJS.ProcessEnv, now: number) {
  const { privateKey } = await generateKeyPair("RS256");
  const sign = (claims: Record<string, unknown>, typ: string) =>
    new SignJWT({ iss: `${env.AUTH0_DOMAIN}/`, sub: BENCH_SUB, iat: now, exp: now + 86_400, ...claims }).setProtectedHeader({ alg: "RS256", kid: "bench-key-0", typ }).sign(privateKey);
  return {
    accessToken: await sign({ aud: [env.AUTH0_AUDIENCE, `${env.AUTH0_DOMAIN}/userinfo`], azp: env.AUTH0_CLIENT_ID, scope: ["openid profile email offline_access", ...API_SCOPES].join(" "), permissions: API_SCOPES }, "at+jwt"),
    idToken: await sign({ aud: env.AUTH0_CLIENT_ID, name: "Bench User 0", nickname: "user0", email: "user0@bench.test", email_verified: true, picture: "https://s.gravatar.com/avatar/0000000000000000000000000000000000000000000000000000000000000000?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2Fbu.png", sid: "bench-session", auth_time: now, nonce: randomBytes(32).toString("base64url") }, "JWT"),
    refreshToken: randomBytes(48).toString("base64url"),
  };
}

/**
 * A signed-in browser's session cookie, as the SDK writes it at sign-in: the whole session in the
 * cookie, or (the database store) a row of the app's own store and a cookie naming it.
 */
async function mintSessionCookie(env: NodeJS.ProcessEnv, session: SessionData): Promise<string> {
  const secret = env.AUTH0_SECRET!;
  if (env.AUTH0_SESSION_STORE === "cookie") return `__session=${await generateSessionCookie(session, { secret })}`;
  // The store validates the app's env when it is loaded: load it with the bench app's.
  Object.assign(process.env, env);
  const { createPrismaClient } = await import("../src/server/platform/db");
  const { createSessionStore } = await import("../src/server/platform/session-store");
  const db = createPrismaClient();
  try {
    const id = randomBytes(16).toString("hex");
    await createSessionStore(db, { inactivitySeconds: 86_400, absoluteSeconds: 7 * 86_400 }).set(id, session);
    // The SDK's stateful cookie: the session id alone, encrypted.
    return `__session=${await generateSessionCookie({ id } as unknown as SessionData, { secret })}`;
  } finally {
    await db.$disconnect();
  }
}

async function waitUntilReady(url: string, child: ChildProcess) {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited (${child.exitCode})`);
    if (await fetch(url).then((r) => r.status < 500, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200)); // polling a starting server
  }
}

interface Case {
  name: string;
  what: string;
  url: string;
  /** The process that serves it, for its CPU time. */
  server: () => ChildProcess;
  /** What it answers, in a form comparable with the other cases of its group. */
  data: (body: string) => unknown;
  group: string;
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  cpuMs: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function load(benchCase: Case, headers: Record<string, string>): Promise<Sample> {
  const pid = benchCase.server().pid!;
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({ url: benchCase.url, connections: CONNECTIONS, duration: SECONDS, headers });
  const cpu = cpuSeconds(pid) - cpuBefore;
  const non2xx = result.non2xx + result.errors;
  if (non2xx > 0) throw new Error(`${benchCase.name}: ${non2xx} answers were not 2xx`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuMs: (cpu * 1000) / result.requests.total };
}

async function main(): Promise<boolean> {
  const database = await benchDatabase();
  const children: ChildProcess[] = [];
  try {
    const counts = await generateData(database.url);
    console.log(`[bench] database: ${counts.shows} shows, ${counts.users} users, ${counts.follows} follows`);
    const appPort = await freeLoopbackPort();
    const floorPort = await freeLoopbackPort();
    const secret = randomBytes(32).toString("hex");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: database.url,
      APP_BASE_URL: `http://localhost:${appPort}`,
      // Never contacted: the session below is minted, its access token fresh.
      AUTH0_DOMAIN: "http://localhost:4999",
      AUTH0_CLIENT_ID: "showtrack-bench",
      AUTH0_CLIENT_SECRET: "showtrack-bench",
      AUTH0_SECRET: secret,
      AUTH0_AUDIENCE: "https://api.showtrack.bench",
      AUTH0_ALLOW_INSECURE_REQUESTS: "true",
      // One user making all the load: the limits would be the test, not the server.
      RATE_LIMIT_READS_PER_MINUTE: "100000000",
      RATE_LIMIT_WRITES_PER_MINUTE: "100000000",
      LOG_LEVEL: "warn",
      BENCH_FLOOR_PORT: String(floorPort),
      // "db" (the default): a row per session, read by every signed-in request (and by the floor's);
      // "cookie": the whole session in the cookie.
      AUTH0_SESSION_STORE: process.env.BENCH_SESSION_STORE ?? "db",
    };
    if (process.env.BENCH_SKIP_BUILD !== "1") {
      makeBenchApp();
      console.log(`[bench] building ${path.relative(root, BENCH_APP_DIR)}/…`);
      execFileSync(bin("next"), ["build"], { cwd: BENCH_APP_DIR, env, stdio: "ignore" });
    }
    const nodeArgs = process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
    const nextCli = path.join(root, "node_modules", "next", "dist", "bin", "next");
    const app = spawn(process.execPath, [...nodeArgs, nextCli, "start", "-p", String(appPort), "-H", "127.0.0.1"], { cwd: BENCH_APP_DIR, env, stdio: ["ignore", "ignore", "inherit"] });
    const floor = spawn(process.execPath, ["--import", "tsx", "bench/floor.ts"], { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] });
    children.push(app, floor);
    const base = `http://127.0.0.1:${appPort}`;
    await waitUntilReady(`${base}/api/health`, app);
    await waitUntilReady(`http://127.0.0.1:${floorPort}/`, floor);

    const now = Math.floor(Date.now() / 1000);
    const session = {
      user: { sub: BENCH_SUB, name: "Bench User 0", email: "user0@bench.test", auth_time: now },
      tokenSet: { ...(await tokensOfSize(env, now)), expiresAt: now + 24 * 3600, scope: ["openid", ...API_SCOPES].join(" "), audience: env.AUTH0_AUDIENCE },
      internal: { sid: "bench-session", createdAt: now },
    };
    const cookie = await mintSessionCookie(env, session);
    console.log(`[bench] session store: ${env.AUTH0_SESSION_STORE}; the Cookie header a signed-in browser sends: ${cookie.length} bytes`);
    const headers = { cookie, accept: "application/json, text/html" };

    const asJson = (body: string) => JSON.parse(body) as unknown;
    const trpcData = (body: string) => (JSON.parse(body) as { result: { data: { json: unknown } } }).result.data.json;
    const firstOfBatch = (body: string) => (JSON.parse(body) as { result: { data: { json: unknown } } }[])[0]!.result.data.json;
    // The same page: the text of its <main> (tags stripped, whitespace collapsed; __NEXT_DATA__ is
    // outside it), which must name the followed shows.
    const pageFacts = (body: string) => {
      const main = /<main\b[^>]*>([\s\S]*?)<\/main>/.exec(body)?.[1];
      const text = main?.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim() ?? "";
      if (!/Bench Show \d{5}/.test(text)) throw new Error(`The page shows no followed show: ${text.slice(0, 300)}`);
      return text;
    };
    const inApp = () => app;
    const allCases: Case[] = [
      { name: "A0", what: "hand-written route, pg", url: `${base}/api/bench/shows`, server: inApp, data: asJson, group: "list" },
      { name: "A", what: "the same route behind the proxy (as pages are)", url: `${base}/api/bench/proxied/shows`, server: inApp, data: asJson, group: "list" },
      { name: "B", what: "hand-written route, Prisma findMany", url: `${base}/api/bench/prisma-shows`, server: inApp, data: asJson, group: "list" },
      { name: "C", what: "GET /api/trpc/subscriptions.list", url: `${base}/api/trpc/subscriptions.list`, server: inApp, data: trpcData, group: "list" },
      { name: "C2", what: "subscriptions.list + me.profile, one batch", url: `${base}/api/trpc/subscriptions.list,me.profile?batch=1&input=${encodeURIComponent("{}")}`, server: inApp, data: firstOfBatch, group: "list" },
      { name: "D", what: "floor: bare node:http, key derived once, pg", url: `http://127.0.0.1:${floorPort}/`, server: () => floor, data: asJson, group: "list" },
      { name: "S", what: "GET /api/trpc/shows.list, anonymous", url: `${base}/api/trpc/shows.list?input=${encodeURIComponent(JSON.stringify({ json: { limit: 20 } }))}`, server: inApp, data: trpcData, group: "catalogue" },
      { name: "P", what: "/account SSR (tRPC prefetch)", url: `${base}/account`, server: inApp, data: pageFacts, group: "account" },
      { name: "P0", what: "/account twin: getServerSideProps + Prisma", url: `${base}/bench/account`, server: inApp, data: pageFacts, group: "account" },
    ];

    // BENCH_CASES=C,B runs only those (e.g. with BENCH_NODE_ARGS=--cpu-prof to profile one).
    const only = process.env.BENCH_CASES?.split(",");
    const cases = only ? allCases.filter((benchCase) => only.includes(benchCase.name)) : allCases;

    // Every case first answers, and answers the same as the others of its group (dates as JSON).
    const reference = new Map<string, string>();
    for (const benchCase of cases) {
      const response = await fetch(benchCase.url, { headers });
      const body = await response.text();
      if (!response.ok) throw new Error(`${benchCase.name}: ${response.status} ${body.slice(0, 300)}`);
      const data = JSON.stringify(benchCase.data(body));
      const expected = reference.get(benchCase.group);
      if (expected === undefined) reference.set(benchCase.group, data);
      else if (data !== expected) throw new Error(`${benchCase.name} does not answer as the first case of "${benchCase.group}":\n${data.slice(0, 500)}\n${expected.slice(0, 500)}`);
    }
    if (reference.has("list") && !reference.get("list")!.includes("Bench Show")) throw new Error("The list cases return no shows");
    console.log(`[bench] every case answers the same data; ${ROUNDS} rounds × ${cases.length} cases × ${SECONDS} s, ${CONNECTIONS} connections, ${os.cpus().length} cores`);

    // Warm up (JIT, pools, prepared statements: a page needs some hundred requests), then rounds with the cases interleaved.
    for (const benchCase of cases) await autocannon({ url: benchCase.url, connections: CONNECTIONS, duration: 3, headers });
    const samples = new Map<string, Sample[]>(cases.map((benchCase) => [benchCase.name, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const benchCase of cases) samples.get(benchCase.name)!.push(await load(benchCase, headers));
      console.log(`[bench] round ${round} of ${ROUNDS} done`);
    }
    const results = new Map(
      cases.map((benchCase) => {
        const runs = samples.get(benchCase.name)!;
        return [benchCase.name, { rps: median(runs.map((r) => r.rps)), p50: median(runs.map((r) => r.p50)), p99: median(runs.map((r) => r.p99)), cpuMs: median(runs.map((r) => r.cpuMs)) }];
      }),
    );
    console.log("\n| case | what | req/s | p50 ms | p99 ms | CPU ms/request |\n|---|---|---|---|---|---|");
    for (const benchCase of cases) {
      const r = results.get(benchCase.name)!;
      console.log(`| ${benchCase.name} | ${benchCase.what} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.cpuMs.toFixed(2)} |`);
    }
    if (only) return true; // goals need every case
    const get = (name: string) => results.get(name)!;
    // The goals compare cost: the server's CPU time per request. On an idle machine req/s is its
    // inverse; on a shared one req/s measures the share of the cores the server got (printed too).
    const costRatio = (cheap: string, dear: string) => get(cheap).cpuMs / get(dear).cpuMs;
    const rpsRatio = (a: string, b: string) => get(a).rps / get(b).rps;
    const goals = [
      { goal: "C ≥ 1.0 × B", value: costRatio("B", "C"), rps: rpsRatio("C", "B"), holds: (v: number) => v >= 1.0 },
      { goal: "C ≥ 0.60 × A0", value: costRatio("A0", "C"), rps: rpsRatio("C", "A0"), holds: (v: number) => v >= 0.6 },
      { goal: "the second procedure of a batch ≤ 0.40 × a lone call (C2 / C − 1)", value: get("C2").cpuMs / get("C").cpuMs - 1, rps: rpsRatio("C", "C2") - 1, holds: (v: number) => v <= 0.4 },
      { goal: "/account SSR ≥ 0.8 × its hand-written twin", value: costRatio("P0", "P"), rps: rpsRatio("P", "P0"), holds: (v: number) => v >= 0.8 },
    ];
    console.log(`\n${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
    for (const { goal, value, rps, holds } of goals) {
      console.log(`${holds(value) ? "ok    " : "MISSED"} ${goal}: ${value.toFixed(2)} by CPU per request (${rps.toFixed(2)} by req/s)`);
    }
    return goals.every(({ value, holds }) => holds(value));
  } finally {
    // The servers go first: dropping the database under them would fail their last queries.
    await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : (child.once("exit", resolve), child.kill("SIGTERM"))))));
    await database.close();
  }
}

const passed = await main().catch((error: unknown) => {
  console.error(error);
  return false;
});
process.exit(passed ? 0 : 1);
