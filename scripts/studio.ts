// `npm run db:studio`: Prisma Studio 7 (installed apart in tools/studio, see its package.json) on
// the app's database. Studio 6.19 cannot load data offline; 7's can, given an absolute file URL.
import { spawn } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { databaseUrl } from "../prisma/database-url";

const root = path.resolve(import.meta.dirname, "..");
const studioDir = path.join(root, "tools", "studio");
const file = path.resolve(root, databaseUrl().replace(/^file:/, ""));
const port = process.env.STUDIO_PORT ?? "5555";

// Run from tools/studio so Prisma 7 does not load the app's Prisma 6 config.
const studio = spawn(
  path.join(studioDir, "node_modules", ".bin", "prisma"),
  ["studio", "--browser", "none", "--port", port, "--url", pathToFileURL(file).href],
  { cwd: studioDir, stdio: "inherit" },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => studio.kill(signal));
studio.on("exit", (code) => process.exit(code ?? 0));
