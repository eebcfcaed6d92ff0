// Server-side rendering entry points and the Auth0 proxy, with real session cookies.
import type { DehydratedState } from "@tanstack/react-query";
import { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";
import { getServerSideProps as accountProps } from "~/pages/account";
import { getServerSideProps as showProps } from "~/pages/shows/[slug]";
import { config as proxyConfig, proxy } from "~/proxy";
import { db, gsspContext, sessionCookie } from "./helpers";
import { API_SCOPES } from "~/utils/scopes";

function dehydratedQueries({ trpcState: state }: { trpcState: DehydratedState }) {
  return Object.fromEntries(state.queries.map((query) => [JSON.stringify((query.queryKey as unknown[])[0]), query.state.data]));
}

describe("/account getServerSideProps", () => {
  it("sends an anonymous visitor to the login page, coming back here after", async () => {
    expect(await accountProps(gsspContext("/account"))).toEqual({
      redirect: { destination: "/auth/login?returnTo=%2Faccount", permanent: false },
    });
  });

  it("prefetches profile, shows and plan for the signed-in user", async () => {
    const result = await accountProps(gsspContext("/account", await sessionCookie({ sub: "dev|bob", name: "Bob Developer" })));
    if (!("props" in result)) throw new Error("expected props");
    const props = await result.props;
    expect(props.user).toEqual({ sub: "dev|bob", name: "Bob Developer", email: "devbob@example.test" });
    const queries = dehydratedQueries(props);
    expect(queries['["me","profile"]']).toMatchObject({ tier: { id: "developer" } });
    // The first page of the follows, as the infinite query the page reads (its key says so) hydrates it.
    expect(queries['["subscriptions","list"]']).toMatchObject({ pages: [{ items: expect.toSatisfy((items: unknown[]) => items.length === 12), nextCursor: null }] });
    expect(props.trpcState.queries.find((query) => JSON.stringify(query.queryKey[0]) === '["subscriptions","list"]')?.queryKey[1]).toMatchObject({ type: "infinite" });
    expect(queries['["billing","info"]']).toMatchObject({ usage: { subscriptions: 12, limit: 25 } });
  });

  it("leaves a failed prefetch out of the props (the browser asks again), its error and all", async () => {
    await db.$executeRawUnsafe('ALTER TABLE "Invoice" RENAME TO "Invoice_unavailable"');
    try {
      const result = await accountProps(gsspContext("/account", await sessionCookie({ sub: "dev|bob" })));
      if (!("props" in result)) throw new Error("expected props");
      const props = await result.props;
      const queries = dehydratedQueries(props);
      expect(Object.keys(queries)).not.toContain('["billing","info"]');
      expect(queries['["subscriptions","list"]']).toMatchObject({ pages: [{ items: expect.toSatisfy((items: unknown[]) => items.length === 12) }] });
      expect(JSON.stringify(props)).not.toMatch(/Invoice_unavailable|prisma|does not exist|went wrong/i);
    } finally {
      await db.$executeRawUnsafe('ALTER TABLE "Invoice_unavailable" RENAME TO "Invoice"');
    }
  });
});

describe("/shows/[slug] getServerSideProps", () => {
  it("answers the 404 page for an unknown show", async () => {
    expect(await showProps(gsspContext("/shows/nope", "", { slug: "nope" }))).toEqual({ notFound: true });
  });
});

describe("the Auth0 proxy", () => {
  it("covers pages and the SDK's routes, not the API (API routes roll the session themselves)", async () => {
    const matcher = new RegExp(`^${proxyConfig.matcher[0]}$`);
    expect(matcher.test("/account")).toBe(true);
    expect(matcher.test("/auth/login")).toBe(true);
    expect(matcher.test("/api/trpc/me.profile")).toBe(false);
    expect(matcher.test("/_next/static/chunks/app.js")).toBe(false);

    const cookie = await sessionCookie({ sub: "dev|alice" });
    vi.useFakeTimers({ now: Date.now() + 6 * 60_000, toFake: ["Date"] }); // a roll is due after a few minutes
    const response = await proxy(new NextRequest("http://localhost:3000/account", { headers: { cookie } }));
    vi.useRealTimers();
    expect(response.headers.get("set-cookie")).toMatch(/__session=/);
  });

  it("mounts the SDK's routes", async () => {
    const login = await proxy(new NextRequest("http://localhost:3000/auth/login?returnTo=/account"));
    expect(login.status).toBe(307);
    const location = new URL(login.headers.get("location")!);
    expect(location.origin).toBe(process.env.AUTH0_DOMAIN);
    expect(location.searchParams.get("audience")).toBe("https://api.showtrack.test");
    expect(location.searchParams.get("scope")).toBe(`openid profile email offline_access ${API_SCOPES.join(" ")}`);

    const profile = await proxy(new NextRequest("http://localhost:3000/auth/profile", { headers: { cookie: await sessionCookie({ sub: "dev|alice" }) } }));
    expect(await profile.json()).toMatchObject({ sub: "dev|alice" });
  });
});
