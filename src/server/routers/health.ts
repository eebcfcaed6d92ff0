import { TRPCError } from "@trpc/server";
import { checkHealth } from "~/server/platform/health";
import { publicProcedure, router } from "~/server/trpc";

export const healthRouter = router({
  /** `{ ok: true, db: "up" }`, or SERVICE_UNAVAILABLE (503) naming what is down, as GET /api/health. */
  check: publicProcedure.query(async ({ ctx }) => {
    const health = await checkHealth(ctx.db);
    if (!health.ok) {
      const down = Object.entries(health).filter(([, state]) => state === "down").map(([name]) => name);
      throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: `Unavailable: ${down.join(" and ")} down.` });
    }
    return health;
  }),
});
