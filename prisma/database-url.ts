import path from "node:path";

/** The default database: the embedded SQLite file prisma/dev.db, resolved from the project root. */
export const DEFAULT_DATABASE_URL = `file:${path.join(process.cwd(), "prisma", "dev.db")}`;

export function databaseUrl(): string {
  return process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
}
