// The size budget: the JavaScript a browser downloads on a first visit of each page a person uses
// (gzip), read from the production build's manifest (the shared .next-e2e build), stays under one
// ceiling. What a page loads on demand (a dialog, the card form) is not counted.
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { firstLoadJavaScriptBytes } from "./first-load";
import { freeLoopbackPort, productionBuild, productionEnv } from "./production";

// The sizes and what the ceiling leaves: docs/performance.md.
const CEILING_BYTES = 155_000;
const PAGES = ["/", "/shows", "/shows/[slug]", "/pricing", "/account", "/notifications"];

const distDir = path.resolve(import.meta.dirname, "../..", ".next-e2e");

beforeAll(async () => {
  const env = productionEnv({ appBaseUrl: `http://localhost:${await freeLoopbackPort()}`, idpPort: await freeLoopbackPort(), databaseUrl: process.env.DATABASE_URL! });
  await productionBuild(env);
}, 600_000);

describe("client JavaScript (gzip)", () => {
  it.each(PAGES)(`%s stays within ${CEILING_BYTES} bytes`, (page) => {
    const bytes = firstLoadJavaScriptBytes(distDir, page);
    if (bytes === undefined) throw new Error(`${page} is not in the build`);
    console.log(`${page}: ${bytes} B of JavaScript (gzip), ceiling ${CEILING_BYTES} B`);
    expect(bytes).toBeGreaterThan(50_000); // the files were found
    expect(bytes).toBeLessThanOrEqual(CEILING_BYTES);
  });
});
