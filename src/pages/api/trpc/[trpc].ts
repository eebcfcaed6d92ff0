import { createNextApiHandler } from "@trpc/server/adapters/next";
import type { NextApiRequest, NextApiResponse } from "next";
import { createContext, type Context } from "~/server/context";
import { logger, logWhenSent, userHash } from "~/server/logger";
import { MAX_BATCH_SIZE, MAX_BODY_BYTES } from "~/utils/api-limits";
import { RateLimitExceeded, rateLimitHeaders } from "~/server/rate-limit";
import { ensureRequestId } from "~/server/request";
import { appRouter } from "~/server/routers/_app";

// tRPC reads the raw body itself, with the size limit: Next's parser would accept 1 MB, then hand
// tRPC an object that it serialises again.
export const config = { api: { bodyParser: false } };

/** The context of each request, so that the access log can name the caller. */
const contexts = new WeakMap<NextApiRequest, Context>();

const trpcHandler = createNextApiHandler({
  router: appRouter,
  async createContext({ req, res }) {
    const ctx = await createContext({ req, res });
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
  res.setHeader("x-request-id", ensureRequestId(req));
  logWhenSent(res, () => {
    const ctx = contexts.get(req);
    return {
      requestId: ctx?.request?.id,
      procedure: typeof req.query.trpc === "string" ? req.query.trpc : undefined,
      method: req.method,
      user: userHash(ctx?.auth?.sub),
    };
  });
  await trpcHandler(req, res);
}
