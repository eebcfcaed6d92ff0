import Bowser from "bowser";
import { z } from "zod";
import { endSessions, sessionsOf, storeKeyOf } from "~/server/platform/session-store";
import { sessionOnlyProcedure, router } from "~/server/trpc";

/** A session's public handle: its row key (base64url SHA-256 of the cookie's session id). */
const sessionKey = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "must be a session id from sessions.list");

/** "Firefox 128 on Linux", as far as the browser's User-Agent tells. */
function describeDevice(userAgent: string | null): { browser: string; os: string } {
  if (!userAgent) return { browser: "Unknown browser", os: "unknown system" };
  const parsed = Bowser.parse(userAgent);
  const browser = [parsed.browser.name, parsed.browser.version?.split(".")[0]].filter(Boolean).join(" ");
  const os = [parsed.os.name, parsed.os.versionName ?? parsed.os.version].filter(Boolean).join(" ");
  return { browser: browser || "Unknown browser", os: os || "unknown system" };
}

/**
 * Where the person is signed in, and signing out there: the sessions of the database store
 * (AUTH0_SESSION_STORE=db). With the cookie store there is nothing to list or end: `listed` is false.
 * Only from a signed-in browser: a token for the API neither sees nor ends sessions.
 */
export const sessionsRouter = router({
  list: sessionOnlyProcedure.query(async ({ ctx }) => {
    const current = storeKeyOf(ctx.session);
    if (!current) return { listed: false, sessions: [] };
    const rows = await sessionsOf(ctx.db, ctx.auth.sub);
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
  }),

  /** Signs out one session; this browser's own too (its cookie is then cleared). */
  end: sessionOnlyProcedure.input(z.object({ id: sessionKey })).mutation(async ({ ctx, input }) => {
    const ended = await endSessions(ctx.db, ctx.auth.sub, { only: input.id });
    if (input.id === storeKeyOf(ctx.session)) ctx.endSession?.();
    return { ended };
  }),

  /** Signs out every session of the person but this browser's. */
  endOthers: sessionOnlyProcedure.mutation(async ({ ctx }) => {
    const current = storeKeyOf(ctx.session);
    if (!current) return { ended: 0 };
    return { ended: await endSessions(ctx.db, ctx.auth.sub, { except: current }) };
  }),
});
