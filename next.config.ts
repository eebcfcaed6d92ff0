import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The browser test builds into its own folder, so it never disturbs a running `next dev`.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // Back restores where the person was on the page (the catalogue's scroll after its cached pages render).
  experimental: { scrollRestoration: true },
};

export default nextConfig;
