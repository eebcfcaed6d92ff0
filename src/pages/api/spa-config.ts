import type { NextApiRequest, NextApiResponse } from "next";
import { issuerUrl } from "~/server/platform/auth";
import { env } from "~/server/platform/env";

/** Public settings of the browser app (/spa): which tenant, which public client, which API. */
export default function handler(_req: NextApiRequest, res: NextApiResponse) {
  res.setHeader("Cache-Control", "public, max-age=300");
  res.status(200).json({
    domain: issuerUrl().replace(/\/$/, ""),
    clientId: env.AUTH0_SPA_CLIENT_ID,
    audience: env.AUTH0_AUDIENCE,
  });
}
