import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaPgForMigrate } from "./prisma/pg-migrate-adapter";
import { databaseUrl } from "./prisma/database-url";

// Prisma 6.19's WASM schema engine leaves 10 s / 60 s timers pending, so every CLI command would
// linger up to a minute after finishing. Long timers must not keep the process alive.
const realSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = ((handler: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const timer = realSetTimeout(handler, ms, ...args);
  if ((ms ?? 0) >= 5_000) timer.unref();
  return timer;
}) as typeof setTimeout;

// Migrations need a direct connection: behind a transaction-mode pooler (PgBouncer), set
// DIRECT_DATABASE_URL to the server itself for the CLI; the app keeps DATABASE_URL.
const url = process.env.DIRECT_DATABASE_URL || databaseUrl();

export default defineConfig({
  // engine "js" = WASM schema engine: no native binary to download from Prisma's CDN.
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations"), seed: "tsx prisma/seed.ts" },
  async adapter() {
    return new PrismaPgForMigrate(url);
  },
});
