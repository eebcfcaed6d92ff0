import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { auditEventSelect, readableActions, toActivity } from "~/server/audit";
import { ensureBillingAccount } from "~/server/billing";
import { rowId } from "~/server/inputs";
import { protectedProcedure, router } from "~/server/trpc";

const newestFirst = { seq: "desc" } satisfies Prisma.AuditEventOrderByWithRelationInput;

export const meRouter = router({
  profile: protectedProcedure.query(async ({ ctx }) => {
    const { tier } = await ensureBillingAccount(ctx.db, ctx.user.id);
    const { id, email, name, picture, createdAt } = ctx.user;
    return { id, email, name, picture, createdAt, tier: { id: tier.id, name: tier.name } };
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
        take: input.limit + 1,
        ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
        select: auditEventSelect,
      });
      const items = rows.slice(0, input.limit);
      return { items: items.map(toActivity), nextCursor: rows.length > input.limit ? (items.at(-1)?.id ?? null) : null };
    }),
});
