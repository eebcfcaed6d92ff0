import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { auditEventSelect, readableActions, toActivity } from "~/server/domain/audit";
import { accountTier, invoiceJson, invoiceSelect, newestInvoicesFirst, paymentMethodOf, readOpeningAccount } from "~/server/domain/billing";
import { REMINDER_LEADS } from "~/utils/reminders";
import { deleteUser } from "~/server/domain/users";
import { rowId, text } from "~/server/inputs";
import { logger, userHash } from "~/server/platform/logger";
import { revokeRefreshToken, sessionStore } from "~/server/platform/auth0";
import { takeSessionsOf } from "~/server/platform/session-store";
import { protectedProcedure, requireRecentSignIn, router, sessionOnlyProcedure } from "~/server/trpc";
import { describeActivity } from "~/utils/activity";
import { formatPrice } from "~/utils/format";
import { pageArgs, toPage } from "~/server/pagination";

const newestFirst = { seq: "desc" } satisfies Prisma.AuditEventOrderByWithRelationInput;

/** Everything a person's export holds, and nothing else (no auth0Sub, no request ids). */
const exportSelect = {
  id: true,
  email: true,
  emailVerified: true,
  name: true,
  picture: true,
  createdAt: true,
  billingAccount: {
    select: {
      status: true,
      currentPeriodStart: true,
      currentPeriodEnd: true,
      paymentBrand: true,
      paymentLast4: true,
      tier: { select: { id: true, name: true, priceCents: true, currency: true, interval: true } },
      invoices: { select: invoiceSelect, orderBy: newestInvoicesFirst },
    },
  },
  subscriptions: {
    select: { notify: true, createdAt: true, show: { select: { id: true, slug: true, title: true } } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  },
  auditEvents: { select: auditEventSelect, orderBy: newestFirst },
} satisfies Prisma.UserSelect;

/** A 400 shaped like an input validation error, naming the field (the page shows its message). */
function fieldError(field: string, message: string): TRPCError {
  return new TRPCError({ code: "BAD_REQUEST", message, cause: new z.ZodRealError([{ code: "custom", path: [field], message, input: undefined }]) });
}

export const meRouter = router({
  profile: protectedProcedure.query(async ({ ctx }) => {
    const tier = await accountTier(ctx.db, ctx.user.id);
    const { id, email, name, picture, createdAt } = ctx.user;
    return { id, email, name, picture, createdAt: createdAt.toISOString(), tier };
  }),

  /** How long before an episode airs the caller's reminders come (minutes), or null: none. */
  reminders: protectedProcedure.meta({ scope: "read:shows" }).query(async ({ ctx }) => {
    const { reminderLeadMinutes } = await ctx.db.user.findUniqueOrThrow({ where: { id: ctx.user.id }, select: { reminderLeadMinutes: true } });
    return { leadMinutes: reminderLeadMinutes };
  }),

  setReminderLead: protectedProcedure
    .meta({ scope: "write:shows" })
    .input(z.object({ minutes: z.literal(REMINDER_LEADS).nullable() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.db.user.update({ where: { id: ctx.user.id }, data: { reminderLeadMinutes: input.minutes }, select: { id: true } });
      return { leadMinutes: input.minutes };
    }),

  /**
   * The caller's own audit events, newest first: follows and reminders with `read:shows`, plan
   * changes with `read:billing` (a caller with neither gets none); token and sign-in events in the app's pages only.
   */
  activity: protectedProcedure
    .input(z.object({ cursor: rowId("an event").nullish(), limit: z.number().int().min(1).max(50).default(10) }))
    .query(async ({ ctx, input }) => {
      const actions = readableActions(ctx.auth);
      if (actions.length === 0) return { items: [], nextCursor: null };
      const rows = await ctx.db.auditEvent.findMany({
        where: { userId: ctx.user.id, action: { in: actions } },
        orderBy: newestFirst,
        ...pageArgs(input),
        select: auditEventSelect,
      });
      return toPage(rows, input.limit, toActivity);
    }),

  /**
   * Everything Showtrack holds about the caller, as one document: profile, plan, follows, all
   * invoices and all activity. Shows and billing both, hence both read scopes.
   */
  export: protectedProcedure.meta({ scope: ["read:shows", "read:billing"] }).query(async ({ ctx }) => {
    // One statement (LATERAL joins); a second only for a person whose billing account was never opened.
    const { billingAccount, subscriptions, auditEvents, createdAt, ...profile } = await readOpeningAccount(ctx.db, ctx.user.id, async () => {
      // The activity the caller may read, as on /account: what the app's own pages only show (tokens
      // made, sessions begun) stays out of an export fetched with a token.
      const select = { ...exportSelect, auditEvents: { ...exportSelect.auditEvents, where: { action: { in: readableActions(ctx.auth) } } } };
      const user = await ctx.db.user.findUniqueOrThrow({ relationLoadStrategy: "join", where: { id: ctx.user.id }, select });
      return user.billingAccount ? { ...user, billingAccount: user.billingAccount } : null;
    });
    const { tier: { priceCents, currency, interval, ...tier }, status, currentPeriodStart, currentPeriodEnd, paymentBrand, paymentLast4, invoices } = billingAccount;
    return {
      profile: { ...profile, createdAt: createdAt.toISOString() },
      plan: {
        tier,
        price: formatPrice(priceCents, currency, interval),
        status,
        currentPeriodStart: currentPeriodStart.toISOString(),
        currentPeriodEnd: currentPeriodEnd.toISOString(),
        paymentMethod: paymentMethodOf({ paymentBrand, paymentLast4 }),
      },
      follows: subscriptions.map(({ show, createdAt, notify }) => ({ show, followedAt: createdAt.toISOString(), reminders: notify })),
      // Beside each amount in cents and each event's codes, what a person reads.
      invoices: invoices.map((invoice) => ({ ...invoiceJson(invoice), amount: formatPrice(invoice.amountCents, invoice.currency) })),
      activity: auditEvents.map(toActivity).map((event) => ({ ...event, description: describeActivity(event) })),
    };
  }),

  /**
   * Deletes the caller's account and everything of theirs, ends every session of theirs and revokes
   * their refresh tokens at the identity provider. Deleting the User row cascades (prisma/schema.prisma)
   * to follows, the billing account and the audit events, in one statement: all or nothing. Invoices
   * are kept, with no link to the person (a business keeps its records). Signing in again provisions a
   * fresh Free account.
   */
  delete: sessionOnlyProcedure.input(z.object({ confirmEmail: text({ min: 1, max: 320 }) })).mutation(async ({ ctx, input }) => {
    // A session left open on a shared computer, or a stolen cookie, must not be enough: the person
    // proves it is them with a sign-in of the last few minutes (the page sends them to sign in again).
    requireRecentSignIn(ctx.session, "delete your account");
    if (!ctx.user.email || input.confirmEmail.toLowerCase() !== ctx.user.email.trim().toLowerCase()) {
      throw fieldError("confirmEmail", "Type your account's email address to confirm.");
    }
    // The sessions first: none of them may provision the account afresh once it is gone.
    const sessions = sessionStore ? await takeSessionsOf(ctx.db, ctx.auth.sub) : [ctx.session];
    await deleteUser(ctx.db, ctx.user);
    const refreshTokens = new Set(sessions.map((session) => session.tokenSet.refreshToken).filter((token) => token !== undefined));
    const revoked = await Promise.all([...refreshTokens].map(revokeRefreshToken));
    logger.info({ user: userHash(ctx.auth.sub), requestId: ctx.request?.id, sessions: sessions.length, revoked: revoked.filter(Boolean).length }, "account deleted");
    ctx.endSession?.();
  }),
});
