// /account's followed shows in pages, in a real browser (production build, local identity provider,
// Debian's Chromium): the first page as the server rendered it, "Show more" loading the next, and an
// unfollow on a later page taking effect at once. Fails on a console error or CSP violation.
import { expect, it } from "vitest";
import { loginUrl } from "~/utils/auth-routes";
import { db } from "../helpers";
import { setUpBrowserApp } from "./production";

const stack = setUpBrowserApp();

it("shows the first 50 follows, then the rest on Show more; an unfollow on the second page takes effect at once", async () => {
  // Carol (Enterprise: no cap) follows 55 shows, one more than a page and five.
  const carol = await db.user.findUniqueOrThrow({ where: { auth0Sub: "dev|carol" }, select: { id: true } });
  const followed = new Set((await db.subscription.findMany({ where: { userId: carol.id }, select: { showId: true } })).map((s) => s.showId));
  const more = (await db.show.findMany({ orderBy: { slug: "asc" }, select: { id: true } })).filter((show) => !followed.has(show.id)).slice(0, 55 - followed.size);
  await db.subscription.createMany({ data: more.map((show) => ({ userId: carol.id, showId: show.id })) });
  expect(await db.subscription.count({ where: { userId: carol.id } })).toBe(55);

  const { app } = stack;
  const { page } = await stack.freshBrowser();
  await page.goto(`${app}${loginUrl("/account")}`);
  await page.waitForURL((url) => url.pathname.startsWith("/interaction/"));
  await Promise.all([page.waitForURL(`${app}/account`), page.click('button[data-sub="dev|carol"]')]);

  const cards = page.locator("#my-shows li");
  expect(await cards.count()).toBe(50);
  expect(await page.textContent("#usage")).toBe("55 of unlimited");
  const [nextPage] = await Promise.all([page.waitForResponse((r) => r.url().includes("subscriptions.list")), page.click("#more-shows")]);
  expect(nextPage.status()).toBe(200);
  await page.locator("#my-shows li:nth-child(55)").waitFor();
  expect(await cards.count()).toBe(55);
  await page.locator("#more-shows").waitFor({ state: "detached" });
  // Each follow once, newest first: the page's order is the database's.
  const expected = await db.subscription.findMany({ where: { userId: carol.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { show: { select: { slug: true } } } });
  expect(await cards.evaluateAll((items) => items.map((item) => item.getAttribute("data-show")))).toEqual(expected.map((s) => s.show.slug));

  const last = expected.at(-1)!.show.slug;
  await page.locator(`#my-shows li[data-show="${last}"] button`, { hasText: "Unfollow" }).click();
  await page.locator(`#my-shows li[data-show="${last}"]`).waitFor({ state: "detached" });
  await page.locator("#usage", { hasText: "54 of unlimited" }).waitFor();
  expect(await cards.count()).toBe(54);
}, 180_000);
