// The entry of the static build (`npm run build:spa`, scripts/build-spa.ts): the same app as Next's
// /spa page, on a host of its own, calling the API on its origin with bearer tokens.
import "~/styles/globals.css";
import { createRoot } from "react-dom/client";
import { SpaApp, type SpaConfig } from "./SpaApp";

// The build's settings, written in by esbuild's `define`.
declare const SPA_BUILD_CONFIG: Omit<SpaConfig, "path">;

// The folder index.html is served from: the provider redirects back there.
const path = new URL(".", window.location.href).pathname;

createRoot(document.getElementById("root")!).render(
  <main id="content">
    <h1>Showtrack</h1>
    <SpaApp config={{ ...SPA_BUILD_CONFIG, path }} />
  </main>,
);
