import type { IncomingMessage, ServerResponse } from "node:http";
import { handleCors } from "~/server/platform/cors";
import { logWhenSent } from "~/server/platform/logger";
import { ensureRequestId } from "~/server/platform/request";
import { API_RUNTIME_HEADERS, clientRequestIdOf, REQUEST_ID_HEADER } from "~/server/platform/security-headers";

/**
 * What every API route does first. The proxy (src/proxy.ts) does not run in front of /api: Next's
 * middleware round trip cost an API call more CPU than its procedure. So a route sets its
 * request id and HSTS here (next.config.ts sets the fixed security headers of every /api response),
 * answers CORS (a preflight ends here: null), and, when it
 * names `logged` fields, writes one access-log line once the response is sent: with the caller's own
 * x-request-id, when well-formed, as `clientRequestId` beside the request's (always new) id. The
 * cookie session is rolled by createContext (`rollSession`).
 */
export function beginApiRequest(
  req: IncomingMessage,
  res: ServerResponse,
  { methods, logged }: { methods: string; logged?: () => Record<string, unknown> },
): string | null {
  const requestId = ensureRequestId(req);
  res.setHeader(REQUEST_ID_HEADER, requestId);
  for (const [name, value] of Object.entries(API_RUNTIME_HEADERS)) res.setHeader(name, value);
  if (handleCors(req, res, methods)) return null;
  const clientRequestId = clientRequestIdOf(req.headers);
  if (logged) logWhenSent(res, () => ({ requestId, ...(clientRequestId !== undefined && { clientRequestId }), ...logged() }));
  return requestId;
}
