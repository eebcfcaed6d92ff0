import { ensureBillingAccount } from "~/server/billing";
import { protectedProcedure, router } from "~/server/trpc";

export const meRouter = router({
  profile: protectedProcedure.query(async ({ ctx }) => {
    const { tier } = await ensureBillingAccount(ctx.db, ctx.user.id);
    const { id, email, name, picture, createdAt } = ctx.user;
    return { id, email, name, picture, createdAt, tier: { id: tier.id, name: tier.name } };
  }),
});
