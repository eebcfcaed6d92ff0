import Bowser from "bowser";
import type { SessionData } from "@auth0/nextjs-auth0/types";
import type { Db } from "~/server/platform/db";
import { sessionsOf, storeKeyOf } from "~/server/platform/session-store";

/** "Firefox 128 on Linux", as far as the browser's User-Agent tells. */
export function describeDevice(userAgent: string | null | undefined): { browser: string; os: string } {
  if (!userAgent) return { browser: "Unknown browser", os: "unknown system" };
  const parsed = Bowser.parse(userAgent);
  const browser = [parsed.browser.name, parsed.browser.version?.split(".")[0]].filter(Boolean).join(" ");
  const os = [parsed.os.name, parsed.os.versionName ?? parsed.os.version].filter(Boolean).join(" ");
  return { browser: browser || "Unknown browser", os: os || "unknown system" };
}

/**
 * Where the person of `session` is signed in: each of their sessions in the store, newest first, with
 * its browser, system, truncated address and times, and which one is `session` itself. With the
 * cookie store there is nothing to list: `listed` is false.
 */
export async function listSessions(db: Db, session: SessionData) {
  const current = storeKeyOf(session);
  if (!current) return { listed: false, sessions: [] };
  const rows = await sessionsOf(db, session.user.sub);
  return {
    listed: true,
    sessions: rows.map((row) => ({
      id: row.id,
      ...describeDevice(row.userAgent),
      ip: row.ip,
      createdAt: row.createdAt.toISOString(),
      lastSeenAt: row.lastSeenAt.toISOString(),
      current: row.id === current,
    })),
  };
}
