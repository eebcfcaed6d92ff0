// The benchmark's copy of the app: the product as it is (src/, public/, prisma/ and the config
// files) with the yardsticks and their pages of bench/app/ laid over it, and route A (the A0 route
// behind the proxy) added to the copy's proxy matcher. It sits in the project folder (.bench-app/,
// gitignored) so that it resolves the project's node_modules.
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
export const BENCH_APP_DIR = path.join(root, ".bench-app");
const PRODUCT = ["src", "public", "prisma", "next.config.ts", "tsconfig.json", "package.json", "next-env.d.ts"];

/** Makes the copy afresh; returns its folder. */
export function makeBenchApp(): string {
  fs.rmSync(BENCH_APP_DIR, { recursive: true, force: true });
  for (const entry of PRODUCT) {
    if (fs.existsSync(path.join(root, entry))) fs.cpSync(path.join(root, entry), path.join(BENCH_APP_DIR, entry), { recursive: true });
  }
  fs.cpSync(path.join(import.meta.dirname, "app"), BENCH_APP_DIR, { recursive: true });
  const proxy = path.join(BENCH_APP_DIR, "src", "proxy.ts");
  const source = fs.readFileSync(proxy, "utf8");
  const withRouteA = source.replace(/\bmatcher: \[/, '$&"/api/bench/proxied/:path*", ');
  if (withRouteA === source) throw new Error(`${proxy} has no \`matcher: [\` list: case A cannot put the proxy in front of its route.`);
  fs.writeFileSync(proxy, withRouteA);
  return BENCH_APP_DIR;
}
