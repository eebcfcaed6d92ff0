// What a Pages Router page weighs before Showtrack's own code: `npm run bench:size-floor` builds
// three minimal apps on the project's installed Next and React (in .size-floor/, gitignored, inside
// the project so that they resolve its node_modules), each adding one layer every Showtrack page
// has, and prints the first-load JavaScript of their page by the size test's count
// (tests/browser/first-load.ts), next to what each layer adds and what a ceiling leaves the app.
// SIZE_FLOOR_CEILING (bytes, default 120000) is that ceiling. Run by node itself (not the tsx launcher,
// which kills its child at Ctrl-C), so that an interrupted run still removes its apps.
import { spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import path from "node:path";
import { firstLoadJavaScriptBytes } from "../tests/browser/first-load";

const CEILING = Number(process.env.SIZE_FLOOR_CEILING) || 120_000;
const root = path.resolve(import.meta.dirname, "..");
const work = path.join(root, ".size-floor");

const PAGE = `export default function Home() {
  return <p>Never miss an episode.</p>;
}
`;

// The header's client-side navigation (links, the router's current path, the title) and the error
// boundary around the page: what every page's shell has besides its data.
const NAVIGATION_APP = `import Head from "next/head";
import Link from "next/link";
import { useRouter } from "next/router";
import { ErrorBoundary } from "react-error-boundary";

const NAV = ["/shows", "/pricing", "/account", "/profile"];

export default function App({ Component, pageProps }) {
  const router = useRouter();
  return (
    <>
      <Head>
        <title>Showtrack</title>
      </Head>
      <nav>
        {NAV.map((href) => (
          <Link key={href} href={href} prefetch={false} aria-current={router.pathname === href ? "page" : undefined}>
            {href}
          </Link>
        ))}
      </nav>
      <ErrorBoundary fallback={<p>Something went wrong</p>} resetKeys={[router.asPath]}>
        <Component {...pageProps} />
      </ErrorBoundary>
    </>
  );
}
`;

// The data layer as the app's shell holds it: React Query's client, provider and hydration of the
// server's prefetched state, and tRPC's React client over the batch link; the page reads one query.
const DATA_APP = NAVIGATION_APP.replace(
  `import { ErrorBoundary } from "react-error-boundary";`,
  `import { ErrorBoundary } from "react-error-boundary";
import { HydrationBoundary, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { httpBatchLink } from "@trpc/client";
import { createTRPCReact } from "@trpc/react-query";
import { useState } from "react";

export const trpc = createTRPCReact();`,
)
  .replace(
    `  const router = useRouter();`,
    `  const router = useRouter();
  const [queryClient] = useState(() => new QueryClient());
  const [trpcClient] = useState(() => trpc.createClient({ links: [httpBatchLink({ url: "/api/trpc" })] }));`,
  )
  .replace(
    `  return (
    <>`,
    `  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <HydrationBoundary state={pageProps.trpcState}>`,
  )
  .replace(
    `    </>
  );`,
    `        </HydrationBoundary>
      </QueryClientProvider>
    </trpc.Provider>
  );`,
  );

const DATA_PAGE = `import { trpc } from "./_app";

export default function Home() {
  const shows = trpc.shows.list.useQuery({ limit: 6 });
  return <p>{shows.data ? "Never miss an episode." : "…"}</p>;
}
`;

const CASES = [
  { name: "the framework: one page, a paragraph", files: { "pages/index.jsx": PAGE } },
  { name: "+ client navigation (next/link, the router, next/head) and an error boundary", files: { "pages/_app.jsx": NAVIGATION_APP, "pages/index.jsx": PAGE } },
  { name: "+ the data layer (React Query with hydration, tRPC's React client)", files: { "pages/_app.jsx": DATA_APP, "pages/index.jsx": DATA_PAGE } },
];

/** Builds one app; a failed build is one line, with the end of what Next printed. */
async function build(directory: string): Promise<void> {
  const child = spawn(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build", directory], {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const [status, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
  if (status === 0) return;
  fail(interrupted || signal ? "interrupted: nothing measured" : `next build ${path.relative(root, directory)} failed: ${output.trim().split("\n").at(-1) ?? ""}`);
}

function fail(message: string): never {
  fs.rmSync(work, { recursive: true, force: true });
  console.error(`[size-floor] ${message}`);
  process.exit(1);
}

// Ctrl-C stops the build too (one process group): the build's end then removes the apps.
let interrupted = false;
process.once("SIGINT", () => (interrupted = true));

fs.rmSync(work, { recursive: true, force: true });
const rows: { name: string; bytes: number }[] = [];
for (const [index, { name, files }] of CASES.entries()) {
  const directory = path.join(work, String(index));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(directory, file)), { recursive: true });
    fs.writeFileSync(path.join(directory, file), text);
  }
  await build(directory);
  const bytes = firstLoadJavaScriptBytes(path.join(directory, ".next"), "/");
  if (bytes === undefined) fail(`the build of "${name}" has no page /`);
  rows.push({ name, bytes });
}
fs.rmSync(work, { recursive: true, force: true });

const kB = (bytes: number) => (bytes / 1000).toFixed(1);
console.log(`\nFirst-load JavaScript of the page (gzip, the size test's count); ceiling ${kB(CEILING)} kB\n`);
console.log("| app | kB | the layer adds | left under the ceiling |");
console.log("| --- | --- | --- | --- |");
rows.forEach(({ name, bytes }, index) => {
  const added = index === 0 ? "" : `+${kB(bytes - rows[index - 1]!.bytes)}`;
  console.log(`| ${name} | ${kB(bytes)} | ${added} | ${kB(CEILING - bytes)} |`);
});
