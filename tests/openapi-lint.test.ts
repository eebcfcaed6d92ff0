// The OpenAPI document as served, linted by Redocly's CLI with its recommended rules.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { seededApiServer } from "./helpers";

const api = seededApiServer();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "showtrack-openapi-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Problem {
  ruleId: string;
  severity: "error" | "warn";
  message: string;
}

// Warnings left on purpose, each with its reason:
// - info-license: the app is private (package.json) and published under no licence the document could name.
// - no-server-example.com: the test deployment's APP_BASE_URL is http://localhost:3000, which the
//   document names as its server, as it must; a real deployment's own origin passes the rule.
const EXPLAINED_WARNINGS = new Set(["info-license", ...(new URL(process.env.APP_BASE_URL!).hostname === "localhost" ? ["no-server-example.com"] : [])]);

it("/api/openapi.json passes `redocly lint` (recommended rules): 0 errors, only explained warnings", { timeout: 60_000 }, async () => {
  const response = await fetch(`${api.origin}/api/openapi.json`);
  expect(response.status).toBe(200);
  const document = (await response.json()) as { servers?: { url: string }[]; paths: Record<string, Record<string, { operationId?: string }>> };
  expect(document.servers).toEqual([expect.objectContaining({ url: process.env.APP_BASE_URL })]);
  const file = path.join(dir, "openapi.json");
  fs.writeFileSync(file, JSON.stringify(document));
  const cli = path.resolve("node_modules/@redocly/cli/bin/cli.js");
  // Exit code 1 when there are errors: the JSON report is read either way.
  const { stdout } = await promisify(execFile)(process.execPath, [cli, "lint", "--extends", "recommended", "--format", "json", file], {
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
  const report = JSON.parse(stdout.slice(stdout.indexOf("{"))) as { totals: { errors: number; warnings: number }; problems: Problem[] };
  const summary = report.problems.map(({ ruleId, severity, message }) => `${severity} ${ruleId}: ${message}`);
  expect(report.problems.filter((problem) => problem.severity === "error"), summary.join("\n")).toEqual([]);
  expect(report.problems.filter((problem) => !EXPLAINED_WARNINGS.has(problem.ruleId)), summary.join("\n")).toEqual([]);
  // Every operation has its own operationId.
  const operationIds = Object.values(document.paths).flatMap((operations) => Object.values(operations).map((operation) => operation.operationId));
  expect(operationIds.every((id) => typeof id === "string")).toBe(true);
  expect(new Set(operationIds).size).toBe(operationIds.length);
});
