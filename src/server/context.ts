import type { IncomingMessage } from "node:http";
import type { SessionData } from "@auth0/nextjs-auth0/types";
import { auth0 } from "~/server/auth0";
import { db as defaultDb, type Db } from "~/server/db";

export interface InnerContextOptions {
  session: SessionData | null;
  db?: Db;
}

/** What procedures see. Tests and SSR helpers build it directly, without an HTTP request. */
export function createInnerContext({ session, db = defaultDb }: InnerContextOptions) {
  return { session, db };
}

export type Context = ReturnType<typeof createInnerContext>;

/** Per HTTP request (API handler, getServerSideProps): reads the Auth0 cookie session once. */
export async function createContext({ req }: { req: IncomingMessage }): Promise<Context> {
  const session = await auth0.getSession(req);
  return createInnerContext({ session });
}
