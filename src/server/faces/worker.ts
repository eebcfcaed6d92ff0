import os from "node:os";
import type PgBoss from "pg-boss";
import { sendAccountEmails } from "~/server/domain/account-emails";
import { applyDueDowngrades } from "~/server/domain/entitlements";
import { createPaymentProvider } from "~/server/domain/payment-provider";
import { noPaymentProvider, type PaymentProvider } from "~/server/domain/payments";
import { createDueReminders, sendDueEmails } from "~/server/domain/reminders";
import { renewDueAccounts } from "~/server/domain/renewals";
import { sqlIn, type Db } from "~/server/platform/db";
import { JOB_QUEUES_LOCK } from "~/server/platform/statements";
import { createJobEngine } from "~/server/platform/jobs";
import { createMailer, type Mailer } from "~/server/platform/mail";
import { logger, userHash } from "~/server/platform/logger";
import { purgeExpiredSessions } from "~/server/platform/session-store";

/** What a job works with: the database, the clock, the payment provider and the mailer. */
export interface JobContext {
  db: Db;
  now: () => Date;
  payments: PaymentProvider;
  /** None without SMTP_URL: reminders then stay in the app. */
  mailer: Mailer | null;
}

/** A kind of job: its queue's settings, its schedule (cron, UTC) if it has one, and its handler. */
export interface JobKind {
  queue: Omit<PgBoss.Queue, "name">;
  cron?: string;
  handle: (jobs: PgBoss.Job<object>[], context: JobContext) => Promise<unknown>;
}

/** Logs one account's failure in a job that goes on with the others (it is tried again on the next run). */
const logAccountFailure = (message: string) => (userId: string, error: unknown) =>
  logger.error({ user: userHash(userId), err: error instanceof Error ? error.message : String(error) }, message);

/** The app's jobs, by queue name. */
export const JOBS: Record<string, JobKind> = {
  // A downgrade happens on its date, not when the person next opens a page.
  "billing.due-downgrades": {
    queue: { retryLimit: 3, retryDelay: 30, expireInSeconds: 5 * 60 },
    cron: "* * * * *",
    handle: async (_jobs, { db, now }) => {
      const applied = await applyDueDowngrades(db, now(), logAccountFailure("due downgrade failed"));
      if (applied > 0) logger.info({ applied }, "due downgrades applied");
    },
  },
  // A paid period that has ended is renewed (or retried, or moved to Free) within a minute.
  "billing.renewals": {
    queue: { retryLimit: 3, retryDelay: 30, expireInSeconds: 10 * 60 },
    cron: "* * * * *",
    handle: async (_jobs, { db, now, payments }) => {
      // Without a provider every renewal would look declined: nobody is moved to Free for our configuration.
      if (payments === noPaymentProvider) return logger.warn("renewals wait: this deployment has no payment provider");
      const outcomes = await renewDueAccounts(db, payments, now(), logAccountFailure("renewal failed"));
      if (outcomes.renewed + outcomes.past_due + outcomes.moved_to_free > 0) logger.info(outcomes, "renewals");
    },
  },
  // Receipts, declined renewals and moves to Free, emailed within a minute of the change they tell.
  "mail.account": {
    queue: { retryLimit: 3, retryDelay: 30, expireInSeconds: 10 * 60 },
    cron: "* * * * *",
    handle: async (_jobs, { db, now, mailer }) => {
      if (!mailer) return;
      const emailed = await sendAccountEmails(db, mailer, now(), { batch: 1_000 });
      if (emailed > 0) logger.info({ emailed }, "account emails");
    },
  },
  // Reminders whose time has come, in the app and by email, within a minute of it.
  "reminders.due": {
    queue: { retryLimit: 3, retryDelay: 30, expireInSeconds: 10 * 60 },
    cron: "* * * * *",
    handle: async (_jobs, { db, now, mailer }) => {
      const made = await createDueReminders(db, now());
      // A run sends a few thousand; the next minute's run (on any worker) takes the rest alongside.
      const emailed = mailer ? await sendDueEmails(db, mailer, now(), { batch: 5_000 }) : 0;
      if (made + emailed > 0) logger.info({ made, emailed }, "reminders");
    },
  },
  "sessions.purge": {
    queue: { retryLimit: 3, retryDelay: 60, expireInSeconds: 5 * 60 },
    cron: "*/15 * * * *",
    handle: async (_jobs, { db, now }) => {
      const purged = await purgeExpiredSessions(db, now());
      if (purged > 0) logger.info({ purged }, "expired sessions purged");
    },
  },
};

/** How often a worker says it is alive; /api/health shows the newest heartbeat's age. */
const HEARTBEAT_SECONDS = 10;

export interface WorkerOptions {
  connectionString: string;
  db: Db;
  /** The jobs this worker runs (default: JOBS); tests add their own. */
  jobs?: Record<string, JobKind>;
  now?: () => Date;
  /** Default: this deployment's provider (src/server/domain/payment-provider.ts). */
  payments?: PaymentProvider;
  /** Default: SMTP_URL's (none without it). */
  mailer?: Mailer | null;
  /** pg-boss's own settings (polling and maintenance intervals: tests shorten them). */
  engine?: Omit<PgBoss.ConstructorOptions, "connectionString" | "schema">;
}

/**
 * A job worker: pg-boss on the app's PostgreSQL. Any number may run, on any machines: a job goes to
 * one worker (SKIP LOCKED), a schedule makes one job per occurrence whatever the number of workers
 * (pg-boss's cron is a singleton per minute), and a job whose worker died is retried once it expires.
 * `stop` lets the jobs in flight finish (or releases them after the timeout), then forgets the
 * worker's heartbeat.
 */
export async function startWorker({ connectionString, db, jobs = JOBS, now = () => new Date(), payments = createPaymentProvider(), mailer = createMailer(), engine = {} }: WorkerOptions) {
  const boss = createJobEngine(connectionString, engine);
  boss.on("error", (error) => logger.error({ err: error }, "job engine error"));
  await boss.start();
  // Workers starting together (a deploy) would deadlock creating the same queues' tables: one at a
  // time, under a lock that a transaction of the app's holds while pg-boss does the work.
  await db.$transaction(async (tx) => {
    await sqlIn(tx)(JOB_QUEUES_LOCK, []);
    for (const [name, kind] of Object.entries(jobs)) {
      await boss.createQueue(name, { name, ...kind.queue });
      if (kind.cron) await boss.schedule(name, kind.cron, {}, { tz: "UTC" });
    }
  });
  for (const [name, kind] of Object.entries(jobs)) await boss.work<object>(name, async (batch) => kind.handle(batch, { db, now, payments, mailer }));
  const id = `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const beat = () =>
    db.workerHeartbeat
      .upsert({ where: { id }, create: { id, seenAt: new Date() }, update: { seenAt: new Date() }, select: { id: true } })
      .catch((error: unknown) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, "worker heartbeat failed"));
  await beat();
  const heartbeat = setInterval(() => void beat(), HEARTBEAT_SECONDS * 1000);
  logger.info({ worker: id, queues: Object.keys(jobs) }, "worker ready");
  return {
    id,
    boss,
    async stop({ timeoutSeconds = 30 } = {}) {
      clearInterval(heartbeat);
      await boss.stop({ graceful: true, wait: true, timeout: timeoutSeconds * 1000 });
      await db.workerHeartbeat.deleteMany({ where: { id } });
      logger.info({ worker: id }, "worker stopped");
    },
  };
}

export type Worker = Awaited<ReturnType<typeof startWorker>>;
