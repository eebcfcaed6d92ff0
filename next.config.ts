import type { NextConfig } from "next";
import { API_SECURITY_HEADERS } from "./src/server/platform/fixed-headers";

const DEFAULT_PAGE_EXTENSIONS = ["tsx", "ts", "jsx", "js"];

const bench = process.env.SHOWTRACK_BENCH === "1";

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The browser test and the benchmark build into their own folders, so they never disturb a running `next dev`.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // `npm run bench` compares the API with hand-written routes (`*.bench.mts` pages): only its build
  // (SHOWTRACK_BENCH=1) serves them; a normal build does not even compile them.
  pageExtensions: bench ? [...DEFAULT_PAGE_EXTENSIONS, "bench.mts"] : DEFAULT_PAGE_EXTENSIONS,
  // Next strips getServerSideProps from the browser bundle of .ts/.tsx pages only: the bench page's
  // server code is replaced by an empty module there.
  ...(bench && { turbopack: { resolveAlias: { "~/bench/hand-written": { browser: "./src/bench/browser-stub.ts" } } } }),
  // Every /api response, those Next answers itself included; the proxy, which sets page headers, does not run there.
  async headers() {
    return [{ source: "/api/:path*", headers: Object.entries(API_SECURITY_HEADERS).map(([key, value]) => ({ key, value })) }];
  },
  // Back restores where the person was on the page (the catalogue's scroll after its cached pages render).
  experimental: { scrollRestoration: true },
};

export default nextConfig;
