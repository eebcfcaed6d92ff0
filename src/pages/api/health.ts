import type { NextApiRequest, NextApiResponse } from "next";
import { db } from "~/server/platform/db";
import { checkHealth } from "~/server/platform/health";

/** For load balancers and uptime checks: 200 when this instance can serve, 503 when not. No rate limit. */
export default async function health(_req: NextApiRequest, res: NextApiResponse) {
  const status = await checkHealth(db);
  res.setHeader("Cache-Control", "no-store");
  res.status(status.ok ? 200 : 503).json(status);
}
