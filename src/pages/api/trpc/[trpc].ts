import { createNextApiHandler } from "@trpc/server/adapters/next";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import type { NextApiRequest, NextApiResponse } from "next";
import { createContext, type Context } from "~/server/context";
import { beginApiRequest } from "~/server/platform/api-request";
import { logger, userHash } from "~/server/platform/logger";
import { MAX_BATCH_SIZE, MAX_BODY_BYTES } from "~/utils/api-limits";
import { RateLimitExceeded, rateLimitHeaders } from "~/server/platform/rate-limit";
import { appRouter } from "~/server/routers/_app";

// tRPC reads the raw body itself, with the size limit: Next's parser would accept 1 MB, then hand
// tRPC an object that it serialises again.
export const config = { api: { bodyParser: false } };

/** The context of each request, so that the access log can name the caller. */
const contexts = new WeakMap<NextApiRequest, Context>();

const trpcHandler = createNextApiHandler({
  router: appRouter,
  async createContext({ req, res }) {
    const ctx = await createContext({ req, res, rollSession: true });
    contexts.set(req, ctx);
    return ctx;
  },
  maxBodySize: MAX_BODY_BYTES,
  maxBatchSize: MAX_BATCH_SIZE,
  responseMeta({ ctx, errors }) {
    const exceeded = errors.map((error) => error.cause).find((cause) => cause instanceof RateLimitExceeded);
    const state = exceeded?.state ?? ctx?.rateLimit.state;
    return { headers: state ? rateLimitHeaders(state) : {} };
  },
  onError({ error, path, type, req }) {
    // The client gets a code, a message and the request id; the cause and stack are logged here only.
    if (error.code === "INTERNAL_SERVER_ERROR") {
      logger.error({ requestId: contexts.get(req)?.request?.id, path, type, err: error.cause ?? error }, `${type} ${path ?? "?"} failed`);
    }
  },
});

/** The tRPC endpoint, with an x-request-id on every response and one JSON log line per request. */
export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  // Queries are GETs, mutations and batches POSTs.
  const requestId = beginApiRequest(req, res, {
    methods: "GET, POST",
    logged: () => ({
      procedure: typeof req.query.trpc === "string" ? req.query.trpc : undefined,
      method: req.method,
      user: userHash(contexts.get(req)?.auth?.sub),
    }),
  });
  if (requestId === null) return;
  // A declared size over the limit is refused before anything runs (tRPC itself reads the body only
  // when a procedure's input is parsed, after its middlewares; a chunked body is cut off there).
  if (Number(req.headers["content-length"]) > MAX_BODY_BYTES) {
    const message = `The request body is larger than ${MAX_BODY_BYTES / 1024} kB.`;
    const data = { code: "PAYLOAD_TOO_LARGE", httpStatus: 413, requestId };
    res.status(413).json({ error: { json: { message, code: TRPC_ERROR_CODES_BY_KEY.PAYLOAD_TOO_LARGE, data } } });
    return;
  }
  await trpcHandler(req, res);
}
