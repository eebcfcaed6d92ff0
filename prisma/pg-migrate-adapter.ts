// The Prisma CLI's adapter for PostgreSQL (migrate, seed, reset), with shims for two bugs of
// @prisma/adapter-pg 6.19.3 under the WASM ("js") schema engine. The app uses the stock PrismaPg
// (src/server/platform/db.ts); only prisma.config.ts builds this one.
import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { ColumnTypeEnum } from "@prisma/driver-adapter-utils";
import pg from "pg";

type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;
type Queryable = Pick<Adapter, "queryRaw">;
type QueryResult = pg.QueryResult & { fields: { dataTypeID: number }[] };

const CHAR_OID = 18; // "char", e.g. pg_constraint.contype
const NAME_OID = 19; // name, e.g. pg_class.relname
const TEXT_OID = 25;

/** Rows whose columns were "char", by column index (the adapter hands the same rows array on). */
const charColumnsOf = new WeakMap<unknown[], number[]>();

/**
 * 1. adapter-pg cannot map the catalog types "char" and name that the engine's introspection reads
 * ("Column type 'name' could not be deserialized"). They reach the adapter as text, and "char"
 * columns are reported to the engine as Character (as Text, the WASM engine panics).
 */
class CatalogSafeClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // pg's query() has many overloads (promise or callback): every one of them passes here.
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    this.query = ((...args: unknown[]) => {
      const callback = args.at(-1);
      if (typeof callback === "function") {
        args[args.length - 1] = (error: unknown, result: QueryResult) => callback(error, error ? result : asText(result));
      }
      const result = query(...args);
      return result instanceof Promise ? result.then(asText) : result;
    }) as pg.Client["query"];
  }
}

function asText(result: QueryResult | QueryResult[]) {
  for (const part of Array.isArray(result) ? result : [result]) {
    if (!Array.isArray(part?.fields)) continue;
    const charColumns: number[] = [];
    part.fields.forEach((field, index) => {
      if (field.dataTypeID === CHAR_OID) charColumns.push(index);
      if (field.dataTypeID === CHAR_OID || field.dataTypeID === NAME_OID) field.dataTypeID = TEXT_OID;
    });
    if (charColumns.length > 0) charColumnsOf.set(part.rows, charColumns);
  }
  return result;
}

function reportCharColumns<T extends Queryable>(queryable: T): T {
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const index of charColumnsOf.get(result.rows) ?? []) result.columnTypes[index] = ColumnTypeEnum.Character;
    return result;
  };
  return queryable;
}

function catalogSafe(adapter: Adapter): Adapter {
  reportCharColumns(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => reportCharColumns(await startTransaction(isolationLevel));
  return adapter;
}

/** The CLI does not end its pools: a short idle timeout lets each command exit when it is done. */
const poolConfig = (connectionString: string) => ({ connectionString, idleTimeoutMillis: 500, Client: CatalogSafeClient });

export class PrismaPgForMigrate extends PrismaPg {
  readonly #url: string;

  constructor(url: string) {
    super(poolConfig(url));
    this.#url = url;
  }

  override async connect(): Promise<Adapter> {
    return catalogSafe(await super.connect());
  }

  /**
   * 2. `migrate dev` diffs against a throwaway shadow database. The stock factory creates one but then
   * connects to the main database (the connection string wins over `database`), and drops the
   * shadow while its pool is still open. Here: a fresh database, its own pool, dropped after.
   */
  override async connectToShadowDb(): Promise<Adapter> {
    const main = await this.connect();
    const name = `prisma_migrate_shadow_${randomUUID().replaceAll("-", "")}`;
    await main.executeScript(`CREATE DATABASE "${name}"`);
    const shadowUrl = new URL(this.#url);
    shadowUrl.pathname = `/${name}`;
    const shadow = await new PrismaPg(poolConfig(shadowUrl.href)).connect();
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await main.executeScript(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await main.dispose();
    };
    return catalogSafe(shadow);
  }
}
