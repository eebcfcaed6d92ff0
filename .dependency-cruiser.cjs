// The import rules of the code base, checked by dependency-cruiser on every import it can see:
// static, dynamic (`import()`), relative or through the `~/` alias, type-only included
// (tests/architecture.test.ts runs it; `npm run lint:deps` too).
//
// src/server is layered, each layer importing only the ones before it:
//   platform (infrastructure) → domain (business rules) → core (trpc.ts, context.ts, errors.ts, routers/…) → faces (SSR, REST, OpenAPI, worker)
// and the browser's code (components, utils, pages but for what Next runs on the server only) keeps
// away from the server's modules, which would otherwise be bundled for the browser.

const PLATFORM = "^src/server/platform/";
const DOMAIN = "^src/server/domain/";
const FACES = "^src/server/faces/";
const CORE = "^src/server/(?!platform/|domain/|faces/)";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "platform-above-itself",
      comment: "Infrastructure knows nothing of the business rules, the API or how it is served.",
      severity: "error",
      from: { path: PLATFORM },
      to: { path: [DOMAIN, CORE, FACES] },
    },
    {
      name: "domain-above-itself",
      comment: "The business rules know nothing of the API or how it is served.",
      severity: "error",
      from: { path: DOMAIN },
      to: { path: [CORE, FACES] },
    },
    {
      name: "core-into-faces",
      comment: "The API does not depend on how it is served.",
      severity: "error",
      from: { path: CORE },
      to: { path: FACES },
    },
    {
      name: "trpc-below-core",
      comment:
        "The domain and the platform throw their own errors (src/server/domain/errors.ts, the platform's classes); the edge (src/server/errors.ts) turns them into tRPC codes.",
      severity: "error",
      from: { path: [PLATFORM, DOMAIN] },
      to: { path: "(^|/)@trpc/" },
    },
    {
      name: "components-into-server",
      comment: "Components run in the browser: what they share with the server lives in src/utils.",
      severity: "error",
      from: { path: "^src/components/" },
      to: { path: "^src/server/" },
    },
    {
      name: "utils-into-server",
      comment: "src/utils is shared with the browser: it may name the API's type (AppRouter), never load a server module.",
      severity: "error",
      from: { path: "^src/utils/" },
      to: { path: "^src/server/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "pages-into-server",
      comment:
        "A page reaches the server through its face for pages (src/server/faces/ssr.ts), which Next keeps out of the browser's bundle with getServerSideProps. API routes and _document run on the server only.",
      severity: "error",
      from: { path: "^src/pages/", pathNot: ["^src/pages/api/", "^src/pages/_document\\.tsx$"] },
      to: { path: "^src/server/", pathNot: "^src/server/faces/ssr\\.ts$", dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/generated/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"], extensions: [".ts", ".tsx", ".mts", ".js", ".mjs", ".cjs", ".json"] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
