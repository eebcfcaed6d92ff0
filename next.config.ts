import type { NextConfig } from "next";

const DEFAULT_PAGE_EXTENSIONS = ["tsx", "ts", "jsx", "js"];

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The browser test and the benchmark build into their own folders, so they never disturb a running `next dev`.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // `npm run bench` compares the API with hand-written routes (`*.bench.mts` pages): only its build
  // (SHOWTRACK_BENCH=1) serves them; a normal build does not even compile them.
  pageExtensions: process.env.SHOWTRACK_BENCH === "1" ? [...DEFAULT_PAGE_EXTENSIONS, "bench.mts"] : DEFAULT_PAGE_EXTENSIONS,
};

export default nextConfig;
