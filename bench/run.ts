// `npm run bench`: what the typed API costs next to routes written by hand. Builds a copy of the app
// with the hand-written routes and page of bench/app/ (bench/app.ts, in .bench-app/), makes its own database (the
// seed plus today's size of bench/data.ts: 5,000 shows, 1,000 users and 50,000 follows, generated in SQL) on the local PostgreSQL
// (BENCH_POSTGRES_URL, default postgres@127.0.0.1:5432) or an embedded one, mints a session cookie,
// starts `next start` and the bare floor server (case D), checks that every case returns the same
// data, then loads each case with autocannon, interleaved over BENCH_ROUNDS rounds (default 3) of
// BENCH_SECONDS (default 5), and prints medians: req/s, p50/p99 latency, the server's CPU ms per
// request. Exits non-zero when a goal is missed. BENCH_SKIP_BUILD=1 reuses the last copy and its build.
// bench/scale.ts then measures the same app at today's size and a hundredfold.
// BENCH_SESSION_STORE=cookie runs the app with the whole session in its cookie (default: the
// database store), and the run prints the size of the Cookie header either way.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import autocannon from "autocannon";
import { freeLoopbackPort } from "../dev/ports";
import { generateData, TODAY } from "./data";
import { appEnv, benchDatabase, benchSession, buildBenchApp, CONNECTIONS, load, machine, medianSample, mintSessionCookie, SECONDS, startBenchApp, stopServers, waitUntilReady, type Sample } from "./harness";

const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;
const root = new URL("..", import.meta.url).pathname;

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

async function main(): Promise<boolean> {
  const database = await benchDatabase();
  const children: ChildProcess[] = [];
  try {
    const counts = await generateData(database.url, TODAY);
    console.log(`[bench] database: ${counts.shows} shows, ${counts.users} users, ${counts.follows} follows`);
    const appPort = await freeLoopbackPort();
    const floorPort = await freeLoopbackPort();
    const env: NodeJS.ProcessEnv = { ...appEnv(database.url, appPort, randomBytes(32).toString("hex")), BENCH_FLOOR_PORT: String(floorPort) };
    buildBenchApp(env);
    const app = await startBenchApp(env, appPort);
    children.push(app);
    const floor = spawn(process.execPath, ["--import", "tsx", "bench/floor.ts"], { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] });
    children.push(floor);
    const base = `http://127.0.0.1:${appPort}`;
    await waitUntilReady(`http://127.0.0.1:${floorPort}/`, floor);

    const cookie = await mintSessionCookie(env, await benchSession(env));
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
      if (!/ \d{5}\b/.test(text)) throw new Error(`The page shows no followed show: ${text.slice(0, 300)}`);
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
    if (reference.has("list") && !/ \d{5}"/.test(reference.get("list")!)) throw new Error("The list cases return no shows");
    console.log(`[bench] every case answers the same data; ${ROUNDS} rounds × ${cases.length} cases × ${SECONDS} s, ${CONNECTIONS} connections, ${os.cpus().length} cores`);

    // Warm up (JIT, pools, prepared statements: a page needs some hundred requests), then rounds with the cases interleaved.
    for (const benchCase of cases) await autocannon({ url: benchCase.url, connections: CONNECTIONS, duration: 3, headers });
    const samples = new Map<string, Sample[]>(cases.map((benchCase) => [benchCase.name, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const benchCase of cases) samples.get(benchCase.name)!.push(await load(benchCase.url, benchCase.server(), headers));
      console.log(`[bench] round ${round} of ${ROUNDS} done`);
    }
    const results = new Map(cases.map((benchCase) => [benchCase.name, medianSample(samples.get(benchCase.name)!)]));
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
    console.log(`\n${machine()}`);
    for (const { goal, value, rps, holds } of goals) {
      console.log(`${holds(value) ? "ok    " : "MISSED"} ${goal}: ${value.toFixed(2)} by CPU per request (${rps.toFixed(2)} by req/s)`);
    }
    return goals.every(({ value, holds }) => holds(value));
  } finally {
    await stopServers(children);
    await database.close();
  }
}

const passed = await main().catch((error: unknown) => {
  console.error(error);
  return false;
});
process.exit(passed ? 0 : 1);
