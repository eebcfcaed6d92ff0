import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

interface BuildManifest {
  polyfillFiles: string[];
  rootMainFiles: string[];
  pages: Record<string, string[] | undefined>;
}

/**
 * Gzip bytes of every script a first visit of `page` loads, read from a production build's manifest:
 * polyfills, the app shell and the page's own chunks. Undefined when the build has no such page.
 * What a page loads on demand (next/dynamic, import()) is not in the manifest's lists, so not counted.
 */
export function firstLoadJavaScriptBytes(distDir: string, page: string): number | undefined {
  const manifest = JSON.parse(fs.readFileSync(path.join(distDir, "build-manifest.json"), "utf8")) as BuildManifest;
  const own = manifest.pages[page];
  if (!own) return undefined;
  const files = new Set([...manifest.polyfillFiles, ...manifest.rootMainFiles, ...(manifest.pages["/_app"] ?? []), ...own]);
  return [...files].filter((file) => file.endsWith(".js")).reduce((sum, file) => sum + gzipSync(fs.readFileSync(path.join(distDir, file))).length, 0);
}
