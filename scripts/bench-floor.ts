// Case D of `npm run bench`: the floor. A bare node:http server that decrypts the session cookie with
// a key derived once (as the Auth0 SDK derives it: HKDF-SHA256, info "JWE CEK") and runs the
// hand-written statement through a `pg` pool. BENCH_FLOOR_PORT, DATABASE_URL and AUTH0_SECRET from the env.
import { hkdfSync } from "node:crypto";
import http from "node:http";
import { jwtDecrypt } from "jose";
import pg from "pg";
import { FOLLOWED_SHOWS_SQL, toFollowedShow, type FollowedShowRow } from "../src/bench/hand-written-sql";

const key = new Uint8Array(hkdfSync("sha256", process.env.AUTH0_SECRET!, "", "JWE CEK", 32));
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

const sessionCookie = (header = "") => /(?:^|;\s*)__session=([^;]+)/.exec(header)?.[1];

http
  .createServer(async (req, res) => {
    try {
      const cookie = sessionCookie(req.headers.cookie);
      const { payload } = cookie ? await jwtDecrypt<{ user: { sub: string } }>(cookie, key, { clockTolerance: 15 }) : { payload: null };
      if (!payload) {
        res.writeHead(401).end();
        return;
      }
      const { rows } = await pool.query<FollowedShowRow>({ name: "bench_followed_shows", text: FOLLOWED_SHOWS_SQL, values: [payload.user.sub] });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(rows.map(toFollowedShow)));
    } catch {
      res.writeHead(401).end();
    }
  })
  .listen(Number(process.env.BENCH_FLOOR_PORT), "127.0.0.1", () => console.log("ready"));
