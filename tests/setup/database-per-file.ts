// Runs before each test file is imported: the file's modules (the app's default Prisma client
// included) work on a database of their own, cloned from the migrated and seeded template.
import { randomUUID } from "node:crypto";
import { afterAll, inject } from "vitest";
import { createDatabaseFrom, dropDatabase } from "../../dev/postgres";

const { serverUrl, template, prefix } = inject("database");
const name = `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
process.env.DATABASE_URL = await createDatabaseFrom(serverUrl, name, template);

afterAll(() => dropDatabase(serverUrl, name));
