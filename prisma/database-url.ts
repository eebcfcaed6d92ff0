/**
 * The laptop default is the embedded PostgreSQL server (dev/postgres.ts) that `npm run dev` and the
 * `db:*` scripts start on demand. Setting DATABASE_URL (any PostgreSQL) turns it off.
 */
export const EMBEDDED_POSTGRES = {
  port: Number(process.env.EMBEDDED_POSTGRES_PORT || 54329),
  user: "postgres",
  password: "postgres",
  database: "showtrack",
};

export function embeddedDatabaseUrl({ database = EMBEDDED_POSTGRES.database, port = EMBEDDED_POSTGRES.port } = {}): string {
  const { user, password } = EMBEDDED_POSTGRES;
  return `postgresql://${user}:${password}@localhost:${port}/${database}`;
}

export function databaseUrl(): string {
  return process.env.DATABASE_URL || embeddedDatabaseUrl();
}
