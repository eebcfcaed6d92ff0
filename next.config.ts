import bundleAnalyzer from "@next/bundle-analyzer";
import type { NextConfig } from "next";
import { API_SECURITY_HEADERS } from "./src/server/platform/fixed-headers";

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The browser tests build into their own folders, so they never disturb a running `next dev`.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // Their build skips the type check, which `npm run typecheck` (CI runs it) does for the same project.
  typescript: { ignoreBuildErrors: process.env.NEXT_SKIP_TYPECHECK === "1" },
  // Every /api response, those Next answers itself included; the proxy, which sets page headers, does not run there.
  async headers() {
    return [{ source: "/api/:path*", headers: Object.entries(API_SECURITY_HEADERS).map(([key, value]) => ({ key, value })) }];
  },
  // Back restores where the person was on the page (the catalogue's scroll after its cached pages render).
  experimental: { scrollRestoration: true },
};

// `npm run analyze`: what each page's JavaScript is made of (webpack's build, as the analyzer reads
// webpack's stats: the modules are the same as Turbopack's, the chunking differs), in <distDir>/analyze/.
const withBundleAnalyzer = bundleAnalyzer({ enabled: Boolean(process.env.ANALYZE), analyzerMode: process.env.ANALYZE === "json" ? "json" : "static", openAnalyzer: false });

export default withBundleAnalyzer(nextConfig);
