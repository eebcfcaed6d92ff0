// `npm run db:studio`: Prisma Studio 7 (installed apart in tools/studio, see its package.json) on
// the app's database, the embedded server started on demand. Studio 6.19 cannot load data offline.
import { spawn } from "node:child_process";
import path from "node:path";
import { openDatabaseOrExit } from "./local-database";

const root = path.resolve(import.meta.dirname, "..");
const studioDir = path.join(root, "tools", "studio");
const port = process.env.STUDIO_PORT ?? "5555";

const database = await openDatabaseOrExit("studio", { external: process.env.DATABASE_URL });
// Run from tools/studio so Prisma 7 does not load the app's Prisma 6 config.
const studio = spawn(
  path.join(studioDir, "node_modules", ".bin", "prisma"),
  ["studio", "--browser", "none", "--port", port, "--url", database.url],
  { cwd: studioDir, stdio: "inherit" },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => studio.kill(signal));
studio.on("exit", (code) => void database.close().finally(() => process.exit(code ?? 0)));
