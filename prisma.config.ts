import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3ForMigrate } from "./prisma/sqlite-migrate-adapter";
import { databaseUrl } from "./prisma/database-url";

// Prisma 6.19's WASM schema engine leaves 10 s / 60 s timers pending, so every CLI command would
// linger up to a minute after finishing. Long timers must not keep the process alive.
const realSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = ((handler: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const timer = realSetTimeout(handler, ms, ...args);
  if ((ms ?? 0) >= 5_000) timer.unref();
  return timer;
}) as typeof setTimeout;

const url = databaseUrl();

export default defineConfig({
  // engine "js" = WASM schema engine: no native binary to download from Prisma's CDN.
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations"), seed: "tsx prisma/seed.ts" },
  async adapter() {
    return new PrismaBetterSQLite3ForMigrate({ url });
  },
});
