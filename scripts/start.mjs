// `npm start`: the production server, `next start` (arguments after `--` go to it). Only with
// `npm start -- --local` (a laptop trying a production build) does the local stack of `npm run dev`
// come along: the local identity provider and the embedded database (scripts/dev.ts --start). That
// needs AUTH0_DOMAIN to be the local provider, and is refused with NODE_ENV=production and an
// APP_BASE_URL that looks deployed (scripts/local-stack.mjs decides). Plain JavaScript, so a
// production install needs nothing beyond Next to start.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { onParentGone, startPlan } from "./local-stack.mjs";

const root = path.resolve(import.meta.dirname, "..");
const envFile = path.join(root, ".env.local");
// The same file Next reads; variables already in the environment win, as with Next.
if (fs.existsSync(envFile)) process.loadEnvFile(envFile);

const plan = startPlan(process.argv.slice(2), process.env);
if ("refuse" in plan) {
  console.error(`[start] ${plan.refuse}`);
  process.exit(1);
}
if (plan.note) console.log(`[start] ${plan.note}`);
// The launcher in this same node (tsx as a loader, not a process between), so it sees its parent end.
const [command, commandArgs] =
  plan.run === "local"
    ? [process.execPath, ["--import", "tsx", "scripts/dev.ts", "--start", ...plan.args]]
    : [path.join(root, "node_modules", ".bin", "next"), ["start", ...plan.args]];
const child = spawn(command, commandArgs, { cwd: root, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
onParentGone(() => child.kill("SIGTERM"));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
