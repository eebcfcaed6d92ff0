import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "~/generated/prisma/client";
import { databaseUrl } from "../../prisma/database-url";

type DriverAdapter = Awaited<ReturnType<PrismaBetterSQLite3["connect"]>>;
type Transaction = Awaited<ReturnType<DriverAdapter["startTransaction"]>>;

/** A FIFO lock: `acquire` resolves, in call order, with the function that releases it. */
class Lock {
  #tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => held);
    return previous.then(() => release);
  }
}

/**
 * better-sqlite3 is one connection. The stock adapter serialises transactions against each other
 * but not against plain queries, so a query from another request issued while an interactive
 * transaction awaits runs *inside* that transaction, and is lost if it rolls back. Here every
 * statement outside a transaction waits for the open transaction to end.
 */
export class PrismaBetterSQLite3Serialized extends PrismaBetterSQLite3 {
  override async connect(): Promise<DriverAdapter> {
    const adapter = await super.connect();
    const lock = new Lock();
    const exclusive =
      <A extends unknown[], R>(run: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        const release = await lock.acquire();
        try {
          return await run(...args);
        } finally {
          release();
        }
      };
    adapter.queryRaw = exclusive(adapter.queryRaw.bind(adapter));
    adapter.executeRaw = exclusive(adapter.executeRaw.bind(adapter));
    adapter.executeScript = exclusive(adapter.executeScript.bind(adapter));

    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel): Promise<Transaction> => {
      const release = await lock.acquire();
      try {
        const transaction = await startTransaction(isolationLevel);
        const commit = transaction.commit.bind(transaction);
        const rollback = transaction.rollback.bind(transaction);
        transaction.commit = () => commit().finally(release);
        transaction.rollback = () => rollback().finally(release);
        return transaction;
      } catch (error) {
        release();
        throw error;
      }
    };
    return adapter;
  }
}

export function createPrismaClient(url: string = databaseUrl()): PrismaClient {
  return new PrismaClient({ adapter: new PrismaBetterSQLite3Serialized({ url }) });
}

// One client per process; `next dev` re-evaluates modules on every change.
const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };
export const db = globalForPrisma.prisma ?? createPrismaClient();
if (process.env.NODE_ENV !== "production") globalForPrisma.prisma = db;

export type Db = PrismaClient;
