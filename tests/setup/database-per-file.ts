// Runs before each test file is imported: the file's modules (the app's default Prisma client
// included) work on a database of their own, cloned from the migrated and seeded template.
//
// Files of one worker share its process (vitest's `isolate: false`), so that the libraries in
// node_modules are loaded once per worker rather than once per file; what a file may change is put
// back here before the next one: the environment as the worker started, the project's own modules
// evaluated anew (the app's singletons, caches and rate-limit counters with them), and the previous
// file's database client, kept on globalThis by the app, ended.
import { randomUUID } from "node:crypto";
import { afterAll, inject, vi } from "vitest";
import { createDatabaseFrom, dropDatabase } from "../../dev/postgres";

const worker = globalThis as typeof globalThis & { startingEnv?: NodeJS.ProcessEnv; prisma?: { $disconnect(): Promise<void> } };
worker.startingEnv ??= { ...process.env };
for (const name of Object.keys(process.env)) if (!(name in worker.startingEnv)) delete process.env[name];
Object.assign(process.env, worker.startingEnv);
await worker.prisma?.$disconnect();
delete worker.prisma;
vi.resetModules();

const { serverUrl, template, prefix } = inject("database");
const name = `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
process.env.DATABASE_URL = await createDatabaseFrom(serverUrl, name, template);

afterAll(() => dropDatabase(serverUrl, name));
