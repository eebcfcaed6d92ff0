// The configuration, in slices: each is read from the environment once, and each module takes only
// the slice it needs, so that infrastructure (the database, the logger, the mailer, the rate limits,
// the worker) runs with its own variables alone, without the Auth0 ones the web app needs
// (src/server/platform/env.ts adds those, and validates the whole at the server's boot). An empty
// variable (`REDIS_URL=`) is unset, as if it were not there.
import { z } from "zod";

/** Every variable `source` sets to something: an empty one is unset. */
const setVariables = (source: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ""));

/** `source` read by `schema`; an invalid one stops with each variable's name and what it expects. */
export function readEnv<Schema extends z.ZodType>(schema: Schema, source: Record<string, string | undefined> = process.env): z.infer<Schema> {
  const result = schema.safeParse(setVariables(source));
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join(".")} ${issue.message}`);
  throw new Error(`Invalid environment:\n${problems.join("\n")}\nSee .env.example.`);
}

const nodeEnv = z.enum(["development", "test", "production"]).default("development");

export const databaseShape = {
  NODE_ENV: nodeEnv,
  // Unset on a laptop: the embedded server that `npm run dev` starts (prisma/database-url.ts).
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, "must be a PostgreSQL URL such as postgresql://user:password@host:5432/showtrack")
    .optional(),
  // Connections per app instance (src/server/platform/db.ts; see docs/deploying.md).
  DATABASE_POOL_SIZE: z.coerce.number("must be a number of connections").int().min(1).max(1000).default(10),
};

export const logShape = {
  NODE_ENV: nodeEnv,
  // Unset: info, and nothing at all under test.
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
};

const perMinute = z.coerce.number("must be a number of requests per minute").int().positive("must be a number of requests per minute");

export const rateLimitShape = {
  // Rate limits per caller and minute (src/server/platform/rate-limit.ts); Redis shares them between instances.
  RATE_LIMIT_READS_PER_MINUTE: perMinute.default(300),
  RATE_LIMIT_WRITES_PER_MINUTE: perMinute.default(60),
  RATE_LIMIT_SIGNINS_PER_MINUTE: perMinute.default(20),
  REDIS_URL: z.string().regex(/^rediss?:\/\/\S+$/, "must be a Redis URL such as redis://localhost:6379").optional(),
};

export const mailShape = {
  // Reminder emails (src/server/platform/mail.ts): an SMTP server's URL (npm run dev: the local mail
  // catcher) and the sender. Unset SMTP_URL: reminders stay in the app only.
  SMTP_URL: z.string().regex(/^smtps?:\/\/\S+$/, "must be an SMTP URL such as smtp://localhost:1025 or smtps://user:pass@smtp.example.com").optional(),
  MAIL_FROM: z.string().min(3).default("Showtrack <reminders@showtrack.local>"),
};

export const paymentsShape = {
  NODE_ENV: nodeEnv,
  // Payments (src/server/domain/payment-provider.ts): Stripe with its secret key; PAYMENTS_PROVIDER=test
  // asks for the built-in test provider in production (a laptop's build, the browser tests).
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_\w+$/, "must be a Stripe secret key (sk_live_… or sk_test_…)").optional(),
  PAYMENTS_PROVIDER: z.enum(["stripe", "test"], 'must be "stripe" or "test"').optional(),
};

export const renewalsShape = {
  // Renewals (src/server/domain/renewals.ts): the days after a paid period's end on which a declined
  // renewal is tried again, in order; after the last, the account moves to Free.
  RENEWAL_RETRY_DAYS: z
    .string()
    .regex(/^\d{1,3}(,\d{1,3})*$/, "must be days after the period's end, in order, such as 1,3,5")
    .transform((days) => days.split(",").map(Number))
    .refine((days) => days.every((day, i) => day > (days[i - 1] ?? 0)), "must be days after the period's end, in order, such as 1,3,5")
    .default([1, 3, 5]),
};

export type PaymentsConfig = z.infer<z.ZodObject<typeof paymentsShape>>;

export const databaseConfig = readEnv(z.object(databaseShape));
export const logConfig = readEnv(z.object(logShape));
export const rateLimitConfig = readEnv(z.object(rateLimitShape));
export const mailConfig = readEnv(z.object(mailShape));
export const paymentsConfig: PaymentsConfig = readEnv(z.object(paymentsShape));
export const renewalsConfig = readEnv(z.object(renewalsShape));
