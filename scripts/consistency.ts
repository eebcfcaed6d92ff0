// What must hold in the database whatever callers did (the fuzz test and `npm run soak` check it):
// nobody follows more shows than their plan allows, and each user's audit trail, replayed in the
// order it was written, gives exactly their follows (with reminder settings), their plan and the
// downgrade it waits for.
import type { PrismaClient } from "../src/generated/prisma/client";
import { sqlIn } from "../src/server/platform/db";
import { OVER_CAP } from "../src/server/platform/statements";

export async function inconsistencies(db: PrismaClient, subs: string[]): Promise<string[]> {
  const problems: string[] = [];
  const overCap = await sqlIn(db)(OVER_CAP, []);
  for (const { sub, following, cap } of overCap) problems.push(`${sub} follows ${following} shows on a plan capped at ${cap}`);

  for (const sub of subs) {
    const user = await db.user.findUnique({
      where: { auth0Sub: sub },
      select: {
        subscriptions: { select: { showId: true, notify: true } },
        billingAccount: { select: { tier: { select: { name: true } }, pendingTier: { select: { name: true } } } },
        auditEvents: { orderBy: { seq: "asc" }, select: { action: true, target: true, details: true } },
      },
    });
    if (!user) continue;
    const replayed = new Map<string, boolean>();
    let plan = "Free";
    let pending: string | null = null;
    for (const event of user.auditEvents) {
      if (event.action === "follow") replayed.set(event.target, true);
      if (event.action === "unfollow") replayed.delete(event.target);
      if (event.action === "notify_on" || event.action === "notify_off") replayed.set(event.target, event.action === "notify_on");
      if (event.action === "plan_change") [plan, pending] = [(event.details as { to: string }).to, null];
      if (event.action === "plan_change_scheduled") pending = (event.details as { to: string }).to;
      if (event.action === "plan_change_canceled") pending = null;
    }
    const actual = new Map(user.subscriptions.map((subscription) => [subscription.showId, subscription.notify]));
    const same = actual.size === replayed.size && [...actual].every(([showId, notify]) => replayed.get(showId) === notify);
    if (!same) problems.push(`${sub}: follows ${JSON.stringify([...actual])}, audit trail says ${JSON.stringify([...replayed])}`);
    const actualPlan = user.billingAccount?.tier.name ?? "Free";
    if (actualPlan !== plan) problems.push(`${sub}: on ${actualPlan}, audit trail says ${plan}`);
    const actualPending = user.billingAccount?.pendingTier?.name ?? null;
    if (actualPending !== pending) problems.push(`${sub}: switching to ${actualPending}, audit trail says ${pending}`);
  }
  return problems;
}
