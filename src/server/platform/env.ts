import { z } from "zod";
import { databaseShape, logShape, mailShape, paymentsShape, rateLimitShape, renewalsShape, readEnv } from "~/server/platform/config";
import { originList } from "~/utils/origins";
import { API_SCOPES } from "~/utils/scopes";

// Every variable the web app reads, validated once at boot: the infrastructure's slices
// (src/server/platform/config.ts) and the sign-in's. A missing or malformed one stops the app with
// its name and what is expected (see .env.example); an empty one is unset.
const flag = z
  .enum(["true", "false", "1", "0"])
  .optional()
  .transform((value) => value === "true" || value === "1");

const seconds = z.coerce.number("must be a number of seconds").int().positive("must be a number of seconds");

const notRead = z.string().max(0, "must not be set: the session cookie's attributes are fixed by the app (src/server/platform/auth0.ts)").optional();

const AUDIENCE_REQUIRED = "is required: the API identifier (audience), e.g. https://api.showtrack.example";

function isLocalProvider(domain: string): boolean {
  return /^http:\/\/localhost(:\d+)?\/?$/.test(domain);
}

const envSchema = z
  .object({
    ...databaseShape,
    ...logShape,
    ...rateLimitShape,
    ...mailShape,
    ...paymentsShape,
    ...renewalsShape,
    APP_BASE_URL: z.url("must be the app's absolute URL, e.g. http://localhost:3000"),
    AUTH0_DOMAIN: z
      .string("is required")
      .regex(
        /^(https?:\/\/)?[a-z0-9.-]+(:\d+)?\/?$/i,
        "must be your tenant's domain (example.eu.auth0.com) or http://localhost:4001 for the local provider",
      ),
    AUTH0_CLIENT_ID: z.string("is required").min(1, "is required"),
    AUTH0_CLIENT_SECRET: z.string("is required").min(1, "is required"),
    AUTH0_SECRET: z
      .string("is required")
      .regex(/^(?:[0-9a-f]{2}){32,}$/i, "must be at least 32 bytes of hex (openssl rand -hex 32)"),
    // Without it no access token is for this API: refused at boot, not at every request.
    AUTH0_AUDIENCE: z.string(AUDIENCE_REQUIRED).min(1, AUDIENCE_REQUIRED),
    // The browser-only page /spa signs in with its own public client (no secret).
    AUTH0_SPA_CLIENT_ID: z.string().min(1).default("showtrack-spa"),
    AUTH0_API_SCOPES: z
      .string()
      .regex(/^[\w:.\- ]*$/, "must be space-separated scopes, e.g. read:shows write:shows")
      .default(API_SCOPES.join(" ")),
    // Where sessions live: "db" (a row per session in PostgreSQL, the cookie holds only its id: the
    // sessions can be listed and ended) or "cookie" (the whole session encrypted in the cookie).
    AUTH0_SESSION_STORE: z.enum(["db", "cookie"], 'must be "db" or "cookie"').default("db"),
    // Machine-to-machine clients whose access tokens may call the API besides the app's own two
    // (AUTH0_CLIENT_ID, AUTH0_SPA_CLIENT_ID): comma-separated client ids. Empty: none.
    AUTH0_M2M_CLIENT_IDS: z
      .string()
      .regex(/^[\w.|-]*(,[\w.|-]+)*$/, "must be comma-separated client ids")
      .optional()
      .transform((value) => (value ? value.split(",") : [])),
    AUTH0_SESSION_INACTIVITY_DURATION: seconds.default(86_400),
    AUTH0_SESSION_ABSOLUTE_DURATION: seconds.default(604_800),
    // Lets the SDK talk to an http:// issuer (the local provider). Never in production.
    AUTH0_ALLOW_INSECURE_REQUESTS: flag,
    // How many proxies in front (load balancer, CDN) append to X-Forwarded-For: the client IP is the
    // address the outermost of them saw. 0: no proxy is trusted (src/server/platform/request.ts).
    // Unset outside production only (see the refine below).
    TRUST_PROXY: z.coerce.number("must be the number of trusted proxies in front, e.g. 1").int().min(0).max(10).optional(),
    // Origins of browser apps on other hosts (the static build, `npm run build:spa`) that may call the
    // API with bearer tokens (src/server/platform/cors.ts). Empty: no cross-origin caller.
    CORS_ALLOWED_ORIGINS: originList,
    // The SDK reads these for its cookies' attributes where the app does not pin them; the app pins
    // them (src/server/platform/auth0.ts), and a Domain would share the session with sibling hosts.
    AUTH0_COOKIE_DOMAIN: notRead,
    AUTH0_COOKIE_PATH: notRead,
    AUTH0_COOKIE_SAME_SITE: notRead,
    AUTH0_COOKIE_SECURE: notRead,
    AUTH0_COOKIE_TRANSIENT: notRead,
  })
  // A production build may run against the local provider (the browser tests do), never a real
  // tenant with insecure requests allowed.
  .refine(
    (env) => !(env.NODE_ENV === "production" && env.AUTH0_ALLOW_INSECURE_REQUESTS && !isLocalProvider(env.AUTH0_DOMAIN)),
    {
      path: ["AUTH0_ALLOW_INSECURE_REQUESTS"],
      message: "must not be set when NODE_ENV=production, except with AUTH0_DOMAIN=http://localhost:<port>",
    },
  )
  // Sign-in budgets are kept per client address, which only trusted proxies can tell: without them one
  // client could spend every sign-in of the instance. The local provider's production build (a laptop,
  // the browser tests) has no proxy in front.
  .refine((env) => !(env.NODE_ENV === "production" && !env.TRUST_PROXY && !isLocalProvider(env.AUTH0_DOMAIN)), {
    path: ["TRUST_PROXY"],
    message:
      "is required when NODE_ENV=production, at least 1: the number of proxies in front that append to X-Forwarded-For (1 behind one load balancer). Sign-in limits are kept per client address, which only they can tell",
  })
  .refine((env) => !(env.PAYMENTS_PROVIDER === "stripe" && !env.STRIPE_SECRET_KEY), {
    path: ["STRIPE_SECRET_KEY"],
    message: "is required with PAYMENTS_PROVIDER=stripe",
  })
  // Test cards are for laptops and the browser tests: never beside a real key, never in a real deployment.
  .refine((env) => !(env.PAYMENTS_PROVIDER === "test" && env.STRIPE_SECRET_KEY), {
    path: ["PAYMENTS_PROVIDER"],
    message: "=test cannot go with STRIPE_SECRET_KEY: say which provider serves",
  })
  .refine((env) => !(env.PAYMENTS_PROVIDER === "test" && env.NODE_ENV === "production" && !isLocalProvider(env.AUTH0_DOMAIN)), {
    path: ["PAYMENTS_PROVIDER"],
    message: "=test is refused when NODE_ENV=production with a real tenant: test cards would buy plans",
  })
  // The embedded database is a laptop's: a deployment names its PostgreSQL server.
  .refine((env) => !(env.NODE_ENV === "production" && !env.DATABASE_URL && !isLocalProvider(env.AUTH0_DOMAIN)), {
    path: ["DATABASE_URL"],
    message: "is required when NODE_ENV=production (postgresql://user:password@host:5432/showtrack)",
  });

export type Env = z.infer<typeof envSchema>;

export const parseEnv = (source: Record<string, string | undefined>): Env => readEnv(envSchema, source);

export const env = parseEnv(process.env);


