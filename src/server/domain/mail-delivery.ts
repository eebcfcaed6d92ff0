// Sending what the database holds to send (reminders, account emails), each row once. A row is taken
// in a transaction that holds it (FOR UPDATE … SKIP LOCKED: another worker takes others) from before
// its message is handed to the SMTP server until `sentAt` is committed. A worker that dies before the
// commit leaves the row unsent, and another sends it: so the one case of two messages is a worker
// dying in the instant between the server's "250 OK" and the commit. Each message carries a
// Message-ID made from its row's id, which mail systems use to drop such a second copy.
import type { Prisma } from "~/generated/prisma/client";
import type { Db } from "~/server/platform/db";
import { logger } from "~/server/platform/logger";
import { MAIL_CONNECTIONS, type Mail, type Mailer } from "~/server/platform/mail";

type Tx = Prisma.TransactionClient;

export interface Delivery<Row> {
  /**
   * Takes one row due to be sent and holds it (FOR UPDATE … SKIP LOCKED), none of `skip` (ids whose
   * server said "later" in this run); none when there is none.
   */
  claim(tx: Tx, skip: string[]): Promise<Row | undefined>;
  compose(row: Row): Mail;
  /** Records the row sent, or refused for good with the server's words. */
  settle(tx: Tx, row: Row, outcome: { sentAt: Date } | { failedAt: Date; failure: string }): Promise<unknown>;
}

/** The SMTP server said "not now" for one message (a 4xx, the server away): it waits for the next run. */
class TryLater extends Error {
  constructor(
    readonly id: string,
    readonly reason: unknown,
  ) {
    super(`try later: ${id}`);
  }
}

/**
 * Sends up to `batch` rows, a few at once (as many as the mailer's connections), each in its own
 * transaction; how many were sent. A message the server will not take now is left for the next run
 * and the others go on (`onTryLater` hears of it); one it refuses for good is recorded.
 */
export async function deliver<Row extends { id: string }>(
  db: Db,
  mailer: Mailer,
  now: Date,
  delivery: Delivery<Row>,
  batch: number,
  onTryLater: (reason: unknown) => void = (reason) => logger.warn({ err: reason instanceof Error ? reason.message : String(reason) }, "mail server said try later"),
): Promise<number> {
  let sent = 0;
  const later: string[] = [];
  /** Whether there may be more to send. */
  const sendOne = async (): Promise<boolean> => {
    try {
      return await db.$transaction(
        async (tx) => {
          const row = await delivery.claim(tx, later);
          if (row === undefined) return false;
          try {
            await mailer(delivery.compose(row));
          } catch (error) {
            // Refused for good (a 5xx, no recipient taken): recorded. Anything else rolls back: the
            // row is sent on a later run.
            if (!refusedForGood(error)) throw new TryLater(row.id, error);
            await delivery.settle(tx, row, { failedAt: now, failure: String((error as Error).message).slice(0, 500) });
            return true;
          }
          await delivery.settle(tx, row, { sentAt: now });
          sent++;
          return true;
        },
        // Above the mailer's own limits (src/server/platform/mail.ts): the row stays held until its send ends.
        { timeout: 120_000 },
      );
    } catch (error) {
      if (!(error instanceof TryLater)) throw error;
      later.push(error.id);
      onTryLater(error.reason);
      return true;
    }
  };
  const sender = async () => {
    while (sent < batch && (await sendOne()));
  };
  await Promise.all(Array.from({ length: MAIL_CONNECTIONS }, sender));
  return sent;
}

/** An SMTP refusal no retry changes: a permanent (5xx) reply, or no recipient accepted for a reason not said to be passing (4xx). */
function refusedForGood(error: unknown): boolean {
  const { responseCode, code } = error as { responseCode?: number; code?: string };
  if (typeof responseCode === "number") return responseCode >= 500;
  return code === "EENVELOPE";
}
