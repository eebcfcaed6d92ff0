import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

// The import rules live in .dependency-cruiser.cjs (the layers of src/server, and the browser's code
// kept away from the server's); this runs dependency-cruiser with them, as `npm run lint` does.
const root = path.resolve(__dirname, "..");
const CONFIG = path.join(root, ".dependency-cruiser.cjs");
const DEPCRUISE = path.join(root, "node_modules/.bin/depcruise");

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

async function violations(cwd: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(DEPCRUISE, ["src", "--config", CONFIG, "--output-type", "json"], { cwd, maxBuffer: 64 * 1024 * 1024 }).catch(
    // It exits non-zero when it finds violations; its report is on stdout all the same.
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }),
  );
  const report = JSON.parse(stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations.map(({ rule, from, to }) => `${rule.name}: ${from} → ${to.replace(/^.*node_modules\/(@trpc\/[^/]+).*$/, "$1")}`).sort();
}

describe("import rules", () => {
  it("src keeps them", { timeout: 60_000 }, async () => {
    expect(await violations(root)).toEqual([]);
  });

  // A tree of its own with one breach of each rule, through each kind of import: the check sees them all.
  const planted = mkdtempSync(path.join(tmpdir(), "showtrack-imports-"));
  afterAll(() => rmSync(planted, { recursive: true, force: true }));

  it("sees every kind of import breaking them: relative, through the alias, dynamic, type-only", { timeout: 60_000 }, async () => {
    const files: Record<string, string> = {
      "tsconfig.json": JSON.stringify({ compilerOptions: { moduleResolution: "bundler", jsx: "react-jsx", paths: { "~/*": ["./src/*"] } } }),
      "src/server/platform/db.ts": `export const db = {};\nexport const rules = () => import("../domain/rules");\n`,
      "src/server/domain/rules.ts": `import { TRPCError } from "@trpc/server";\nimport { router } from "~/server/trpc";\nexport const refuse = () => new TRPCError({ code: "CONFLICT" }) && router;\n`,
      "src/server/trpc.ts": `import { db } from "./platform/db";\nexport const router = db;\nexport const face = () => import("~/server/faces/ssr");\n`,
      "src/server/faces/ssr.ts": `import { router } from "../trpc";\nexport const createSsr = () => router;\n`,
      "src/components/Header.tsx": `import type { createSsr } from "../server/faces/ssr";\nexport type Header = typeof createSsr;\n`,
      "src/utils/api.ts": `import type { router } from "~/server/trpc";\nexport type Api = typeof router;\nexport const load = () => import("~/server/platform/db");\n`,
      "src/pages/index.tsx": `import { createSsr } from "~/server/faces/ssr";\nimport { db } from "~/server/platform/db";\nexport const getServerSideProps = () => [createSsr, db];\n`,
      "src/pages/api/health.ts": `import { db } from "~/server/platform/db";\nexport default db;\n`,
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(planted, file)), { recursive: true });
      writeFileSync(path.join(planted, file), text);
    }
    symlinkSync(path.join(root, "node_modules"), path.join(planted, "node_modules"));

    expect(await violations(planted)).toEqual(
      [
        "platform-above-itself: src/server/platform/db.ts → src/server/domain/rules.ts",
        "domain-above-itself: src/server/domain/rules.ts → src/server/trpc.ts",
        "trpc-below-core: src/server/domain/rules.ts → @trpc/server",
        "core-into-faces: src/server/trpc.ts → src/server/faces/ssr.ts",
        "components-into-server: src/components/Header.tsx → src/server/faces/ssr.ts",
        "utils-into-server: src/utils/api.ts → src/server/platform/db.ts",
        "pages-into-server: src/pages/index.tsx → src/server/platform/db.ts",
      ].sort(),
    );
  });
});
