// `npm run dev` (scripts/dev.ts) started for real, each time on ports and a data folder of its own:
// however it is stopped, no process it started remains and its ports are free again; after a
// SIGKILL the next one comes up; as root where the `postgres` user cannot enter, one clear line.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { embeddedDatabaseUrl } from "../prisma/database-url";
import { seedShows } from "../prisma/seed-data";
import { isRunning, waitUntil } from "../dev/processes";
import { freeLoopbackPort } from "./helpers";
import { IDP_KEYS_FILE, TMP_DIR } from "./setup/paths";

const folders: string[] = [];
const launched: ChildProcess[] = [];

afterEach(() => {
  // A failed test leaves nothing behind either.
  for (const npm of launched.splice(0)) if (npm.pid && isRunning(npm.pid)) process.kill(-npm.pid, "SIGKILL");
});
afterAll(() => {
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

interface Stack {
  npm: ChildProcess;
  output: () => string;
  ports: number[];
  dataDir: string;
}

/** A new folder anyone may enter (as the embedded server's `postgres` user must, when the tests run as root). */
function openFolder(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "dev-stack-"));
  fs.chmodSync(folder, 0o755);
  return folder;
}

/** `npm run dev` in a process group of its own, as a terminal runs it; `embedded`: without DATABASE_URL. */
async function launch({ embedded = false, dataDir = openFolder() } = {}): Promise<Stack> {
  folders.push(dataDir);
  const free = freeLoopbackPort;
  const [next, idp, smtp, inbox, postgres] = await Promise.all([free(), free(), free(), free(), free()]);
  const npm = spawn("npm", ["run", "dev", "--", "-p", String(next)], {
    env: {
      ...process.env,
      NODE_ENV: "development",
      APP_BASE_URL: `http://localhost:${next}`,
      AUTH0_DOMAIN: `http://localhost:${idp}`,
      IDP_KEYS_FILE,
      DATABASE_URL: embedded ? "" : process.env.DATABASE_URL,
      EMBEDDED_POSTGRES_PORT: String(postgres),
      LOCAL_DATA_DIR: dataDir,
      SMTP_URL: "",
      MAILDEV_SMTP_PORT: String(smtp),
      MAILDEV_WEB_PORT: String(inbox),
      NEXT_DIST_DIR: path.relative(process.cwd(), path.join(TMP_DIR, `next-dev-${next}`)),
    },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  launched.push(npm);
  let output = "";
  for (const stream of [npm.stdout!, npm.stderr!]) stream.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { npm, output: () => output, ports: [next, idp, smtp, inbox, ...(embedded ? [postgres] : [])], dataDir };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => resolve(socket.destroy() && true));
    socket.once("error", () => resolve(false));
  });
}

async function portsListening(ports: number[]): Promise<boolean[]> {
  return Promise.all(ports.map(listening));
}

/** Every process below `pid` (however deep), from ps. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const line of execFileSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" }).trim().split("\n")) {
    const [child, parent] = line.trim().split(/\s+/).map(Number) as [number, number];
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const found: number[] = [];
  for (let queue = [pid]; queue.length; ) {
    const below = children.get(queue.shift()!) ?? [];
    found.push(...below);
    queue.push(...below);
  }
  return found;
}

/** The launcher's pid, from the list of what it runs. */
const launcherPid = (stack: Stack) => (JSON.parse(fs.readFileSync(path.join(stack.dataDir, "dev-stack.json"), "utf8")) as { pid: number }).pid;

/** Waits until every port answers and the launcher has started its four children; returns every process of the stack. */
async function whenUp(stack: Stack): Promise<number[]> {
  const up = await waitUntilAsync(async () => stack.npm.exitCode !== null || (await portsListening(stack.ports)).every(Boolean), 90_000);
  expect(stack.npm.exitCode, stack.output()).toBeNull();
  expect(up, stack.output()).toBe(true);
  return [stack.npm.pid!, ...descendants(stack.npm.pid!)];
}

async function waitUntilAsync(done: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return true;
}

/** Within a few seconds: no process of the stack left, every port free. */
async function expectAllStopped(stack: Stack, processes: number[]) {
  const stopped = await waitUntilAsync(async () => processes.every((pid) => !isRunning(pid)) && !(await portsListening(stack.ports)).some(Boolean), 10_000);
  const left = processes.filter(isRunning).map((pid) => execFileSync("ps", ["-o", "pid=,args=", "-p", String(pid)], { encoding: "utf8" }).trim());
  expect({ stopped, left, listening: await portsListening(stack.ports) }, stack.output()).toEqual({
    stopped: true,
    left: [],
    listening: stack.ports.map(() => false),
  });
}

describe("npm run dev stops all it started", () => {
  it.each([
    ["Ctrl-C (SIGINT to the terminal's process group)", (stack: Stack) => process.kill(-stack.npm.pid!, "SIGINT")],
    ["SIGTERM to npm (an IDE's stop button, timeout)", (stack: Stack) => process.kill(stack.npm.pid!, "SIGTERM")],
    ["SIGTERM to the launcher", (stack: Stack) => process.kill(launcherPid(stack), "SIGTERM")],
    ["SIGHUP to the terminal's process group (the terminal closed)", (stack: Stack) => process.kill(-stack.npm.pid!, "SIGHUP")],
  ])("%s", async (_, stop) => {
    const stack = await launch();
    const processes = await whenUp(stack);
    stop(stack);
    await expectAllStopped(stack, processes);
  }, 120_000);

  it("after a SIGKILL of the launcher, the next one ends what it left (the embedded server too) and comes up", async () => {
    const first = await launch({ embedded: true });
    const leftOver = await whenUp(first);
    const killed = launcherPid(first);
    process.kill(killed, "SIGKILL");
    await waitUntil(() => !isRunning(killed), 5_000);
    expect(leftOver.filter(isRunning).length).toBeGreaterThan(3); // its children and postgres run on

    const second = await launch({ embedded: true, dataDir: first.dataDir });
    const processes = await whenUp(second);
    // The embedded server, on a new data folder, was initialised, migrated and seeded: the app answers from it.
    const [next, , , , postgres] = second.ports;
    expect(await (await fetch(`http://localhost:${next}/api/health`)).json()).toMatchObject({ ok: true, db: "up" });
    const client = new pg.Client({ connectionString: embeddedDatabaseUrl({ port: postgres! }) });
    await client.connect();
    try {
      expect((await client.query<{ shows: number }>('SELECT count(*)::int AS shows FROM "Show"')).rows).toEqual([{ shows: seedShows().length }]);
    } finally {
      await client.end();
    }
    // The worker may be gone already: it stops by itself once its launcher is.
    expect(second.output()).toMatch(
      new RegExp(`\\[dev\\] The last launcher \\(pid ${killed}\\) ended without stopping its stack; stopped what it left: idp \\(pid \\d+\\), mail \\(pid \\d+\\), (worker \\(pid \\d+\\), )?next \\(pid \\d+\\), postgres \\(pid \\d+\\)\\.\\n`),
    );
    expect(leftOver.filter(isRunning)).toEqual([]);
    expect(await portsListening(first.ports)).toEqual(first.ports.map(() => false));

    process.kill(launcherPid(second), "SIGHUP");
    await expectAllStopped(second, processes);
  }, 240_000);
});

describe("as root, in a folder the postgres user cannot enter", () => {
  it("stops before starting anything, with one line naming the cause and the two ways out", async () => {
    const closed = fs.mkdtempSync(path.join(os.tmpdir(), "dev-root-")); // mode 700, as `mktemp -d` makes it
    const stack = await launch({ embedded: true, dataDir: path.join(closed, ".data") });
    folders.push(closed);
    if (process.getuid?.() === 0) {
      expect(await new Promise((resolve) => stack.npm.on("exit", resolve))).toBe(1);
      const lines = stack.output().split("\n").filter((line) => line.startsWith("[dev]"));
      expect(lines).toEqual([
        `[dev] The embedded PostgreSQL server runs as the "postgres" user when started by root (PostgreSQL refuses root), and that user cannot enter ${closed}. Run this as a normal user, or set DATABASE_URL to a PostgreSQL server of your own.`,
      ]);
      expect(stack.output()).not.toMatch(/\n\s+at /);
      expect(await portsListening(stack.ports)).toEqual(stack.ports.map(() => false));
    } else {
      // A normal user runs the server as itself, in its own folder: the stack works.
      const processes = await whenUp(stack);
      process.kill(-stack.npm.pid!, "SIGINT");
      await expectAllStopped(stack, processes);
    }
  }, 60_000);
});
