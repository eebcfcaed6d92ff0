import { describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { seedShows } from "../prisma/seed-data";
import { foldForSearch } from "~/server/domain/search";
import { callerFor, db } from "./helpers";

describe("shows", () => {
  it("pages through every show once, in a stable order, with no duplicates or gaps", async () => {
    const anonymous = callerFor();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof anonymous.shows.list>> = await anonymous.shows.list({ cursor, limit: 7 });
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((show) => show.slug));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);

    const expected = seedShows().map((show) => show.slug);
    expect(seen).toHaveLength(expected.length);
    expect(new Set(seen).size).toBe(expected.length);
    expect([...seen].sort()).toEqual([...expected].sort());
    expect(pages).toBe(Math.ceil(expected.length / 7));
    const titles = (await anonymous.shows.list({ limit: 50 })).items.map((show) => show.title);
    expect(titles).toEqual([...titles].sort((a, b) => a.localeCompare(b)));
  });

  it("sorts by newest premiere (the landing page's featured shows), paging as stably", async () => {
    const caller = callerFor();
    const all = await db.show.findMany({ orderBy: [{ premiered: "desc" }, { id: "asc" }], select: { id: true } });
    const seen: string[] = [];
    for (let cursor: string | null | undefined = undefined; ; ) {
      const page = await caller.shows.list({ limit: 7, sort: "newest", cursor });
      seen.push(...page.items.map((show) => show.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(all.map((show) => show.id));
  });

  it("filters by search text and by genre", async () => {
    const caller = callerFor();
    const { items: harbors } = await caller.shows.list({ search: "harbor", limit: 50 });
    expect(harbors.length).toBeGreaterThan(0);
    expect(harbors.every((show) => show.title.toLowerCase().includes("harbor"))).toBe(true);

    const { items: mysteries } = await caller.shows.list({ genre: "Mystery", limit: 50 });
    expect(mysteries.length).toBeGreaterThan(0);
    expect(mysteries.every((show) => show.genres.includes("Mystery"))).toBe(true);
    expect((await caller.shows.list({ genre: "No Such Genre" })).items).toEqual([]);
  });

  it("search ignores case and accents, as a person expects", async () => {
    await db.show.create({
      data: { slug: "cafe-aerodrom", title: "Café Ærødrom", network: "Lumen+", summary: "A test show.", premiered: 2020, status: "running" },
    });
    for (const search of ["café", "CAFE", "cafe aero", "Ærødrom", "AERODROM", "é ær"]) {
      const { items } = await callerFor().shows.list({ search });
      expect({ search, titles: items.map((show) => show.title) }).toEqual({ search, titles: ["Café Ærødrom"] });
    }
    // LIKE's wildcards are plain characters in a search: no title has them.
    for (const search of ["cafeteria", "%", "_", "caf_", "\\"]) expect((await callerFor().shows.list({ search })).items).toEqual([]);
  });

  it("folds a search term exactly as the database folds titles, for every Latin letter", async () => {
    // Latin-1 Supplement and Latin Extended-A: the letters of the European languages.
    const letters = Array.from({ length: 0x180 - 0xc0 }, (_, i) => String.fromCodePoint(0xc0 + i)).filter((c) => /\p{L}/u.test(c));
    const folded = await db.$queryRaw<{ letter: string; folded: string }[]>`
      SELECT letter, search_fold(letter) AS folded FROM unnest(${letters}::text[]) AS letter`;
    const disagreements = folded.filter((row) => foldForSearch(row.letter) !== row.folded);
    expect(disagreements).toEqual([]);
    expect(folded).toHaveLength(letters.length);
  });

  it("says which shows the signed-in caller follows", async () => {
    const followed = new Set((await callerFor({ sub: "dev|alice" }).subscriptions.list()).items.map((s) => s.show.id));
    expect(followed.size).toBe(2);
    const { items } = await callerFor({ sub: "dev|alice" }).shows.list({ limit: 50 });
    const { items: more } = await callerFor({ sub: "dev|alice" }).shows.list({ limit: 50, cursor: items.at(-1)!.id });
    const marked = [...items, ...more].filter((show) => show.following).map((show) => show.id);
    expect(new Set(marked)).toEqual(followed);
    expect((await callerFor().shows.list({ limit: 50 })).items.every((show) => !("following" in show))).toBe(true);
  });

  it("reveals which shows one follows only with read:shows, in the list and on a show's page", async () => {
    const [followed] = (await callerFor({ sub: "dev|alice" }).subscriptions.list()).items;
    const slug = followed!.show.slug;
    const withRead = callerFor({ sub: "dev|alice", scope: "read:shows" });
    expect((await withRead.shows.list({ limit: 50 })).items.filter((show) => show.following)).not.toEqual([]);
    expect(await withRead.shows.bySlug({ slug })).toMatchObject({ following: true });

    // A token for billing only learns nothing about the person's shows: no flag at all, not "false".
    const billingOnly = callerFor({ sub: "dev|alice", scope: "read:billing write:billing" });
    const { items } = await billingOnly.shows.list({ limit: 50 });
    expect(items.filter((show) => "following" in show)).toEqual([]);
    expect(Object.keys(await billingOnly.shows.bySlug({ slug }))).not.toContain("following");
    expect(Object.keys(await callerFor().shows.bySlug({ slug }))).not.toContain("following");
  });

  it("tells the caller how many shows they follow and their plan's cap, with read:shows", async () => {
    expect(await callerFor({ sub: "dev|alice" }).subscriptions.usage()).toEqual({ plan: "Free", following: 2, limit: 3, capReason: "plan", refusal: null });
    expect(await callerFor({ sub: "dev|carol" }).subscriptions.usage()).toMatchObject({ plan: "Enterprise", limit: null });
    await expect(callerFor({ sub: "dev|alice", scope: "read:billing" }).subscriptions.usage()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("finds a show by slug, and answers NOT_FOUND for an unknown slug", async () => {
    const [first] = seedShows();
    const show = await callerFor().shows.bySlug({ slug: first!.slug });
    expect(show).toMatchObject({ title: first!.title, genres: [...first!.genres].sort() });
    expect(Object.keys(show).sort()).toEqual(
      ["episodes", "genres", "id", "network", "premiered", "slug", "status", "summary", "title"].sort(),
    );
    await expect(callerFor().shows.bySlug({ slug: "no-such-show" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("the seed schedules episodes around the time it ran: within the hour, over the next days, and last week", async () => {
    const now = Date.now();
    const hour = 3_600_000;
    const day = 24 * hour;
    const episodes = await db.episode.findMany({ select: { airsAt: true } });
    const within = (from: number, to: number) => episodes.filter(({ airsAt }) => airsAt.getTime() >= now + from && airsAt.getTime() < now + to).length;
    expect(within(0, hour)).toBeGreaterThan(0);
    expect(within(hour, 7 * day)).toBeGreaterThan(0);
    expect(within(-9 * day, -day)).toBeGreaterThan(0);
  });

  it("a show's page has its coming episodes soonest first and those aired lately newest first; each card its next one", async () => {
    const seeded = seedShows().find((candidate) => candidate.status === "running")!;
    const show = await db.show.findUniqueOrThrow({ where: { slug: seeded.slug }, select: { slug: true, id: true } });
    const { episodes } = await callerFor().shows.bySlug({ slug: show.slug });
    const times = (list: { airsAt: string }[]) => list.map((episode) => Date.parse(episode.airsAt));
    expect(episodes.upcoming.length).toBeGreaterThan(0);
    expect(episodes.recent.length).toBeGreaterThan(0);
    expect(times(episodes.upcoming)).toEqual(times(episodes.upcoming).toSorted((a, b) => a - b));
    expect(times(episodes.recent)).toEqual(times(episodes.recent).toSorted((a, b) => b - a));
    expect(Math.min(...times(episodes.upcoming))).toBeGreaterThanOrEqual(Math.max(...times(episodes.recent)));
    expect(episodes.upcoming[0]).toEqual({ season: expect.any(Number), number: expect.any(Number), title: expect.any(String), airsAt: expect.any(String) });

    const next = await db.episode.findFirstOrThrow({ where: { showId: show.id, airsAt: { gte: new Date() } }, orderBy: { airsAt: "asc" } });
    const { items } = await callerFor().shows.list({ search: seeded.title, limit: 50 });
    const card = items.find((item) => item.slug === show.slug)!;
    expect(card.nextEpisode).toEqual({ season: next.season, number: next.number, title: next.title, airsAt: next.airsAt.toISOString() });
    // An ended show has none.
    const ended = seedShows().find((candidate) => candidate.status === "ended")!;
    expect((await callerFor().shows.list({ search: ended.title })).items.find((item) => item.slug === ended.slug)?.nextEpisode).toBeNull();
  });

  it("lists the genres in use", async () => {
    const genres = await callerFor().shows.genres();
    expect(genres).toContain("Drama");
    expect(genres).toEqual([...genres].sort());
  });

  it("rejects a limit outside 1..50", async () => {
    await expect(callerFor().shows.list({ limit: 51 })).rejects.toBeInstanceOf(TRPCError);
    await expect(callerFor().shows.list({ limit: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
