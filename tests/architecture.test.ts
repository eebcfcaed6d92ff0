import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * src/server is layered; each layer may import only the layers below it:
 *   platform (db, env, auth, logger, …) ← domain (billing, users, …) ← core (trpc, context, routers) ← faces (ssr, rest, openapi).
 * A core module reaching for a face would make the router depend on how it is served.
 */
const serverRoot = path.resolve(__dirname, "../src/server");
const rank = { platform: 0, domain: 1, core: 2, faces: 3 } as const;
type Layer = keyof typeof rank;

function layerOf(relativePath: string): Layer {
  const top = relativePath.split("/")[0]!;
  return top === "platform" || top === "domain" || top === "faces" ? top : "core";
}

function serverFiles(dir = serverRoot): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? serverFiles(full) : /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

describe("src/server layers", () => {
  const files = serverFiles();

  it("has its three named layers beside the core", () => {
    const layers = new Set(files.map((file) => layerOf(path.relative(serverRoot, file))));
    expect([...layers].sort()).toEqual(["core", "domain", "faces", "platform"]);
  });

  it.each(files.map((file) => path.relative(serverRoot, file)))("%s imports no layer above its own", (file) => {
    const source = readFileSync(path.join(serverRoot, file), "utf8");
    const imported = [...source.matchAll(/from "~\/server\/([^"]+)"/g)].map((match) => match[1]!);
    const upward = imported.filter((target) => rank[layerOf(target)] > rank[layerOf(file)]);
    expect(upward).toEqual([]);
  });
});
