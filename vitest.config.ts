import { execFileSync } from "node:child_process";
import path from "node:path";
import { defineConfig } from "vitest/config";

// The test identity provider's port: free on this machine, picked once per run (the test workers
// inherit it through the environment), so runs side by side and a developer's `npm run dev` never clash.
process.env.TEST_IDP_PORT ||= execFileSync(process.execPath, [
  "-e",
  "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })",
])
  .toString()
  .trim();

// Next does not load .env files when NODE_ENV=test: tests get their whole env from here.
export const TEST_ENV = {
  APP_BASE_URL: "http://localhost:3000",
  // tests/setup/identity-provider.ts serves it.
  AUTH0_DOMAIN: `http://localhost:${process.env.TEST_IDP_PORT}`,
  AUTH0_CLIENT_ID: "showtrack-test",
  AUTH0_CLIENT_SECRET: "showtrack-test-client-secret",
  AUTH0_SECRET: "7e".repeat(32),
  AUTH0_AUDIENCE: "https://api.showtrack.test",
  AUTH0_ALLOW_INSECURE_REQUESTS: "true",
  NEXT_TELEMETRY_DISABLED: "1",
  // Far above what any test sends; the rate-limit tests set their own.
  RATE_LIMIT_READS_PER_MINUTE: "100000",
  RATE_LIMIT_WRITES_PER_MINUTE: "100000",
  RATE_LIMIT_SIGNINS_PER_MINUTE: "100000",
};

export default defineConfig({
  resolve: { alias: { "~": path.resolve(import.meta.dirname, "src") } },
  test: {
    environment: "node",
    include: ["tests/**/*.test.ts", "dev/**/*.test.ts"],
    globalSetup: ["tests/setup/template-database.ts", "tests/setup/identity-provider.ts"],
    setupFiles: ["tests/setup/database-per-file.ts"],
    env: TEST_ENV,
    testTimeout: 20_000,
    hookTimeout: 120_000,
  },
});
