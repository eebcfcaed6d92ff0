// The job worker (pg-boss on the app's PostgreSQL): schedules run once per occurrence whatever the
// number of workers, SIGTERM lets a job in flight finish, a killed worker's job is retried by another,
// a job sent in a transaction lives or dies with it, /api/health tells how the workers are doing, the
// worker purges expired sessions, and `npm run worker` stops when told (or when npm that ran it is gone)
// and says in one line why it cannot start. Real database, real processes, short pg-boss intervals.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { JOBS, startWorker, type JobKind, type Worker } from "~/server/faces/worker";
import { testPaymentProvider } from "~/server/domain/payments";
import { createJobEngine, inTransaction } from "~/server/platform/jobs";
import { cookieFor, db, readSession, seededApiServer, sessionFor, until } from "./helpers";
import { STUCK_QUEUE } from "./worker-jobs";
import { TEST_ENV } from "../vitest.config";

const api = seededApiServer();
const url = () => process.env.DATABASE_URL!;
/** What `npm run worker` runs after `node`, read from package.json: the test runs the command itself. */
const workerArgs = (JSON.parse(fs.readFileSync("package.json", "utf8")) as { scripts: { worker: string } }).scripts.worker.replace(/^node /, "").split(" ");
const FAST = { pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1, cronMonitorIntervalSeconds: 1, cronWorkerIntervalSeconds: 1 };

const running: Worker[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((worker) => worker.stop({ timeoutSeconds: 2 })));
});
const start = async (jobs: Record<string, JobKind>) => {
  const worker = await startWorker({ connectionString: url(), db, jobs, engine: FAST });
  running.push(worker);
  return worker;
};

const jobsOf = (name: string) =>
  db.$queryRawUnsafe<{ id: string; state: string; retry_count: number; created_on: Date }[]>(
    `SELECT id, state, retry_count, created_on FROM pgboss.job WHERE name = $1 ORDER BY created_on`,
    name,
  );

describe("the job worker", () => {
  it("runs a scheduled job once per occurrence, whatever the number of workers", async () => {
    let runs = 0;
    const tick: JobKind = { queue: { retryLimit: 0 }, cron: "* * * * *", handle: async () => void runs++ };
    await Promise.all([start({ "test.tick": tick }), start({ "test.tick": tick })]);
    await until(async () => runs, (count) => count >= 1);
    // Several cron passes of both workers later, still one job per minute.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const jobs = await jobsOf("test.tick");
    const minutes = jobs.map((job) => Math.floor(job.created_on.getTime() / 60_000));
    expect(new Set(minutes).size).toBe(jobs.length);
    expect(runs).toBe(jobs.length);
  }, 40_000);

  it("on stop (SIGTERM), lets the job in flight finish", async () => {
    let release!: () => void;
    let started = false;
    const slow: JobKind = {
      queue: { retryLimit: 0 },
      handle: async () => {
        started = true;
        await new Promise<void>((resolve) => (release = resolve));
      },
    };
    const worker = await startWorker({ connectionString: url(), db, jobs: { "test.slow": slow }, engine: FAST });
    const id = await worker.boss.send("test.slow", {});
    await until(async () => started, Boolean);
    const stopped = worker.stop({ timeoutSeconds: 10 });
    setTimeout(() => release(), 500); // the job finishes while the worker is stopping
    await stopped;
    const [job] = await jobsOf("test.slow");
    expect({ id: job?.id, state: job?.state }).toEqual({ id, state: "completed" });
  });

  it("retries the job of a worker that was killed", async () => {
    // Node itself (not the tsx launcher, which would leave its child running): the process killed is the worker.
    const child = spawn(process.execPath, ["--import", "tsx", "tests/setup/stuck-worker.ts"], { env: { ...process.env, DATABASE_URL: url() }, stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await until(async () => output, (text) => text.includes("ready"));
    const sender = createJobEngine(url(), { supervise: false, schedule: false });
    await sender.start();
    const id = await sender.send(STUCK_QUEUE.name, {});
    await sender.stop({ graceful: false, wait: true });
    await until(async () => output, (text) => text.includes(`started ${id}`));
    child.kill("SIGKILL");

    let done = 0;
    await start({ [STUCK_QUEUE.name]: { queue: STUCK_QUEUE, handle: async () => void done++ } });
    const [job] = await until(() => jobsOf(STUCK_QUEUE.name), ([first]) => first?.state === "completed");
    expect(job!.retry_count).toBeGreaterThanOrEqual(1);
    expect(done).toBe(1);
  }, 40_000);

  it("sends a job with the change it belongs to: rolled back together, committed together", async () => {
    const worker = await start({ "test.tx": { queue: { retryLimit: 0 }, handle: async () => undefined } });
    await worker.boss.offWork("test.tx"); // keep the jobs waiting, to count them
    await db
      .$transaction(async (tx) => {
        await worker.boss.send("test.tx", { n: 1 }, { db: inTransaction(tx) });
        throw new Error("the change failed");
      })
      .catch(() => undefined);
    expect(await jobsOf("test.tx")).toEqual([]);
    await db.$transaction(async (tx) => {
      await worker.boss.send("test.tx", { n: 2 }, { db: inTransaction(tx) });
    });
    expect(await jobsOf("test.tx")).toHaveLength(1);
  });

  it("shows on /api/health: the newest heartbeat's age and how long the oldest due job has waited", async () => {
    const before = (await (await fetch(`${api.origin}/api/health`)).json()) as { jobs: { workerHeartbeatAgeSeconds: number | null } };
    expect(before.jobs.workerHeartbeatAgeSeconds).toBeNull();
    const worker = await start({ "test.idle": { queue: { retryLimit: 0 }, handle: async () => undefined } });
    await worker.boss.offWork("test.idle");
    await worker.boss.send("test.idle", {}, { startAfter: new Date(Date.now() - 5_000) });
    const health = (await (await fetch(`${api.origin}/api/health`)).json()) as { ok: boolean; jobs: { workerHeartbeatAgeSeconds: number; oldestDueJobAgeSeconds: number } };
    expect(health.ok).toBe(true);
    expect(health.jobs.workerHeartbeatAgeSeconds).toBeLessThanOrEqual(11);
    expect(health.jobs.oldestDueJobAgeSeconds).toBeGreaterThanOrEqual(4);
  });

  it("purges expired sessions, and only those", async () => {
    const expired = await cookieFor(sessionFor({ sub: "dev|alice" }));
    const live = await cookieFor(sessionFor({ sub: "dev|alice" }));
    const key = String((await readSession(expired))!.storeKey);
    await db.session.update({ where: { id: key }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await JOBS["sessions.purge"]!.handle([], { db, now: () => new Date(), payments: testPaymentProvider, mailer: null });
    expect(await db.session.count({ where: { id: key } })).toBe(0);
    expect(await readSession(live)).not.toBeNull();
  });

  it("applies a downgrade on its date (the clock moved there), not before, as the plan change it is", async () => {
    const bob = await db.billingAccount.findFirstOrThrow({ where: { user: { auth0Sub: "dev|bob" } }, select: { id: true, userId: true, currentPeriodEnd: true } });
    await db.billingAccount.update({ where: { id: bob.id }, data: { pendingTierId: "free" } });
    const run = (at: Date) => JOBS["billing.due-downgrades"]!.handle([], { db, now: () => at, payments: testPaymentProvider, mailer: null });
    await run(new Date(bob.currentPeriodEnd.getTime() - 1000));
    expect(await db.billingAccount.findUniqueOrThrow({ where: { id: bob.id }, select: { tierId: true, pendingTierId: true } })).toEqual({ tierId: "developer", pendingTierId: "free" });
    await run(new Date(bob.currentPeriodEnd.getTime() + 1000));
    const after = await db.billingAccount.findUniqueOrThrow({ where: { id: bob.id }, select: { tierId: true, pendingTierId: true, currentPeriodStart: true } });
    expect(after).toEqual({ tierId: "free", pendingTierId: null, currentPeriodStart: bob.currentPeriodEnd });
    const last = await db.auditEvent.findFirstOrThrow({ where: { userId: bob.userId }, orderBy: { seq: "desc" } });
    expect(last).toMatchObject({ action: "plan_change", details: { from: "Developer", to: "Free" } });
  });

  // Each started as the leader of a process group (npm, its shell and the worker; or a parent and the
  // worker): a test that fails with them running kills the group, so no worker outlives it.
  const groups: { pid: number; closed: boolean }[] = [];
  afterEach(() => {
    for (const group of groups.splice(0).filter((group) => !group.closed)) process.kill(-group.pid, "SIGKILL");
  });

  /** `npm run worker`'s command, run as `how` says, ready; its output (both streams) gathered. */
  async function runWorker(how: "itself" | "by npm" | "by a parent") {
    const env = { ...process.env, DATABASE_URL: url(), LOG_LEVEL: "info" };
    const commands: Record<typeof how, [string, string[]]> = {
      itself: [process.execPath, workerArgs],
      "by npm": ["npm", ["run", "--silent", "worker"]],
      // A parent as npm is one (npm sets npm_lifecycle_event), whatever shell this machine has.
      "by a parent": [
        process.execPath,
        ["-e", `require("node:child_process").spawn(process.execPath, ${JSON.stringify(workerArgs)}, { stdio: "inherit", env: { ...process.env, npm_lifecycle_event: "worker" } }); setInterval(() => {}, 60_000);`],
      ],
    };
    const [command, args] = commands[how];
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const group = { pid: child.pid!, closed: false };
    groups.push(group);
    let output = "";
    for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk: Buffer) => (output += chunk.toString()));
    // The end of its output: every process that holds it (npm, its shell, a parent, the worker) has exited.
    const closed = new Promise<void>((resolve) =>
      child.stdout.on("close", () => {
        group.closed = true;
        resolve();
      }),
    );
    await until(async () => output, (text) => text.includes("worker ready"));
    expect(await db.workerHeartbeat.count()).toBe(1);
    return { child, closed, output: () => output };
  }

  it("`npm run worker` stops on SIGTERM within seconds, its heartbeat gone", async () => {
    const { child } = await runWorker("itself");
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const sent = Date.now();
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(Date.now() - sent).toBeLessThan(10_000);
    expect(await db.workerHeartbeat.count()).toBe(0);
  }, 40_000);

  it.each([
    ["a SIGTERM to npm (an IDE's stop button, `timeout`)", "by npm", "SIGTERM"],
    ["npm or the dev launcher ending without passing a signal on (its parent killed outright)", "by a parent", "SIGKILL"],
  ] as const)("%s stops the worker as gently, its heartbeat gone", async (_, how, signal) => {
    const { child, closed, output } = await runWorker(how);
    const sent = Date.now();
    child.kill(signal);
    await closed;
    expect(Date.now() - sent).toBeLessThan(10_000);
    if (how === "by a parent") expect(output()).toContain("[worker] its parent process is gone (npm or the dev launcher ended): stopping\n");
    expect(output()).toContain('"msg":"worker stopped"');
    expect(await db.workerHeartbeat.count()).toBe(0);
  }, 40_000);

  it("`npm run worker` without the app's environment, or without its database, says why in one line, never a stack trace", () => {
    const run = (env: Record<string, string>) => spawnSync(process.execPath, workerArgs, { encoding: "utf8", env: { PATH: process.env.PATH, NODE_ENV: "test", ...env }, timeout: 30_000 });
    const unset = run({ DATABASE_URL: url() });
    expect(unset.status).toBe(1);
    expect(unset.stderr).toMatch(/^\[worker\] cannot start: Invalid environment:\n {2}APP_BASE_URL .*\n(.*\n)*See \.env\.example\.\n$/);
    expect(unset.stderr).toContain("AUTH0_AUDIENCE is required");

    const closedPort = "postgresql://postgres@127.0.0.1:1/showtrack";
    const noDatabase = run({ ...TEST_ENV, DATABASE_URL: closedPort });
    expect({ status: noDatabase.status, stderr: noDatabase.stderr }).toEqual({ status: 1, stderr: "[worker] cannot start: connect ECONNREFUSED 127.0.0.1:1 (database 127.0.0.1:1)\n" });
  }, 40_000);
});
