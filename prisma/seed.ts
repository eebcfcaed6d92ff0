// `prisma db seed` (also run by `prisma migrate reset` and by `npm run dev` on a new database).
import { createPrismaClient } from "../src/server/platform/db";
import { seedDatabase } from "./seed-data";

const db = createPrismaClient();
try {
  await seedDatabase(db);
  const [tiers, shows, episodes, users, subscriptions] = await Promise.all([
    db.pricingTier.count(),
    db.show.count(),
    db.episode.count(),
    db.user.count(),
    db.subscription.count(),
  ]);
  console.log(`Seeded: ${tiers} pricing tiers, ${shows} shows, ${episodes} episodes, ${users} users, ${subscriptions} subscriptions.`);
} finally {
  await db.$disconnect();
}
