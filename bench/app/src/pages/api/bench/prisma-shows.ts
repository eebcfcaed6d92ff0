// B: a hand-written route with an ordinary Prisma findMany.
import type { NextApiRequest, NextApiResponse } from "next";
import { followedShowsByPrisma } from "../../../bench/hand-written";

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const shows = await followedShowsByPrisma(req);
  if (!shows) return res.status(401).json({ error: "Please sign in." });
  res.json(shows);
}
