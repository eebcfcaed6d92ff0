import { publicProcedure, router } from "~/server/trpc";

export const healthRouter = router({
  check: publicProcedure.query(async ({ ctx }) => {
    try {
      await ctx.db.$queryRaw`SELECT 1`;
      return { ok: true, db: "up" as const };
    } catch (error) {
      console.error("[health] database check failed", error);
      return { ok: false, db: "down" as const };
    }
  }),
});
