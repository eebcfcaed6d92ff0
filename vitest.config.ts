import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";
import BuildFirstSequencer from "./tests/setup/sequencer";

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

/** The test files that use no database (each of the others gets a database of its own). */
const UNIT_TESTS = [
  "tests/architecture.test.ts",
  "tests/browser-transformer.test.ts",
  "tests/client-address.test.ts",
  "tests/env.test.ts",
  "tests/env-file.test.ts",
  "tests/exit-code.test.ts",
  "tests/format.test.ts",
  "tests/jwks.test.ts",
  "dev/identity-provider/identity-provider.test.ts",
];

export default defineConfig({
  resolve: { alias: { "~": path.resolve(import.meta.dirname, "src") } },
  test: {
    environment: "node",
    env: TEST_ENV,
    // Two workers even on two cores: much of a file's time is waiting (on a server starting, a page
    // loading, PostgreSQL), which the other worker's file fills. At most four, since each browser file
    // runs a server and a Chromium of its own.
    maxWorkers: Math.min(4, Math.max(2, os.availableParallelism())),
    sequence: { sequencer: BuildFirstSequencer },
    testTimeout: 20_000,
    hookTimeout: 120_000,
    projects: [
      // Files that use no database and no test identity provider: nothing to set up for them.
      { extends: true, test: { name: "unit", include: UNIT_TESTS } },
      // The others: the template database and the test identity provider once per run, a database per file.
      {
        extends: true,
        test: {
          name: "database",
          include: ["tests/**/*.test.ts", "dev/**/*.test.ts"],
          exclude: UNIT_TESTS,
          globalSetup: ["tests/setup/template-database.ts", "tests/setup/identity-provider.ts"],
          setupFiles: ["tests/setup/database-per-file.ts"],
          // A worker's files share its process, its libraries loaded once; the setup file puts back
          // what one file may change before the next.
          isolate: false,
        },
      },
    ],
  },
});
