// Runs before each test file is imported: the file's modules (the app's default Prisma client
// included) work on a database of their own, cloned from the migrated and seeded template.
//
// Files of one worker share its process (vitest's `isolate: false`), so that the libraries in
// node_modules are loaded once per worker rather than once per file. Before each file, what the
// previous one may have left that would change what this one sees is put back: the environment as
// the worker started (vitest's own variables aside, which it sets per file), real timers (a test that
// fails while it fakes the clock leaves it faked), the project's own modules evaluated anew (the app's
// singletons, caches and rate-limit counters with them), and the previous file's database client,
// kept on globalThis by the app, ended. Connections a file opened elsewhere (Redis) stay open, unused.
import { randomUUID } from "node:crypto";
import { afterAll, inject, vi } from "vitest";
import { createDatabaseFrom, dropDatabase } from "../../dev/postgres";

const worker = globalThis as typeof globalThis & { startingEnv?: Record<string, string | undefined>; prisma?: { $disconnect(): Promise<void> } };
const ownedByVitest = (name: string) => name.startsWith("VITEST");
const startingEnv = (worker.startingEnv ??= Object.fromEntries(Object.entries(process.env).filter(([name]) => !ownedByVitest(name))));
for (const name of Object.keys(process.env)) if (!ownedByVitest(name) && !Object.hasOwn(startingEnv, name)) delete process.env[name];
Object.assign(process.env, startingEnv);
vi.useRealTimers();
await worker.prisma?.$disconnect();
delete worker.prisma;
vi.resetModules();

const { serverUrl, template, prefix } = inject("database");
const name = `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
process.env.DATABASE_URL = await createDatabaseFrom(serverUrl, name, template);

afterAll(() => dropDatabase(serverUrl, name));
