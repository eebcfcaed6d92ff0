import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { NextApiRequest, NextApiResponse } from "next";
import { createContext, type Context } from "~/server/context";
import { toTRPCError } from "~/server/errors";
import { beginApiRequest } from "~/server/platform/api-request";
import { logger, userHash } from "~/server/platform/logger";
import { RateLimitExceeded, rateLimitHeaders } from "~/server/platform/rate-limit";
import { createCaller } from "~/server/routers/_app";
import { inputErrorMessage, inputErrorOf } from "~/server/trpc";

type Caller = ReturnType<typeof createCaller>;

const CACHE_CONTROL = {
  // Same for everyone: let browsers and CDNs keep it a while.
  public: "public, max-age=300, stale-while-revalidate=3600",
  // One person's data: never stored anywhere.
  private: "private, no-store",
};

function sendError(res: NextApiResponse, error: TRPCError, requestId: string) {
  const status = getHTTPStatusCodeFromError(error);
  const inputError = inputErrorOf(error);
  // A refused input says which field and why, in words, as the tRPC handler's answer does.
  const message =
    error.code === "INTERNAL_SERVER_ERROR"
      ? `Something went wrong on our side. Please try again. (request id ${requestId})`
      : inputError
        ? inputErrorMessage(inputError)
        : error.message;
  res.setHeader("Cache-Control", CACHE_CONTROL.private);
  res.status(status).json({ error: { code: error.code, message } });
}

/**
 * A REST route over one procedure, through a server-side caller with the same context as the tRPC
 * handler (session cookie or bearer token): same checks, same status codes, JSON error bodies
 * `{ error: { code, message } }`, and RFC 6750 challenges on 401/403. `headers` adds headers of
 * its own to a successful response (a download's Content-Disposition).
 */
export function restRoute<T>(
  cache: keyof typeof CACHE_CONTROL,
  call: (caller: Caller, req: NextApiRequest) => Promise<T>,
  headers: () => Record<string, string> = () => ({}),
  /** Indents the JSON for a person to read (a download), rather than the compact form. */
  { indent }: { indent?: number } = {},
) {
  return async function handler(req: NextApiRequest, res: NextApiResponse) {
    let ctx: Context | undefined;
    const requestId = beginApiRequest(req, res, {
      methods: "GET, HEAD",
      logged: () => ({ route: req.url?.split("?")[0], method: req.method, user: userHash(ctx?.auth?.sub) }),
    });
    if (requestId === null) return;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      return sendError(res, new TRPCError({ code: "METHOD_NOT_SUPPORTED", message: "Only GET is supported here." }), requestId);
    }
    const setRateLimitHeaders = () => ctx?.rateLimit.state && res.setHeaders(new Map(Object.entries(rateLimitHeaders(ctx.rateLimit.state))));
    try {
      // A rolled cookie never rides on a response that shared caches may keep.
      ctx = await createContext({ req, res, rollSession: cache === "private" });
      const data = await call(createCaller(ctx), req);
      setRateLimitHeaders();
      // A response that writes the session cookie (its access token was refreshed) is private, whatever the route.
      const shared = cache === "public" && !res.hasHeader("Set-Cookie");
      res.setHeader("Cache-Control", CACHE_CONTROL[shared ? "public" : "private"]);
      if (!shared) res.appendHeader("Vary", "Cookie, Authorization");
      res.setHeaders(new Map(Object.entries(headers())));
      if (indent) res.status(200).setHeader("Content-Type", "application/json; charset=utf-8").send(JSON.stringify(data, null, indent));
      else res.status(200).json(data);
    } catch (cause) {
      const error = toTRPCError(cause);
      if (error.code === "INTERNAL_SERVER_ERROR") logger.error({ requestId, url: req.url, err: error.cause ?? error }, "REST route failed");
      if (error.cause instanceof RateLimitExceeded) setRateLimitHeaders();
      if (error.code === "UNAUTHORIZED") {
        res.setHeader("WWW-Authenticate", ctx?.authError ? `Bearer realm="showtrack", error="invalid_token"` : `Bearer realm="showtrack"`);
      }
      if (error.code === "FORBIDDEN" && (ctx?.authForbidden || (ctx?.auth && ctx.auth.via !== "session"))) {
        res.setHeader("WWW-Authenticate", `Bearer realm="showtrack", error="insufficient_scope"`);
      }
      sendError(res, error, requestId);
    }
  };
}
