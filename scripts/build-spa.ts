// `npm run build:spa`: the browser app (src/components/spa) as static files any static host serves
// (S3, a CDN): index.html, hashed JS and CSS. Its settings are fixed at build time from
//   SPA_API_BASE_URL     the API's URL (default APP_BASE_URL); its CORS_ALLOWED_ORIGINS must list the app's origin
//   SPA_AUTH0_DOMAIN     the tenant (default AUTH0_DOMAIN)
//   SPA_AUTH0_CLIENT_ID  the Single Page Application's client id (default AUTH0_SPA_CLIENT_ID, else showtrack-spa)
//   SPA_AUTH0_AUDIENCE   the API identifier (default AUTH0_AUDIENCE)
//   SPA_OUT_DIR          where to write (default dist/spa; emptied first)
// taken from the shell, else from .env.local.
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { z } from "zod";

const root = path.resolve(import.meta.dirname, "..");
if (fs.existsSync(path.join(root, ".env.local"))) process.loadEnvFile(path.join(root, ".env.local")); // the shell's variables win

const required = (what: string) => z.string(`is required: ${what}`).trim().min(1, `is required: ${what}`);

const schema = z.object({
  SPA_API_BASE_URL: required("the API's URL, e.g. https://api.showtrack.example")
    .pipe(z.url({ protocol: /^https?$/, error: "must be the API's http(s) URL, e.g. https://api.showtrack.example" }))
    .transform((url) => url.replace(/\/+$/, "")),
  SPA_AUTH0_DOMAIN: required("your tenant's domain (example.eu.auth0.com)")
    .regex(/^(https?:\/\/)?[a-z0-9.-]+(:\d+)?\/?$/i, "must be your tenant's domain (example.eu.auth0.com) or http://localhost:4001 for the local provider")
    .transform((domain) => domain.replace(/\/$/, "")),
  SPA_AUTH0_CLIENT_ID: required("the client id of the Single Page Application"),
  SPA_AUTH0_AUDIENCE: required("the API identifier (audience), e.g. https://api.showtrack.example"),
  SPA_OUT_DIR: z.string().trim().min(1).default("dist/spa"),
});

const { env } = process;
const parsed = schema.safeParse({
  SPA_API_BASE_URL: env.SPA_API_BASE_URL ?? env.APP_BASE_URL,
  SPA_AUTH0_DOMAIN: env.SPA_AUTH0_DOMAIN ?? env.AUTH0_DOMAIN,
  SPA_AUTH0_CLIENT_ID: env.SPA_AUTH0_CLIENT_ID ?? env.AUTH0_SPA_CLIENT_ID ?? "showtrack-spa",
  SPA_AUTH0_AUDIENCE: env.SPA_AUTH0_AUDIENCE ?? env.AUTH0_AUDIENCE,
  SPA_OUT_DIR: env.SPA_OUT_DIR,
});
if (!parsed.success) {
  console.error(`[build:spa] Invalid settings:\n${parsed.error.issues.map((issue) => `  ${issue.path.join(".")} ${issue.message}`).join("\n")}`);
  process.exit(1);
}
const settings = parsed.data;

const outDir = path.resolve(root, settings.SPA_OUT_DIR);
if (path.relative(outDir, root) === "" || !path.relative(outDir, root).startsWith("..")) {
  console.error(`[build:spa] SPA_OUT_DIR must not be the project or a folder above it: ${outDir}`);
  process.exit(1);
}
fs.rmSync(outDir, { recursive: true, force: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { app: "src/components/spa/static-main.tsx" },
  bundle: true,
  splitting: true, // auth0-spa-js loads as a chunk of its own, as on /spa
  format: "esm",
  target: "es2022",
  minify: true,
  jsx: "automatic",
  outdir: outDir,
  entryNames: "[name]-[hash]",
  chunkNames: "chunks/[name]-[hash]",
  metafile: true,
  legalComments: "linked",
  logLevel: "warning",
  define: {
    "process.env.NODE_ENV": JSON.stringify("production"),
    SPA_BUILD_CONFIG: JSON.stringify({
      apiBaseUrl: settings.SPA_API_BASE_URL,
      domain: settings.SPA_AUTH0_DOMAIN,
      clientId: settings.SPA_AUTH0_CLIENT_ID,
      audience: settings.SPA_AUTH0_AUDIENCE,
    }),
  },
});

const [entryFile, entry] = Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint)!;
const href = (file: string) => `./${path.relative(outDir, path.resolve(root, file)).split(path.sep).join("/")}`;
// The app's icon beside it: a static host answers the browser's icon request from the folder.
fs.copyFileSync(path.join(root, "public", "favicon.svg"), path.join(outDir, "favicon.svg"));
// Relative URLs: the folder can be served under any path.
fs.writeFileSync(
  path.join(outDir, "index.html"),
  `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Showtrack · browser app</title>
    <link rel="icon" href="favicon.svg" type="image/svg+xml">
    ${entry.cssBundle ? `<link rel="stylesheet" href="${href(entry.cssBundle)}">` : ""}
    <script type="module" src="${href(entryFile)}"></script>
  </head>
  <body>
    <div id="root"></div>
  </body>
</html>
`,
);

const files = Object.entries(result.metafile.outputs).map(([file, output]) => `  ${href(file).slice(2).padEnd(40)} ${(output.bytes / 1024).toFixed(1)} kB`);
console.log(`[build:spa] ${path.relative(root, outDir) || outDir}: index.html (API ${settings.SPA_API_BASE_URL}, issuer ${settings.SPA_AUTH0_DOMAIN})\n${files.join("\n")}`);
