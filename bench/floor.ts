// Case D of `npm run bench`: the floor. A bare node:http server that decrypts the session cookie with
// a key derived once (as the Auth0 SDK derives it: HKDF-SHA256, info "JWE CEK"), with the database
// store reads the session's row (by the SHA-256 of the cookie's id) and decrypts it as the app's store
// does, and runs the app's followed-shows statement through a `pg` pool. BENCH_FLOOR_PORT, DATABASE_URL,
// AUTH0_SECRET and AUTH0_SESSION_STORE from the env.
import { createHash, hkdfSync } from "node:crypto";
import http from "node:http";
import { jwtDecrypt } from "jose";
import pg from "pg";
import { followedShowsReader } from "./app/src/bench/followed-shows-by-sql";

const key = new Uint8Array(hkdfSync("sha256", process.env.AUTH0_SECRET!, "", "JWE CEK", 32));
const storeKey = new Uint8Array(hkdfSync("sha256", process.env.AUTH0_SECRET!, "", "Showtrack session store", 32));
const stateful = process.env.AUTH0_SESSION_STORE !== "cookie";
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const readFollowedShows = followedShowsReader(pool);

const sessionCookie = (header = "") => /(?:^|;\s*)__session=([^;]+)/.exec(header)?.[1];

type Session = { user: { sub: string } };

async function sessionOf(cookie: string): Promise<Session | null> {
  if (!stateful) return (await jwtDecrypt<Session>(cookie, key, { clockTolerance: 15 })).payload;
  const { payload } = await jwtDecrypt<{ id: string }>(cookie, key, { clockTolerance: 15 });
  const id = createHash("sha256").update(payload.id).digest("base64url");
  const { rows } = await pool.query<{ data: string }>({ name: "bench_session", text: `SELECT "data" FROM "Session" WHERE "id" = $1 AND "expiresAt" > $2`, values: [id, new Date()] });
  return rows[0] ? (await jwtDecrypt<Session>(rows[0].data, storeKey)).payload : null;
}

http
  .createServer(async (req, res) => {
    try {
      const cookie = sessionCookie(req.headers.cookie);
      const payload = cookie ? await sessionOf(cookie) : null;
      if (!payload) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(await readFollowedShows(payload.user.sub)));
    } catch {
      res.writeHead(401).end();
    }
  })
  .listen(Number(process.env.BENCH_FLOOR_PORT), "127.0.0.1", () => console.log("ready"));
