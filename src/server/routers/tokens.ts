import { z } from "zod";
import { actorOf } from "~/server/domain/audit";
import { createToken, listTokens, revokeToken } from "~/server/domain/api-tokens";
import { rowId, text } from "~/server/inputs";
import { env } from "~/server/platform/env";
import { requireRecentSignIn, router, sessionOnlyProcedure } from "~/server/trpc";
import { MAX_API_TOKEN_DAYS } from "~/utils/api-tokens";
import { API_SCOPES } from "~/utils/scopes";

/**
 * Personal access tokens, managed only in the app's own pages, signed in: a token neither sees, makes
 * nor revokes tokens.
 */
export const tokensRouter = router({
  /** The person's tokens, whether their plan lets them use (and make) any, and until when they work unless the person signs in. */
  list: sessionOnlyProcedure.query(({ ctx }) => listTokens(ctx.db, ctx.user.id, { permissionsMaxAgeSeconds: env.AUTH0_SESSION_ABSOLUTE_DURATION })),

  /** Makes a token with some of the person's permissions; the token is in this answer only. */
  create: sessionOnlyProcedure
    .input(
      z.object({
        name: text({ min: 1, max: 60 }),
        scopes: z.array(z.enum(API_SCOPES)).min(1, "choose at least one permission").max(API_SCOPES.length),
        expiresInDays: z.number().int().min(1).max(MAX_API_TOKEN_DAYS),
      }),
    )
    .mutation(({ ctx, input }) => {
      // A token outlives the session that made it: a cookie left open or stolen must not be enough.
      requireRecentSignIn(ctx.session, "make a token");
      return createToken(ctx.db, actorOf(ctx), ctx.auth.scopes, input);
    }),

  /** Revokes one of the person's tokens at once; one revoked already is no error (`revoked: false`). */
  revoke: sessionOnlyProcedure
    .input(z.object({ id: rowId("a token") }))
    .mutation(async ({ ctx, input }) => ({ revoked: await revokeToken(ctx.db, actorOf(ctx), input.id) })),
});
