import { restRoute } from "~/server/faces/rest";

// The same for everyone (the caller's follow flag is left out): shared caches may keep it a while.
export default restRoute("public", async (caller, req) => (await caller.shows.bySlug({ slug: String(req.query.slug ?? "") })).episodes);
