// .env.example (which `npm run dev` copies to .env.local) is a file a shell can source, and it
// means the same to a shell as to the app.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseEnv } from "~/server/platform/env";
import { API_SCOPES } from "~/utils/scopes";

describe(".env.example", () => {
  it("can be sourced by a shell, and the app accepts what the shell reads", () => {
    const printed = execFileSync("bash", ["-c", "set -a; . ./.env.example; set +a; env -0"], { env: { NODE_ENV: "test", PATH: process.env.PATH }, encoding: "utf8" });
    const sourced = Object.fromEntries(
      printed.split("\0").filter(Boolean).map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    expect(sourced.AUTH0_API_SCOPES).toBe(API_SCOPES.join(" "));
    expect(parseEnv({ ...sourced, AUTH0_SECRET: "a".repeat(64) })).toMatchObject({ AUTH0_API_SCOPES: API_SCOPES.join(" ") });
  });
});
