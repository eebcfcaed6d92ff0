import type { PrismaClient } from "../src/generated/prisma/client";
import { periodEnd } from "../src/server/domain/billing";
import { testCardReference } from "../src/server/domain/payments";

// Everything here is invented: titles, networks and summaries are generated from word lists.

export const PRICING_TIERS = [
  {
    id: "free",
    name: "Free",
    priceCents: 0,
    maxSubscriptions: 3,
    features: ["Episode reminders by email"],
  },
  {
    id: "developer",
    name: "Developer",
    priceCents: 900,
    maxSubscriptions: 25,
    features: ["Episode reminders by email", "API access with your own tokens"],
  },
  {
    id: "enterprise",
    name: "Enterprise",
    priceCents: 4900,
    maxSubscriptions: null,
    features: ["Episode reminders by email", "API access with your own tokens", "Priority support"],
  },
] as const;

const GENRES = ["Animation", "Comedy", "Crime", "Documentary", "Drama", "Fantasy", "Mystery", "Science Fiction", "Thriller"];
const NETWORKS = ["Northwind TV", "Lumen+", "Harbor Channel", "Kestrel One", "Blue Orchard", "Polar Stream"];
const OPENERS = ["The Quiet", "Midnight", "Copper", "Lantern", "Northern", "Paper", "Velvet", "Hollow", "Salt", "Glass"];
const NOUNS = ["Harbor", "Orchard", "Signal", "Archive", "Meridian", "Lighthouse", "Foundry"];
const SHOW_COUNT = 64;

export interface SeedShow {
  slug: string;
  title: string;
  network: string;
  summary: string;
  premiered: number;
  status: "running" | "ended";
  genres: string[];
}

/** 64 deterministic, invented shows: same input, same rows. */
export function seedShows(): SeedShow[] {
  return Array.from({ length: SHOW_COUNT }, (_, i) => {
    const title = `${OPENERS[i % OPENERS.length]} ${NOUNS[Math.floor(i / OPENERS.length) % NOUNS.length]}`;
    const genres = [GENRES[i % GENRES.length]!, GENRES[(i * 5 + 3) % GENRES.length]!].filter(
      (genre, index, all) => all.indexOf(genre) === index,
    );
    const network = NETWORKS[(i * 7) % NETWORKS.length]!;
    return {
      slug: title.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
      title,
      network,
      summary: `A ${genres.join(" and ").toLowerCase()} series from ${network} about the people of ${title}.`,
      premiered: 1994 + ((i * 11) % 31),
      status: i % 3 === 0 ? "ended" : "running",
      genres,
    };
  });
}

/** Demo users; their `auth0Sub` values are the local identity provider's test users. */
export const DEMO_USERS = [
  { auth0Sub: "dev|alice", email: "alice@example.test", name: "Alice Free", tierId: "free", shows: 2, invoices: 0, card: null },
  { auth0Sub: "dev|bob", email: "bob@example.test", name: "Bob Developer", tierId: "developer", shows: 12, invoices: 3, card: { brand: "visa", number: "4242424242424242" } },
  { auth0Sub: "dev|carol", email: "carol@example.test", name: "Carol Enterprise", tierId: "enterprise", shows: 5, invoices: 1, card: { brand: "mastercard", number: "5555555555554444" } },
] as const;

const DAY_MS = 86_400_000;

/** The date `months` calendar months before `time` (UTC). */
function monthsBefore(time: number, months: number): Date {
  const date = new Date(time);
  date.setUTCMonth(date.getUTCMonth() - months);
  return date;
}
const MINUTE_MS = 60_000;
const EPISODE_TITLES = ["The Arrival", "Low Tide", "Ledger", "What the Fog Took", "Night Shift", "Homecoming", "The Long Way", "Static"];

/**
 * The episodes of running show number `index` (seedShows order), aired and airing relative to `now`:
 * two last week, and four to come a week apart, the first within the next hour for every eighth show
 * (a reminder to see at once on a fresh `npm run dev`), else within the next days.
 */
export function seedEpisodes(index: number, now: number) {
  const season = 1 + (index % 4);
  const round = (time: number) => Math.round(time / (5 * MINUTE_MS)) * 5 * MINUTE_MS;
  const first = index % 8 === 0 ? now + (15 + (index % 40)) * MINUTE_MS : now + (1 + (index % 5)) * DAY_MS + ((index * 13) % 24) * 60 * MINUTE_MS;
  const airs = [now - 8 * DAY_MS + index * 17 * MINUTE_MS, now - 2 * DAY_MS - index * 11 * MINUTE_MS, first, first + 7 * DAY_MS, first + 14 * DAY_MS, first + 21 * DAY_MS];
  return airs.map((time, i) => ({ season, number: i + 1, title: EPISODE_TITLES[(index + i) % EPISODE_TITLES.length]!, airsAt: new Date(round(time)) }));
}

/** Idempotent: running it again leaves the same rows (it adds only what is missing). */
export async function seedDatabase(db: PrismaClient): Promise<void> {
  for (const [sortOrder, { features, ...tier }] of PRICING_TIERS.entries()) {
    const data = { ...tier, features: [...features], currency: "usd", interval: "month" as const, sortOrder };
    await db.pricingTier.upsert({ where: { id: tier.id }, create: data, update: data });
  }

  for (const name of GENRES) await db.genre.upsert({ where: { name }, create: { name }, update: {} });
  const shows = seedShows();
  for (const { genres, ...show } of shows) {
    const genreLinks = genres.map((name) => ({ name }));
    await db.show.upsert({
      where: { slug: show.slug },
      create: { ...show, genres: { connect: genreLinks } },
      update: { ...show, genres: { set: genreLinks } },
    });
  }

  const now = Date.now();
  // Episodes of the running shows, scheduled around the time the seed runs (once, on a new database).
  const showIds = new Map((await db.show.findMany({ select: { id: true, slug: true } })).map(({ id, slug }) => [slug, id]));
  await db.episode.createMany({
    data: shows.flatMap((show, index) =>
      show.status === "running" ? seedEpisodes(index, now).map((episode) => ({ ...episode, showId: showIds.get(show.slug)! })) : [],
    ),
    skipDuplicates: true,
  });

  for (const [userIndex, demo] of DEMO_USERS.entries()) {
    const profile = { email: demo.email, emailVerified: true, name: demo.name };
    // A member since before their first follow and first invoice (issued 10, 40, 70… days ago).
    const memberSince = new Date(now - (Math.max(demo.shows, 10 + 31 * (demo.invoices - 1)) + 1) * DAY_MS);
    const user = await db.user.upsert({
      where: { auth0Sub: demo.auth0Sub },
      create: { auth0Sub: demo.auth0Sub, ...profile, createdAt: memberSince },
      update: profile,
    });
    const tier = PRICING_TIERS.find((candidate) => candidate.id === demo.tierId)!;
    const periodStart = new Date(now - 10 * DAY_MS);
    const account = {
      tierId: demo.tierId,
      status: "active" as const,
      currentPeriodStart: periodStart,
      currentPeriodEnd: periodEnd(periodStart, "month"),
      paymentBrand: demo.card?.brand ?? null,
      paymentLast4: demo.card?.number.slice(-4) ?? null,
      paymentReference: demo.card ? testCardReference(demo.card.number) : null,
    };
    const billing = await db.billingAccount.upsert({
      where: { userId: user.id },
      create: { userId: user.id, ...account },
      update: {},
    });
    // Databases seeded before cards had a provider reference: give the demo card its test reference.
    if (demo.card) {
      await db.billingAccount.updateMany({
        where: { id: billing.id, paymentReference: null, paymentLast4: account.paymentLast4 },
        data: { paymentReference: account.paymentReference },
      });
    }

    // Each user follows a different run of shows, followed one day apart (newest last).
    for (let i = 0; i < demo.shows; i++) {
      const show = shows[(userIndex * 17 + i * 3) % shows.length]!;
      const { id: showId } = await db.show.findUniqueOrThrow({ where: { slug: show.slug }, select: { id: true } });
      await db.subscription.upsert({
        where: { userId_showId: { userId: user.id, showId } },
        create: { userId: user.id, showId, createdAt: new Date(now - (demo.shows - i) * DAY_MS) },
        update: {},
      });
    }

    if (demo.invoices > 0 && (await db.invoice.count({ where: { billingAccountId: billing.id } })) === 0) {
      await db.invoice.createMany({
        // Back to back, newest first: each period ends where the next one starts, a month after it.
        data: Array.from({ length: demo.invoices }, (_, i) => {
          const end = i === 0 ? periodEnd(new Date(now - 10 * DAY_MS), "month") : monthsBefore(now - 10 * DAY_MS, i - 1);
          const start = monthsBefore(now - 10 * DAY_MS, i);
          return {
            billingAccountId: billing.id,
            tierId: tier.id,
            amountCents: tier.priceCents,
            currency: "usd",
            status: "paid" as const,
            periodStart: start,
            periodEnd: end,
            issuedAt: start,
          };
        }),
      });
    }
  }
}
