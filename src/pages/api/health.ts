import type { NextApiRequest, NextApiResponse } from "next";
import { beginApiRequest } from "~/server/platform/api-request";
import { db } from "~/server/platform/db";
import { checkHealth } from "~/server/platform/health";

/**
 * For load balancers and uptime checks: 200 when this instance can serve, 503 when not; and how the
 * job workers are doing (`jobs`: the newest heartbeat's age, the oldest due job's wait), which does not
 * decide the status. No rate limit, no access log.
 */
export default async function health(req: NextApiRequest, res: NextApiResponse) {
  if (beginApiRequest(req, res, { methods: "GET" }) === null) return;
  const status = await checkHealth(db, { jobs: true });
  res.setHeader("Cache-Control", "no-store");
  res.status(status.ok ? 200 : 503).json(status);
}
