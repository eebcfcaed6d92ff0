import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { auditEventSelect, readableActions, toActivity } from "~/server/domain/audit";
import { accountTier, invoiceJson, invoiceSelect, newestInvoicesFirst, paymentMethodOf, readOpeningAccount } from "~/server/domain/billing";
import { deleteUser } from "~/server/domain/users";
import { rowId, text } from "~/server/inputs";
import { logger, userHash } from "~/server/platform/logger";
import { protectedProcedure, router } from "~/server/trpc";
import { pageArgs, toPage } from "~/server/pagination";

const newestFirst = { seq: "desc" } satisfies Prisma.AuditEventOrderByWithRelationInput;

/** Everything a person's export holds, and nothing else (no auth0Sub, no request ids). */
const exportSelect = {
  id: true,
  email: true,
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
      tier: { select: { id: true, name: true } },
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

  /**
   * The caller's own audit events, newest first: follows and reminders with `read:shows`, plan
   * changes with `read:billing` (a caller with neither gets none).
   */
  activity: protectedProcedure
    .input(z.object({ cursor: rowId("an event").nullish(), limit: z.number().int().min(1).max(50).default(10) }))
    .query(async ({ ctx, input }) => {
      const actions = readableActions(ctx.auth.scopes);
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
      const user = await ctx.db.user.findUniqueOrThrow({ relationLoadStrategy: "join", where: { id: ctx.user.id }, select: exportSelect });
      return user.billingAccount ? { ...user, billingAccount: user.billingAccount } : null;
    });
    const { tier, status, currentPeriodStart, currentPeriodEnd, paymentBrand, paymentLast4, invoices } = billingAccount;
    return {
      profile: { ...profile, createdAt: createdAt.toISOString() },
      plan: {
        tier,
        status,
        currentPeriodStart: currentPeriodStart.toISOString(),
        currentPeriodEnd: currentPeriodEnd.toISOString(),
        paymentMethod: paymentMethodOf({ paymentBrand, paymentLast4 }),
      },
      follows: subscriptions.map(({ show, createdAt, notify }) => ({ show, followedAt: createdAt.toISOString(), reminders: notify })),
      invoices: invoices.map(invoiceJson),
      activity: auditEvents.map(toActivity),
    };
  }),

  /**
   * Deletes the caller's account and everything of theirs, then ends the session. Deleting the User
   * row cascades (prisma/schema.prisma) to follows, the billing account and its invoices, and the
   * audit events: one statement, so one transaction, all or nothing. Signing in again provisions a
   * fresh Free account.
   */
  delete: protectedProcedure.input(z.object({ confirmEmail: text({ min: 1, max: 320 }) })).mutation(async ({ ctx, input }) => {
    // Deleting an account is a decision a person makes in the app, signed in, not something an API
    // token may do: a token leaks, is held by programs, and its scopes say nothing about this.
    if (ctx.auth.via !== "session") {
      throw new TRPCError({ code: "FORBIDDEN", message: "An account can only be deleted from its account page, signed in." });
    }
    if (!ctx.user.email || input.confirmEmail.toLowerCase() !== ctx.user.email.trim().toLowerCase()) {
      throw fieldError("confirmEmail", "Type your account's email address to confirm.");
    }
    await deleteUser(ctx.db, ctx.user);
    logger.info({ user: userHash(ctx.auth.sub), requestId: ctx.request?.id }, "account deleted");
    ctx.endSession?.();
  }),
});
