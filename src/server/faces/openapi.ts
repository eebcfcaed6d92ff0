import { z } from "zod";
import { issuerUrl } from "~/server/platform/auth";
import { SESSION_COOKIE } from "~/server/platform/auth0";
import { API_SCOPES } from "~/utils/scopes";
import { API_TOKEN_PREFIX } from "~/utils/api-tokens";
import { env } from "~/server/platform/env";
import { TIER_IDS } from "~/utils/tiers";
import { AuditAction, AuditChannel } from "~/generated/prisma/enums";
import { FOLLOWS_PAGE } from "~/server/domain/followed-shows";

// The REST routes' response shapes (dates as ISO strings, as JSON carries them), turned into the
// OpenAPI 3.1 document served at /api/openapi.json. tests/rest.test.ts checks real responses
// against this document, so it cannot drift from what the routes return.
const schemas = z.registry<{ id: string }>();
const date = z.iso.datetime();

const Tier = z
  .object({
    id: z.enum(TIER_IDS),
    name: z.string(),
    priceCents: z.int(),
    currency: z.string(),
    interval: z.enum(["month", "year"]),
    maxSubscriptions: z.int().nullable().describe("null: unlimited"),
    features: z.array(z.string()),
  })
  .register(schemas, { id: "PricingTier" });

const Invoice = z
  .object({
    id: z.string(),
    amountCents: z.int(),
    currency: z.string(),
    status: z.enum(["paid", "open", "void"]),
    periodStart: date,
    periodEnd: date,
    issuedAt: date,
  })
  .register(schemas, { id: "Invoice" });

z
  .object({
    status: z.enum(["active", "past_due", "canceled"]),
    currentPeriodStart: date,
    currentPeriodEnd: date,
    tier: Tier,
    pendingTier: z
      .object({ id: z.string(), name: z.string() })
      .nullable()
      .describe("the lower plan the account moves to at currentPeriodEnd, if one was chosen"),
    paymentMethod: z.object({ brand: z.string(), last4: z.string() }).nullable(),
    usage: z.object({ subscriptions: z.int(), limit: z.int().nullable() }),
    invoices: z.array(Invoice).describe("the 5 latest"),
  })
  .register(schemas, { id: "BillingInfo" });

const Show = z
  .object({
    id: z.string(),
    slug: z.string(),
    title: z.string(),
    network: z.string(),
    summary: z.string(),
    premiered: z.int(),
    status: z.enum(["running", "ended"]),
    genres: z.array(z.string()),
  })
  .register(schemas, { id: "Show" });

const Episode = z
  .object({ season: z.int(), number: z.int(), title: z.string(), airsAt: date.describe("when it airs, UTC") })
  .register(schemas, { id: "Episode" });

z
  .object({
    upcoming: z.array(Episode).describe("the next episodes, soonest first"),
    recent: z.array(Episode).describe("those aired in the last two weeks, newest first"),
  })
  .register(schemas, { id: "Episodes" });

const FollowedShow = z
  .object({ notify: z.boolean(), createdAt: date, show: Show })
  .register(schemas, { id: "FollowedShow" });

z
  .object({
    items: z.array(FollowedShow).describe("newest follow first"),
    nextCursor: z.string().nullable().describe("the `cursor` of the next page; null: this is the last page"),
  })
  .register(schemas, { id: "FollowedShowsPage" });

z
  .object({
    id: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    picture: z.string().nullable(),
    createdAt: date,
    tier: z.object({ id: z.string(), name: z.string() }),
  })
  .register(schemas, { id: "Profile" });

const Activity = z
  .object({
    id: z.string(),
    action: z.enum(AuditAction),
    target: z.string().describe("the show's or the plan's id, or `card`"),
    details: z.union([
      z.object({ showTitle: z.string() }),
      z.object({ from: z.string(), to: z.string(), on: z.string().optional().describe("when a scheduled downgrade takes effect") }),
      z.object({ brand: z.string(), last4: z.string() }),
      z.object({ name: z.string().describe("the token's name"), scopes: z.array(z.string()).optional() }),
      z.object({ browser: z.string(), os: z.string() }),
    ]),
    channel: z
      .enum(AuditChannel)
      .nullable()
      .describe("how it came: web (a signed-in browser), browser_app, token (a personal access token), api_client; null: done by Showtrack itself or its administrators (a token revoked for someone who leaves)"),
    via: z.string().nullable().describe("which one: the browser and system of a web session, the token's name, the client's id"),
    sessionId: z.string().nullable().describe("the web session's id, as sessions.list names it"),
    ip: z.string().nullable().describe("the client's address, truncated (IPv4 /24, IPv6 /48)"),
    createdAt: date,
  });

z
  .object({
    profile: z.object({ id: z.string(), email: z.string().nullable(), emailVerified: z.boolean(), name: z.string().nullable(), picture: z.string().nullable(), createdAt: date }),
    plan: z.object({
      tier: z.object({ id: z.string(), name: z.string() }),
      price: z.string().describe("the plan's price in words, e.g. `$9.00 / month`"),
      status: z.enum(["active", "past_due", "canceled"]),
      currentPeriodStart: date,
      currentPeriodEnd: date,
      paymentMethod: z.object({ brand: z.string(), last4: z.string() }).nullable(),
    }),
    follows: z.array(
      z.object({ show: z.object({ id: z.string(), slug: z.string(), title: z.string() }), followedAt: date, reminders: z.boolean() }),
    ),
    invoices: z.array(Invoice.extend({ amount: z.string().describe("`amountCents` in words, e.g. `$9.00`") })).describe("all of them, newest first"),
    activity: z.array(Activity.extend({ description: z.string().describe("the event in words") })).describe("all of it, newest first"),
  })
  .register(schemas, { id: "Export" });

z
  .object({ error: z.object({ code: z.string().describe("the tRPC error code, e.g. UNAUTHORIZED"), message: z.string() }) })
  .register(schemas, { id: "Error" });

const json = (schema: string, description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: `#/components/schemas/${schema}` } } },
});
const jsonArray = (schema: string, description: string) => ({
  description,
  content: { "application/json": { schema: { type: "array", items: { $ref: `#/components/schemas/${schema}` } } } },
});
// The 4xx a route can answer, each where it happens: every route is rate limited (429) and GET
// only (405); a protected one refuses a caller without valid credentials (401), or one lacking a
// permission, calling from another site with the cookie or holding a token of a Free account, or of
// a person not signed in lately (403).
const errors = {
  401: json("Error", "No valid session cookie or bearer token (see the WWW-Authenticate header)"),
  403: json("Error", "The caller lacks a permission this route needs, calls with the cookie from another site, or holds a personal token of an account whose plan includes no API access or whose person has not signed in to Showtrack lately"),
  405: json("Error", "Only GET (and HEAD) is served"),
  429: json("Error", "Over the caller's rate limit (see the Retry-After and RateLimit-* headers)"),
  500: json("Error", "Something went wrong on the server"),
  503: json("Error", "A service the route needs (the database, the issuer's keys) cannot be reached now; try again"),
};
const everyRoute = { 405: errors[405], 429: errors[429], 500: errors[500], 503: errors[503] };
/** A protected GET; one with query parameters says what they are, and that bad ones get a 400. */
const protectedGet = (operationId: string, summary: string, scopes: string[], ok: object, query?: { parameters: object[]; badRequest: string }) => ({
  get: {
    operationId,
    summary,
    security: [{ bearerAuth: scopes }, { personalToken: [] }, { sessionCookie: [] }],
    ...(query ? { parameters: query.parameters } : {}),
    responses: { 200: ok, ...(query ? { 400: json("Error", query.badRequest) } : {}), 401: errors[401], 403: errors[403], ...everyRoute },
  },
});

export function openApiDocument() {
  const { schemas: components } = z.toJSONSchema(schemas, {
    target: "draft-2020-12",
    uri: (id) => `#/components/schemas/${id}`,
  });
  return {
    openapi: "3.1.0",
    info: {
      title: "Showtrack REST API",
      version: "1.0.0",
      description: "Thin REST routes over the tRPC procedures. Send the session cookie, or `Authorization: Bearer <token>` with an access token of the identity provider or a personal access token.",
    },
    // Where the routes are served: this deployment's own origin.
    servers: [{ url: env.APP_BASE_URL, description: "This deployment" }],
    paths: {
      "/api/pricing-tiers": {
        get: {
          operationId: "listPricingTiers",
          summary: "The pricing tiers (public, cacheable)",
          security: [],
          responses: { 200: jsonArray("PricingTier", "The tiers, cheapest first"), ...everyRoute },
        },
      },
      "/api/shows/{slug}/episodes": {
        get: {
          operationId: "getShowEpisodes",
          summary: "A show's coming and recent episodes (public, cacheable)",
          security: [],
          parameters: [{ name: "slug", in: "path", required: true, schema: { type: "string" }, description: "the show's slug, e.g. copper-harbor" }],
          responses: { 200: json("Episodes", "The show's episodes around now"), 400: json("Error", "The slug is not a slug (empty, over 100 characters, not well-formed text)"), 404: json("Error", "No show has that slug"), ...everyRoute },
        },
      },
      "/api/billing-info": protectedGet("getBillingInfo", "The caller's plan, usage and latest invoices", ["read:billing"], json("BillingInfo", "Billing information")),
      "/api/my/shows": protectedGet("listMyShows", "A page of the shows the caller follows, newest follow first", ["read:shows"], json("FollowedShowsPage", "A page of followed shows"), {
        parameters: [
          { name: "cursor", in: "query", required: false, schema: { type: "string" }, description: "the `nextCursor` of the previous page; without it, the first page" },
          {
            name: "limit",
            in: "query",
            required: false,
            schema: { type: "integer", minimum: 1, maximum: FOLLOWS_PAGE.maxLimit, default: FOLLOWS_PAGE.defaultLimit },
            description: "how many follows the page holds at most",
          },
        ],
        badRequest: `The cursor is not one a page gave, or the limit is not a whole number from 1 to ${FOLLOWS_PAGE.maxLimit}`,
      }),
      "/api/me": protectedGet("getMe", "The caller's profile", [], json("Profile", "Profile")),
      "/api/me/export": protectedGet(
        "exportMyData",
        "Everything Showtrack holds about the caller, as a download (Content-Disposition: attachment)",
        ["read:shows", "read:billing"],
        json("Export", "The caller's data: profile, plan, follows, all invoices, all activity"),
      ),
    },
    components: {
      schemas: Object.fromEntries(Object.entries(components).map(([id, schema]) => [id, stripDialect(schema)])),
      securitySchemes: {
        bearerAuth: {
          type: "oauth2",
          description: `Access token for audience ${env.AUTH0_AUDIENCE}`,
          flows: {
            authorizationCode: {
              authorizationUrl: new URL("authorize", issuerUrl()).href,
              tokenUrl: new URL("oauth/token", issuerUrl()).href,
              scopes: Object.fromEntries(API_SCOPES.map((scope) => [scope, scope.replace(":", " ")])),
            },
          },
        },
        personalToken: {
          type: "http",
          scheme: "bearer",
          bearerFormat: `${API_TOKEN_PREFIX}…`,
          description:
            "A personal access token, made on /account → API tokens (Developer and Enterprise plans), carrying the permissions chosen for it there; refused with 403 while the account's plan includes no API access, or once its person has not signed in to Showtrack for the session's longest lifetime (7 days by default).",
        },
        sessionCookie: { type: "apiKey", in: "cookie", name: SESSION_COOKIE.name },
      },
    },
  };
}

// Components live inside the document, whose dialect OpenAPI 3.1 fixes: drop per-schema $schema.
function stripDialect(schema: object) {
  const { $schema: _dialect, ...rest } = schema as { $schema?: string };
  return rest;
}
