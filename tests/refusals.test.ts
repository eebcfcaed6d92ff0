import { describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { Prisma } from "~/generated/prisma/client";
import { Conflict, NotFound, PaymentRequired, PlanLimitReached } from "~/server/domain/errors";
import { toTRPCError } from "~/server/errors";
import { RateLimitExceeded } from "~/server/platform/rate-limit";
import { IssuerUnavailable } from "~/server/platform/session";
import { callProcedure, seededApiServer, sessionCookie } from "./helpers";

const api = seededApiServer();

describe("refusals: one mapping from the domain's errors to tRPC codes and HTTP statuses", () => {
  it.each([
    [new PlanLimitReached("over"), "PRECONDITION_FAILED"],
    [new PaymentRequired("no card"), "PAYMENT_REQUIRED"],
    [new Conflict("raced"), "CONFLICT"],
    [new NotFound("gone"), "NOT_FOUND"],
    [new IssuerUnavailable(), "SERVICE_UNAVAILABLE"],
    [new RateLimitExceeded({ limit: 1, remaining: 0, resetSeconds: 1 }), "TOO_MANY_REQUESTS"],
    [new Prisma.PrismaClientKnownRequestError("unique", { code: "P2002", clientVersion: Prisma.prismaVersion.client }), "CONFLICT"],
    [new Prisma.PrismaClientKnownRequestError("timeout", { code: "P2028", clientVersion: Prisma.prismaVersion.client }), "SERVICE_UNAVAILABLE"],
    [new Error("a bug"), "INTERNAL_SERVER_ERROR"],
  ])("maps %s to %s, keeping it as the cause", (error, code) => {
    const mapped = toTRPCError(error);
    expect(mapped.code).toBe(code);
    expect(mapped.cause).toBe(error);
    // Inside a procedure tRPC first wraps what is thrown as a 500: the mapping looks through it.
    expect(toTRPCError(new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error })).code).toBe(code);
  });

  it("says the domain's refusal over HTTP, by tRPC code and by name", async () => {
    const cookie = await sessionCookie({ sub: "dev|alice" });
    const shows = await callProcedure(api.url, "shows.list", { input: { limit: 20 } });
    const ids = (shows.body.result!.data.json as { items: { id: string }[] }).items.map((show) => show.id);
    let refused: Awaited<ReturnType<typeof callProcedure>> | undefined;
    for (const showId of ids) {
      const added = await callProcedure(api.url, "subscriptions.add", { input: { showId }, headers: { cookie } });
      if (added.status !== 200) {
        refused = added;
        break;
      }
    }
    expect(refused?.status).toBe(412);
    expect(refused?.body.error?.json.data).toMatchObject({ code: "PRECONDITION_FAILED", refusal: "plan_limit" });
    expect(refused?.body.error?.json.message).toMatch(/^Your Free plan follows up to 3 shows, and you follow 3\. Upgrade to follow more\.$/);

    const missing = await callProcedure(api.url, "shows.bySlug", { input: { slug: "no-such-show" } });
    expect(missing.status).toBe(404);
    expect(missing.body.error?.json.data).toMatchObject({ code: "NOT_FOUND", refusal: "not_found" });
  });

  it("answers the same refusal on the REST face with its HTTP status", async () => {
    const response = await fetch(`${api.origin}/api/shows/no-such-show/episodes`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: "NOT_FOUND", message: 'No show called "no-such-show".' } });
  });
});
