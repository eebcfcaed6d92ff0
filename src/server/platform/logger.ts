// The server's log: JSON lines (pino) on stdout, one object per event. Never tokens or cookies:
// callers appear as a short hash of their sub, requests by their x-request-id.
import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import pino from "pino";
import { logConfig } from "~/server/platform/config";

export const logger = pino({
  level: logConfig.LOG_LEVEL ?? (logConfig.NODE_ENV === "test" ? "silent" : "info"),
  base: { service: "showtrack" },
  // Belt and braces: whatever object is logged, these never leave the process.
  redact: { paths: ["*.authorization", "*.cookie", "*.accessToken", "*.refreshToken", "*.idToken"], censor: "[redacted]" },
});

/** A stable, non-reversible stand-in for a user's sub in logs (12 hex chars of its SHA-256). */
export function userHash(sub: string | undefined): string | undefined {
  return sub === undefined ? undefined : createHash("sha256").update(sub).digest("hex").slice(0, 12);
}

/** The access log: one line per API request once its response is sent, with its status and duration. */
export function logWhenSent(res: ServerResponse, fields: () => Record<string, unknown>): void {
  const started = performance.now();
  res.on("finish", () => {
    logger.info({ ...fields(), status: res.statusCode, durationMs: Math.round((performance.now() - started) * 10) / 10 });
  });
}
