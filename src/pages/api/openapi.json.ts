import type { NextApiRequest, NextApiResponse } from "next";
import { openApiDocument } from "~/server/faces/openapi";
import { beginApiRequest } from "~/server/platform/api-request";

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  if (beginApiRequest(req, res, { methods: "GET" }) === null) return;
  res.setHeader("Cache-Control", "public, max-age=300");
  res.status(200).json(openApiDocument());
}
