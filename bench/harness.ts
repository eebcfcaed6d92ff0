// What the benchmarks share: their databases, the app's copy served by `next start`, a signed-in
// browser's session cookie, and autocannon loads measured with the server's CPU time.
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
import { freeLoopbackPort } from "../dev/ports";
import { openDatabase, type LocalDatabase } from "../scripts/local-database";
import { API_SCOPES } from "../src/utils/scopes";
import { BENCH_APP_DIR, makeBenchApp } from "./app";

export const SECONDS = Number(process.env.BENCH_SECONDS) || 5;
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS) || 10;
export const BENCH_SUB = "bench|user-0";
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

/** A benchmark's own database (`name` tells several apart): on the local PostgreSQL server when there is one, else embedded. */
export async function benchDatabase(name = "main"): Promise<LocalDatabase> {
  const server = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  if (await canConnect(server)) {
    const database = `showtrack_bench_${process.pid}_${name}`;
    const url = withDatabase(server, database);
    await dropDatabase(server, database);
    await ensureDatabase(url);
    await openDatabase({ external: url, prepare: true });
    return { url, close: () => dropDatabase(server, database) };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "showtrack-bench-"));
  const database = await openDatabase({ embedded: { dataDir, port: await freeLoopbackPort() }, prepare: true });
  return { url: database.url, close: async () => (await database.close(), fs.rmSync(dataDir, { recursive: true, force: true })) };
}

/** The env of the bench app on `database` and `port`; the secret signs every app's cookies alike. */
export function appEnv(databaseUrl: string, port: number, secret: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: databaseUrl,
    APP_BASE_URL: `http://localhost:${port}`,
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
    // "db" (the default): a row per session, read by every signed-in request (and by the floor's);
    // "cookie": the whole session in the cookie.
    AUTH0_SESSION_STORE: process.env.BENCH_SESSION_STORE ?? "db",
  };
}

/** Makes and builds the bench app's copy (.bench-app/), unless BENCH_SKIP_BUILD=1 says to reuse the last one. */
export function buildBenchApp(env: NodeJS.ProcessEnv) {
  if (process.env.BENCH_SKIP_BUILD === "1" && fs.existsSync(path.join(BENCH_APP_DIR, ".next", "BUILD_ID"))) return;
  makeBenchApp();
  console.log(`[bench] building ${path.relative(root, BENCH_APP_DIR)}/…`);
  execFileSync(bin("next"), ["build"], { cwd: BENCH_APP_DIR, env, stdio: "ignore" });
}

/** Waits until `child` answers at `url`. */
export async function waitUntilReady(url: string, child: ChildProcess) {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited (${child.exitCode})`);
    if (await fetch(url).then((r) => r.status < 500, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200)); // polling a starting server
  }
}

/** Starts the built copy with `env` on `port` and waits until it answers; BENCH_NODE_ARGS go to its node. */
export async function startBenchApp(env: NodeJS.ProcessEnv, port: number): Promise<ChildProcess> {
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const nextCli = path.join(root, "node_modules", "next", "dist", "bin", "next");
  const app = spawn(process.execPath, [...nodeArgs, nextCli, "start", "-p", String(port), "-H", "127.0.0.1"], { cwd: BENCH_APP_DIR, env, stdio: ["ignore", "ignore", "inherit"] });
  await waitUntilReady(`http://127.0.0.1:${port}/api/health`, app);
  return app;
}

/** Stops the servers (before their databases go: dropping one under a server would fail its last queries). */
export async function stopServers(children: ChildProcess[]) {
  await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : (child.once("exit", resolve), child.kill("SIGTERM"))))));
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

/** The bench user's session as the SDK holds it after sign-in. */
export async function benchSession(env: NodeJS.ProcessEnv): Promise<SessionData> {
  const now = Math.floor(Date.now() / 1000);
  return {
    user: { sub: BENCH_SUB, name: "Bench User 0", email: "user0@bench.test", auth_time: now },
    tokenSet: { ...(await tokensOfSize(env, now)), expiresAt: now + 24 * 3600, scope: ["openid", ...API_SCOPES].join(" "), audience: env.AUTH0_AUDIENCE },
    internal: { sid: "bench-session", createdAt: now },
  };
}

/**
 * A signed-in browser's session cookie for the app of `env`, as the SDK writes it at sign-in: the
 * whole session in the cookie, or (the database store) a row of the app's own store and a cookie naming it.
 */
export async function mintSessionCookie(env: NodeJS.ProcessEnv, session: SessionData): Promise<string> {
  const secret = env.AUTH0_SECRET!;
  if (env.AUTH0_SESSION_STORE === "cookie") return `__session=${await generateSessionCookie(session, { secret })}`;
  // The store validates the app's env when it is loaded: load it with the bench app's.
  Object.assign(process.env, env);
  const { createPrismaClient } = await import("../src/server/platform/db");
  const { createSessionStore } = await import("../src/server/platform/session-store");
  const db = createPrismaClient(env.DATABASE_URL);
  try {
    const id = randomBytes(16).toString("hex");
    await createSessionStore(db, { inactivitySeconds: 86_400, absoluteSeconds: 7 * 86_400 }).set(id, session);
    // The SDK's stateful cookie: the session id alone, encrypted.
    return `__session=${await generateSessionCookie({ id } as unknown as SessionData, { secret })}`;
  } finally {
    await db.$disconnect();
  }
}

export interface Sample {
  rps: number;
  p50: number;
  p99: number;
  cpuMs: number;
  /** Every response's latency (ms). */
  latencies: number[];
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The medians of samples. */
export const medianSample = (runs: Sample[]): Omit<Sample, "latencies"> => ({
  rps: median(runs.map((r) => r.rps)),
  p50: median(runs.map((r) => r.p50)),
  p99: median(runs.map((r) => r.p99)),
  cpuMs: median(runs.map((r) => r.cpuMs)),
});

/** Loads `url` for SECONDS with `connections` (CONNECTIONS); the CPU time is `server`'s. */
export async function load(url: string, server: ChildProcess, headers: Record<string, string>, connections = CONNECTIONS): Promise<Sample> {
  const pid = server.pid!;
  const cpuBefore = cpuSeconds(pid);
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, connections, duration: SECONDS, headers }, (error: unknown, done) => (error ? reject(error as Error) : resolve(done)));
    instance.on("response", (_client, _status, _bytes, latency) => latencies.push(latency));
  });
  const cpu = cpuSeconds(pid) - cpuBefore;
  const non2xx = result.non2xx + result.errors;
  if (non2xx > 0) throw new Error(`${url}: ${non2xx} answers were not 2xx`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuMs: (cpu * 1000) / result.requests.total, latencies };
}

/** The machine, for beside the figures. */
export const machine = () => `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`;
