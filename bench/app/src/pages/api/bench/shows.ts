// A0 (and, re-exported at /api/bench/proxied/shows, A): a hand-written route with one prepared SQL
// statement.
import type { NextApiRequest, NextApiResponse } from "next";
import { followedShowsBySql } from "../../../bench/hand-written";

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const shows = await followedShowsBySql(req);
  if (!shows) return res.status(401).json({ error: "Please sign in." });
  res.json(shows);
}
