import type { NextApiRequest, NextApiResponse } from "next";
import { unsubscribe, verifyUnsubscribeToken } from "~/server/domain/reminders";
import { beginApiRequest } from "~/server/platform/api-request";
import { db } from "~/server/platform/db";

// The unsubscribe link of a reminder email: no sign-in, the token's signature is the proof. A mail
// program's one-click unsubscribe (RFC 8058) POSTs to it, and so does the button of the page a person
// opening the link GETs: a GET changes nothing, since mail scanners open every link they deliver.
export const config = { api: { bodyParser: { sizeLimit: "1kb" } } };

const page = (heading: string, body: string) =>
  `<!doctype html><html lang="en"><meta charset="utf-8"><title>Reminders · Showtrack</title><main><h1>${heading}</h1>${body}<p><a href="/">Showtrack</a></p></main></html>`;

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (beginApiRequest(req, res, { methods: "GET, POST", logged: () => ({ route: "/api/unsubscribe", method: req.method }) }) === null) return;
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  if (req.method !== "GET" && req.method !== "POST") {
    res.setHeader("Allow", "GET, POST");
    res.status(405).send(page("This link does not work", "<p>Open the link from the email.</p>"));
    return;
  }
  const token = typeof req.query.token === "string" ? req.query.token : "";
  const target = verifyUnsubscribeToken(token);
  if (!target) {
    res.status(400).send(page("This link does not work", "<p>The link is not one Showtrack sent, or it was changed on the way. Turn reminders off on your account page instead.</p>"));
    return;
  }
  if (req.method === "GET") {
    const action = `/api/unsubscribe?token=${encodeURIComponent(token)}`;
    res.status(200).send(page("Stop these reminders?", `<form method="post" action="${action}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit" id="unsubscribe">Stop reminders for this show</button></form>`));
    return;
  }
  await unsubscribe(db, target);
  res.status(200).send(page("Reminders off", "<p>You will get no more reminders for this show. Turn them back on from your account page, any time.</p>"));
}
