// Serves the static browser app (dist/spa, from `npm run build:spa`) on a loopback port, as a static
// host would: `npm run serve:spa` (PORT, default 5173).
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import sirv from "sirv";

const dir = path.resolve(import.meta.dirname, "..", "dist", "spa");
const port = Number(process.env.PORT || 5173);
if (!fs.existsSync(path.join(dir, "index.html"))) {
  console.error("There is no dist/spa yet: run `npm run build:spa` first.");
  process.exit(1);
}
http.createServer(sirv(dir, { single: true })).listen(port, "127.0.0.1", () => console.log(`The browser app (dist/spa) on http://localhost:${port}`));
