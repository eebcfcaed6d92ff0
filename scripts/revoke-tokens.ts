// `npm run tokens:revoke -- <sub>`: revokes every personal access token of one person at once (someone
// who leaves), by their identity provider id; each is recorded in their activity as a revocation, as
// /account records one, with who ran it (scripts/operator.ts). Run it with the app's environment, as
// a job worker runs (docs/security.md).
// Says what it did in one line; a cause it can name (no such person, no database) is one line too,
// with a non-zero exit, never a stack trace.
import process from "node:process";
import { messageOf } from "./messages";
import { operatorName } from "./operator";

const USAGE = "Usage: npm run tokens:revoke -- <sub>  (the person's identity provider id, such as auth0|64f0c2…)";

const args = process.argv.slice(2);
const sub = args[0]?.trim();

function fail(message: string, code = 1): never {
  console.error(`[tokens:revoke] ${message}`);
  process.exit(code);
}

if (args.length !== 1 || !sub) fail(USAGE, 2);

const by = `tokens:revoke by ${operatorName()}`;

if (!process.env.DATABASE_URL) fail("DATABASE_URL is not set: run this with the app's environment, naming the database whose tokens to revoke.");

// Loaded once the arguments are known good: the app's modules read (and check) the environment as they load.
const loaded = await Promise.all([import("../src/server/platform/db"), import("../src/server/domain/api-tokens")]).catch((error: unknown) => fail(messageOf(error)));
const [{ db }, { revokeAllTokens }] = loaded;

try {
  const revoked = await revokeAllTokens(db, sub, by);
  if (revoked === null) {
    console.error(`[tokens:revoke] No one with the sub ${JSON.stringify(sub)} has used Showtrack: nothing was revoked.`);
    process.exitCode = 1;
  } else if (revoked.length === 0) {
    console.log(`[tokens:revoke] ${sub} has no tokens: nothing to revoke.`);
  } else {
    console.log(`[tokens:revoke] Revoked ${revoked.length} token${revoked.length === 1 ? "" : "s"} of ${sub}: ${revoked.map((name) => JSON.stringify(name)).join(", ")}.`);
  }
} catch (error) {
  // The database out of reach or not the app's: Prisma's message ends with the cause, after the code that ran into it.
  console.error(`[tokens:revoke] Nothing was revoked: ${messageOf(error).trim().split("\n").at(-1)}`);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
