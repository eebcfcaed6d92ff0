// `npm start`: the production server (`next start`). When AUTH0_DOMAIN is the local identity
// provider (a laptop trying a production build), the local stack of `npm run dev` comes with it:
// the provider and the embedded database (scripts/dev.ts --start). Plain JavaScript, so a
// production install needs nothing beyond Next to start.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const envFile = path.join(root, ".env.local");
// The same file Next reads; variables already in the environment win, as with Next.
if (fs.existsSync(envFile)) process.loadEnvFile(envFile);

const localProvider = /^http:\/\/localhost:\d+\/?$/.test(process.env.AUTH0_DOMAIN ?? "");
const args = process.argv.slice(2);
const [command, commandArgs] = localProvider ? ["tsx", ["scripts/dev.ts", "--start", ...args]] : ["next", ["start", ...args]];
const child = spawn(path.join(root, "node_modules", ".bin", command), commandArgs, { cwd: root, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
