// Runs before each test file is imported: the file's modules (including the app's default Prisma
// client) open a fresh copy of the migrated template database.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll } from "vitest";
import { TEMPLATE_DB, TMP_DIR } from "./paths";

const file = path.join(TMP_DIR, `${randomUUID()}.db`);
fs.copyFileSync(TEMPLATE_DB, file);
process.env.DATABASE_URL = `file:${file}`;

afterAll(() => fs.rmSync(file, { force: true }));
