import { restRoute } from "~/server/faces/rest";

/** A query parameter as given once; given twice it is neither, and the procedure's input check refuses it with a 400. */
const once = (value: string | string[] | undefined) => (Array.isArray(value) ? "" : value);

export default restRoute("private", (caller, req) => {
  const limit = once(req.query.limit);
  return caller.subscriptions.list({ cursor: once(req.query.cursor), limit: limit === undefined ? undefined : Number(limit) });
});
