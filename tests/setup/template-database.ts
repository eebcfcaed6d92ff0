// Once per run: finds a PostgreSQL server, builds a template database there with the real Prisma
// CLI (migrate deploy, then the seed), and hands both to the test files (database-per-file.ts
// clones one database per file from it: CREATE DATABASE … TEMPLATE, no CLI call).
//
// The server: TEST_DATABASE_URL when set ("embedded" forces the embedded one), else PostgreSQL on
// 127.0.0.1:5432 (every machine of this project and CI has it), else the embedded server.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { canConnect, dropDatabase, ensureDatabase, startEmbeddedPostgres, withAdminClient, withDatabase } from "../../dev/postgres";
import { freeLoopbackPort } from "../../dev/ports";
import { TMP_DIR } from "./paths";

const MACHINE_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres";

declare module "vitest" {
  export interface ProvidedContext {
    database: { serverUrl: string; template: string; prefix: string };
  }
}

async function findServer() {
  const configured = process.env.TEST_DATABASE_URL;
  if (configured && configured !== "embedded") return { url: configured, stop: async () => {} };
  if (!configured && (await canConnect(MACHINE_POSTGRES))) return { url: MACHINE_POSTGRES, stop: async () => {} };
  const server = await startEmbeddedPostgres({ dataDir: path.join(TMP_DIR, "postgres"), port: await freeLoopbackPort() });
  return { url: server.url, stop: server.stop };
}

export default async function buildTemplateDatabase({ provide }: TestProject) {
  fs.rmSync(TMP_DIR, { recursive: true, force: true });
  fs.mkdirSync(TMP_DIR, { recursive: true });
  const server = await findServer();
  // Names unique to this run, so two runs on one server (a laptop, CI) never meet.
  const prefix = `showtrack_test_${process.pid}_${Date.now().toString(36)}`;
  const template = `${prefix}_template`;
  const templateUrl = withDatabase(server.url, template);
  await ensureDatabase(templateUrl);
  const cli = (args: string[]) =>
    execFileSync(path.resolve("node_modules/.bin/prisma"), args, { env: { ...process.env, DATABASE_URL: templateUrl }, stdio: "pipe" });
  cli(["migrate", "deploy"]);
  cli(["db", "seed"]);
  provide("database", { serverUrl: server.url, template, prefix });

  return async () => {
    await withAdminClient(server.url, async (client) => {
      const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [prefix]);
      for (const { datname } of rows) await dropDatabase(server.url, datname);
    });
    await server.stop();
    fs.rmSync(TMP_DIR, { recursive: true, force: true });
  };
}
