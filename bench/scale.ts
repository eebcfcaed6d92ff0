// The scale run of `npm run bench` (`npm run bench:scale` alone): how latency grows with the data. Two
// databases, today's size and a hundredfold one (bench/data.ts: 50,000 shows, 100,000 people, 2,000,000
// follows and their audit trail, the bench user an Enterprise person with 5,000 follows), each seeded by
// set-based SQL and served by its own `next start` of the same build. Prints the seed's time and each
// database's size, the plan of every statement each case sends (EXPLAIN ANALYZE, BUFFERS: time and
// buffers at both sizes, the indexes at 100×), then loads each case at both sizes at once (so the
// machine's noise falls on both alike) over BENCH_ROUNDS rounds (default 3) of BENCH_SECONDS (default 5),
// and prints p50/p99 at each size and their ratio. Exits non-zero when a case's p99 at 100× is above 1.5× today's, or when a statement reads
// a big table from end to end (a sequential scan). BENCH_SKIP_BUILD=1 reuses the last build of .bench-app/.
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { SessionData } from "@auth0/nextjs-auth0/types";
import autocannon from "autocannon";
import pg from "pg";
import { freeLoopbackPort } from "../dev/ports";
import type { LocalDatabase } from "../scripts/local-database";
import { foldForSearch } from "../src/server/domain/search";
import { generateData, HUNDREDFOLD, RARE_WORD, TODAY, type DataSize } from "./data";
import { appEnv, benchDatabase, benchSession, buildBenchApp, CONNECTIONS, load, machine, medianSample, mintSessionCookie, SECONDS, startBenchApp, stopServers, type Sample } from "./harness";

const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;
/** The goal: p99 at 100× at most this many times today's. */
const P99_RATIO_GOAL = 1.5;
/** A table this large is never read whole by a request. */
const BIG_TABLE_ROWS = 10_000;

type InProcess = Awaited<ReturnType<typeof inProcessCaller>>;
type Caller = InProcess["caller"];

interface ScaleCase {
  name: string;
  /** The path and query of its request. */
  path: string;
  /** Throws unless the answer is what this case reads at `size`. */
  check: (body: string, size: DataSize) => void;
  /** The same reads in process, for their statements' plans. */
  calls: (caller: Caller) => Promise<unknown>[];
}

const trpcUrl = (procedure: string, input?: unknown) => `/api/trpc/${procedure}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`}`;
const trpcData = (body: string) => (JSON.parse(body) as { result: { data: { json: unknown } } }).result.data.json;

interface Page {
  items: { title?: string }[];
  nextCursor: string | null;
}

const SEARCHES = [
  { name: "search: cafe", term: "cafe" },
  { name: `search: a rare word (${RARE_WORD.toLowerCase()})`, term: RARE_WORD.toLowerCase() },
  { name: "search: a common prefix (har)", term: "har" },
];

const CASES: ScaleCase[] = [
  {
    name: "list: subscriptions.list, first page",
    path: trpcUrl("subscriptions.list"),
    check: (body, size) => {
      const page = trpcData(body) as Page;
      const expected = Math.min(size.benchUser.follows, 50);
      if (page.items.length !== expected || (page.nextCursor !== null) !== size.benchUser.follows > 50) throw new Error(`a page of ${page.items.length} follows, next ${page.nextCursor}; expected ${expected}`);
    },
    calls: (caller) => [caller.subscriptions.list({})],
  },
  {
    name: "catalogue: shows.list, first page",
    path: trpcUrl("shows.list", { limit: 20 }),
    check: (body) => {
      if ((trpcData(body) as Page).items.length !== 20) throw new Error("not a page of 20 shows");
    },
    calls: (caller) => [caller.shows.list({ limit: 20 })],
  },
  ...SEARCHES.map(({ name, term }) => ({
    name,
    path: trpcUrl("shows.list", { limit: 20, search: term }),
    check: (body: string) => {
      const { items } = trpcData(body) as Page;
      if (items.length === 0 || !items.every((show) => foldForSearch(show.title ?? "").includes(term))) throw new Error(`"${term}" found ${items.map((show) => show.title).join(", ") || "nothing"}`);
    },
    calls: (caller: Caller) => [caller.shows.list({ limit: 20, search: term })],
  })),
  {
    name: "/account, server-rendered",
    path: "/account",
    check: (body) => {
      if (!/ \d{5}</.test(body)) throw new Error("the page names no followed show");
    },
    // The page's prefetches (src/pages/account.tsx).
    calls: (caller) => [
      caller.me.profile(),
      caller.subscriptions.list({}),
      caller.billing.info(),
      caller.me.activity({ limit: 10 }),
      caller.sessions.list(),
      caller.tokens.list(),
      caller.me.reminders(),
    ],
  },
  {
    name: "billing.info",
    path: trpcUrl("billing.info"),
    check: (body, size) => {
      const info = trpcData(body) as { usage: { subscriptions: number }; invoices: unknown[] };
      if (info.usage.subscriptions !== size.benchUser.follows || info.invoices.length === 0) throw new Error(`usage ${info.usage.subscriptions}, ${info.invoices.length} invoices`);
    },
    calls: (caller) => [caller.billing.info()],
  },
];

/** The app's router called in this process on `url`, as the bench user, recording every statement its pool sends. */
async function inProcessCaller(env: NodeJS.ProcessEnv, session: SessionData) {
  // The payment provider is never called by these reads: the test one keeps its warning out of the output.
  Object.assign(process.env, env, { PAYMENTS_PROVIDER: "test" });
  const { createInnerContext } = await import("../src/server/context");
  const { createPrismaClient } = await import("../src/server/platform/db");
  const { createCaller } = await import("../src/server/routers/_app");
  const statements: { text: string; values: unknown[] }[] = [];
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL });
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      const [config, values] = args as [string | pg.QueryConfig, unknown[] | undefined];
      statements.push(typeof config === "string" ? { text: config, values: values ?? [] } : { text: config.text, values: config.values ?? values ?? [] });
      return query(...args);
    }) as typeof client.query;
  });
  const db = createPrismaClient(env.DATABASE_URL, {}, pool);
  return { caller: createCaller(createInnerContext({ session, db })), statements, close: () => db.$disconnect() };
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

interface ExplainedPlan {
  Plan: PlanNode & { "Shared Hit Blocks": number; "Shared Read Blocks": number };
  "Execution Time": number;
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

interface ExplainedStatement {
  text: string;
  ms: number;
  buffers: number;
  /** Each table read, how: "Index Scan Show_title_id_idx (Show)". */
  scans: string[];
  /** The big tables it reads whole. */
  seqScans: string[];
}

/**
 * The plans of the statements a case sends on one database (after a first call, which opens what it
 * opens), each the fastest of three runs of EXPLAIN ANALYZE: one run on a busy machine may wait for a core.
 */
async function explainCase(benchCase: ScaleCase, { caller, statements }: InProcess, url: string): Promise<ExplainedStatement[]> {
  await Promise.all(benchCase.calls(caller));
  statements.length = 0;
  await Promise.all(benchCase.calls(caller));
  const sent = statements.splice(0).filter((statement) => /^\s*(SELECT|WITH)\b/i.test(statement.text));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: sizes } = await client.query<{ relname: string; rows: number }>(`SELECT relname, reltuples::float8 AS rows FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace`);
    const rowsOf = new Map(sizes.map((table) => [table.relname, table.rows]));
    const explained: ExplainedStatement[] = [];
    for (const { text, values } of sent) {
      const runs = [];
      for (let run = 0; run < 3; run++) {
        const { rows } = await client.query<{ "QUERY PLAN": [ExplainedPlan] }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`, values);
        runs.push(rows[0]!["QUERY PLAN"][0]);
      }
      const { Plan: plan, "Execution Time": ms } = runs.reduce((fastest, run) => (run["Execution Time"] < fastest["Execution Time"] ? run : fastest));
      const scans = nodesOf(plan).filter((node) => node["Relation Name"]);
      explained.push({
        text,
        ms,
        buffers: plan["Shared Hit Blocks"] + plan["Shared Read Blocks"],
        scans: [...new Set(scans.map((node) => `${node["Node Type"]}${node["Index Name"] ? ` ${node["Index Name"]}` : ""} (${node["Relation Name"]})`))],
        seqScans: scans
          .filter((node) => node["Node Type"] === "Seq Scan" && (rowsOf.get(node["Relation Name"]!) ?? 0) > BIG_TABLE_ROWS)
          .map((node) => `${benchCase.name}: ${node["Relation Name"]} in ${text.replace(/\s+/g, " ").slice(0, 200)}`),
      });
    }
    return explained;
  } finally {
    await client.end();
  }
}

interface Percentiles {
  p50: number;
  p99: number;
  cpuMs: number;
}

// The same person at both sizes, an Enterprise one with more follows than a page holds, so that each
// case reads and renders as much at both: only the data around them grows.
const SIZES = [
  { label: "1×", size: { ...TODAY, benchUser: { tierId: "enterprise", follows: 60 } } satisfies DataSize },
  { label: "100×", size: HUNDREDFOLD },
];

async function main(): Promise<boolean> {
  const databases: LocalDatabase[] = [];
  const children: ChildProcess[] = [];
  const inProcess: InProcess[] = [];
  try {
    const secret = randomBytes(32).toString("hex");
    const seeded: { label: string; size: DataSize; url: string; env: NodeJS.ProcessEnv }[] = [];
    for (const { label, size } of SIZES) {
      const database = await benchDatabase(label === "1×" ? "today" : "hundredfold");
      databases.push(database);
      const data = await generateData(database.url, size);
      console.log(
        `[bench] ${label}: ${data.shows.toLocaleString("en")} shows, ${data.users.toLocaleString("en")} users, ${data.follows.toLocaleString("en")} follows, ${data.events.toLocaleString("en")} audit events; ` +
          `seeded in ${data.seconds.toFixed(1)} s, database ${(data.bytes / 2 ** 20).toFixed(0)} MB`,
      );
      seeded.push({ label, size, url: database.url, env: appEnv(database.url, await freeLoopbackPort(), secret) });
    }
    buildBenchApp(seeded[0]!.env);
    const served = [];
    for (const entry of seeded) {
      const port = Number(new URL(entry.env.APP_BASE_URL!).port);
      const app = await startBenchApp(entry.env, port);
      children.push(app);
      const headers = { cookie: await mintSessionCookie(entry.env, await benchSession(entry.env)), accept: "application/json, text/html" };
      served.push({ ...entry, app, headers, base: `http://127.0.0.1:${port}` });
    }

    // Every case answers, and answers what it should at each size.
    for (const benchCase of CASES) {
      for (const { label, size, base, headers } of served) {
        const response = await fetch(base + benchCase.path, { headers });
        const body = await response.text();
        if (!response.ok) throw new Error(`${benchCase.name} at ${label}: ${response.status} ${body.slice(0, 300)}`);
        try {
          benchCase.check(body, size);
        } catch (error) {
          throw new Error(`${benchCase.name} at ${label}: ${(error as Error).message}`);
        }
      }
    }

    console.log(`\n[bench] the statements of each case, as EXPLAIN (ANALYZE, BUFFERS) finds them: time and buffers at 1× → 100×, and the plan at 100×`);
    for (const { env } of served) inProcess.push(await inProcessCaller(env, await benchSession(env)));
    const seqScans: string[] = [];
    for (const benchCase of CASES) {
      const [today, scaled] = (await Promise.all(served.map(({ url }, index) => explainCase(benchCase, inProcess[index]!, url)))) as [ExplainedStatement[], ExplainedStatement[]];
      console.log(`\n  ${benchCase.name}: ${scaled.length} statement${scaled.length === 1 ? "" : "s"}`);
      for (const statement of scaled) {
        // The same statement at 1× (the pages' reads run at once, in either order).
        const match = today.findIndex((other) => other.text === statement.text);
        const before = match >= 0 ? today.splice(match, 1)[0] : undefined;
        console.log(`    ${before?.ms.toFixed(2) ?? "?"} → ${statement.ms.toFixed(2)} ms, ${before?.buffers ?? "?"} → ${statement.buffers} buffers: ${statement.scans.join("; ")}`);
        seqScans.push(...statement.seqScans);
      }
    }

    // Both sizes of a case are loaded at the same time, half the connections each: whatever else the
    // machine does in those seconds slows both alike.
    const connections = Math.max(1, Math.floor(CONNECTIONS / served.length));
    console.log(`\n[bench] ${ROUNDS} rounds × ${CASES.length} cases × ${SECONDS} s, both sizes at once with ${connections} connections each; ${machine()}`);
    for (const benchCase of CASES) await Promise.all(served.map(({ base, headers }) => autocannon({ url: base + benchCase.path, connections, duration: 2, headers })));
    const samples = new Map<string, Sample[]>();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const benchCase of CASES) {
        const paired = await Promise.all(served.map(({ base, app, headers }) => load(base + benchCase.path, app, headers, connections)));
        served.forEach(({ label }, index) => {
          const key = `${benchCase.name}@${label}`;
          samples.set(key, [...(samples.get(key) ?? []), paired[index]!]);
        });
      }
      console.log(`[bench] round ${round} of ${ROUNDS} done; load average ${machine().split("load average ")[1]}`);
    }

    // Percentiles of every response of every round (a round's p99 is its handful of slowest); CPU per request, the rounds' median.
    console.log("\n| case | 1× p50 ms | 1× p99 ms | 100× p50 ms | 100× p99 ms | p50 ratio | p99 ratio | CPU ms 1× / 100× |\n|---|---|---|---|---|---|---|---|");
    const missed: string[] = [];
    for (const benchCase of CASES) {
      const [today, scaled] = served.map(({ label }) => {
        const runs = samples.get(`${benchCase.name}@${label}`)!;
        const latencies = runs.flatMap((run) => run.latencies).sort((a, b) => a - b);
        const at = (quantile: number) => latencies[Math.min(latencies.length - 1, Math.ceil(quantile * latencies.length) - 1)]!;
        return { p50: at(0.5), p99: at(0.99), cpuMs: medianSample(runs).cpuMs };
      }) as [Percentiles, Percentiles];
      const p99Ratio = scaled.p99 / today.p99;
      if (p99Ratio > P99_RATIO_GOAL) missed.push(`${benchCase.name}: p99 ${p99Ratio.toFixed(2)}×`);
      console.log(
        `| ${benchCase.name} | ${today.p50.toFixed(0)} | ${today.p99.toFixed(0)} | ${scaled.p50.toFixed(0)} | ${scaled.p99.toFixed(0)} | ${(scaled.p50 / today.p50).toFixed(2)} | ${p99Ratio.toFixed(2)} | ${today.cpuMs.toFixed(2)} / ${scaled.cpuMs.toFixed(2)} |`,
      );
    }
    console.log(`\n${machine()}`);
    for (const miss of missed) console.log(`MISSED p99 at 100× ≤ ${P99_RATIO_GOAL}× today's: ${miss}`);
    for (const scan of seqScans) console.log(`MISSED every statement on an index: a sequential scan of ${scan}`);
    if (missed.length === 0 && seqScans.length === 0) console.log(`ok     p99 at 100× ≤ ${P99_RATIO_GOAL}× today's in every case, and no statement reads a big table whole`);
    return missed.length === 0 && seqScans.length === 0;
  } finally {
    // Whatever failed, the servers and the databases go.
    await Promise.allSettled(inProcess.map(({ close }) => close()));
    await stopServers(children);
    for (const database of databases) await database.close();
  }
}

const passed = await main().catch((error: unknown) => {
  console.error(error);
  return false;
});
process.exit(passed ? 0 : 1);
