// Builds one SQLite database from the committed migrations with the real Prisma CLI, once per run.
// Each test file then works on its own copy (database-per-file.ts): a file copy, not a CLI call.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { TEMPLATE_DB, TMP_DIR } from "./paths";

export default function buildTemplateDatabase() {
  fs.rmSync(TMP_DIR, { recursive: true, force: true });
  fs.mkdirSync(TMP_DIR, { recursive: true });
  execFileSync(path.resolve("node_modules/.bin/prisma"), ["migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: `file:${TEMPLATE_DB}` },
    stdio: "pipe",
  });
  return () => fs.rmSync(TMP_DIR, { recursive: true, force: true });
}
