// The size budget: the JavaScript a browser downloads on a first visit of each page a person uses
// (gzip), read from the production build's manifest (the shared .next-e2e build), stays under one
// ceiling. What a page loads on demand (a dialog, the card form) is not counted.
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort, productionBuild, productionEnv } from "./production";

// The sizes and what the ceiling leaves: docs/performance.md.
const CEILING_BYTES = 155_000;
const PAGES = ["/", "/shows", "/shows/[slug]", "/pricing", "/account", "/notifications"];

const distDir = path.resolve(import.meta.dirname, "../..", ".next-e2e");

interface BuildManifest {
  polyfillFiles: string[];
  rootMainFiles: string[];
  pages: Record<string, string[]>;
}

/** Gzip bytes of every script a first visit of `page` loads: polyfills, the app shell and the page's own chunks. */
function clientJavaScriptBytes(page: string): number {
  const manifest = JSON.parse(fs.readFileSync(path.join(distDir, "build-manifest.json"), "utf8")) as BuildManifest;
  const files = new Set([...manifest.polyfillFiles, ...manifest.rootMainFiles, ...(manifest.pages["/_app"] ?? []), ...(manifest.pages[page] ?? [])]);
  expect(manifest.pages[page], `${page} is in the build`).toBeDefined();
  return [...files].filter((file) => file.endsWith(".js")).reduce((sum, file) => sum + gzipSync(fs.readFileSync(path.join(distDir, file))).length, 0);
}

beforeAll(async () => {
  const env = productionEnv({ appBaseUrl: `http://localhost:${await freeLoopbackPort()}`, idpPort: await freeLoopbackPort(), databaseUrl: process.env.DATABASE_URL! });
  await productionBuild(env);
}, 600_000);

describe("client JavaScript (gzip)", () => {
  it.each(PAGES)(`%s stays within ${CEILING_BYTES} bytes`, (page) => {
    const bytes = clientJavaScriptBytes(page);
    console.log(`${page}: ${bytes} B of JavaScript (gzip), ceiling ${CEILING_BYTES} B`);
    expect(bytes).toBeGreaterThan(50_000); // the files were found
    expect(bytes).toBeLessThanOrEqual(CEILING_BYTES);
  });
});
