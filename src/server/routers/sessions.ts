import { z } from "zod";
import { listSessions } from "~/server/domain/sessions";
import { actorOf, recordSessionMoment, type Actor } from "~/server/domain/audit";
import type { Db } from "~/server/platform/db";
import { endSessions, storeKeyOf, type SessionMoment } from "~/server/platform/session-store";
import { sessionOnlyProcedure, router } from "~/server/trpc";

/** A session's public handle: its row key (base64url SHA-256 of the cookie's session id). */
const sessionKey = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "must be a session id from sessions.list");

/** Each session ended, in the audit trail: by this caller, from this session. */
async function audited(db: Db, ended: SessionMoment[], by: Actor) {
  for (const session of ended) await recordSessionMoment(db, "session_ended", session, by);
}

/**
 * Where the person is signed in, and signing out there: the sessions of the database store
 * (AUTH0_SESSION_STORE=db). With the cookie store there is nothing to list or end: `listed` is false.
 * Only from a signed-in browser: a token for the API neither sees nor ends sessions.
 */
export const sessionsRouter = router({
  list: sessionOnlyProcedure.query(({ ctx }) => listSessions(ctx.db, ctx.session)),

  /** Signs out one session; this browser's own too (its cookie is then cleared). */
  end: sessionOnlyProcedure.input(z.object({ id: sessionKey })).mutation(async ({ ctx, input }) => {
    const ended = await endSessions(ctx.db, ctx.auth.sub, { only: input.id });
    await audited(ctx.db, ended, actorOf(ctx));
    if (input.id === storeKeyOf(ctx.session)) ctx.endSession?.();
    return { ended: ended.length };
  }),

  /** Signs out every session of the person but this browser's. */
  endOthers: sessionOnlyProcedure.mutation(async ({ ctx }) => {
    const current = storeKeyOf(ctx.session);
    if (!current) return { ended: 0 };
    const ended = await endSessions(ctx.db, ctx.auth.sub, { except: current });
    await audited(ctx.db, ended, actorOf(ctx));
    return { ended: ended.length };
  }),
});
