// What errors look like to callers: Prisma errors mapped to their HTTP meaning, internal errors
// hidden in production (and logged on the server), never a stack trace.
import { describe, expect, it, vi } from "vitest";
import { createInnerContext } from "~/server/context";
import { createCallerFactory, publicProcedure, router } from "~/server/trpc";
import { logger } from "~/server/platform/logger";
import { db, seededApiServer, wireInput, type TrpcResponseBody } from "./helpers";

const api = seededApiServer();

describe("Prisma errors through the procedure middleware", () => {
  // Real database operations that fail, behind the real publicProcedure.
  const failing = router({
    duplicateGenre: publicProcedure.mutation(({ ctx }) => ctx.db.genre.create({ data: { name: "Drama" } })),
    renameMissingGenre: publicProcedure.mutation(({ ctx }) => ctx.db.genre.update({ where: { name: "No Such Genre" }, data: { name: "x" } })),
  });
  const caller = createCallerFactory(failing)(createInnerContext({}));

  it("a unique violation is a CONFLICT", async () => {
    await expect(caller.duplicateGenre()).rejects.toMatchObject({ code: "CONFLICT", message: "That already exists." });
  });

  it("a missing record is NOT_FOUND", async () => {
    await expect(caller.renameMissingGenre()).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("internal errors over HTTP", () => {
  it("in production the message is generic, the cause is logged, and no stack leaves the server", async () => {
    await db.$executeRawUnsafe('DROP TABLE "_GenreToShow"'); // this file's own database: break it
    const logged = vi.spyOn(logger, "error");
    vi.stubEnv("NODE_ENV", "production");
    try {
      const response = await fetch(`${api.url}/shows.list?input=${encodeURIComponent(wireInput({}))}`, { headers: { "x-request-id": "quote-me-0001" } });
      const body = (await response.json()) as TrpcResponseBody;
      // The id quoted is the server's, the one the response carries, not the caller's.
      const requestId = response.headers.get("x-request-id")!;
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.status).toBe(500);
      expect(body.error?.json.message).toBe(`Something went wrong on our side. Please try again. (request id ${requestId})`);
      expect(body.error?.json.data).toMatchObject({ requestId });
      expect(body.error?.json.data.stack).toBeUndefined();
      expect(JSON.stringify(body)).not.toMatch(/_GenreToShow|prisma/i);
      expect(logged).toHaveBeenCalledWith(expect.objectContaining({ requestId, path: "shows.list" }), "query shows.list failed");
    } finally {
      vi.unstubAllEnvs();
      logged.mockRestore();
    }
  });
});
