// The local identity providers of the whole run, in this process: the test provider, and one per
// test worker for its browser apps.
//
// The test provider, on the test env's AUTH0_DOMAIN (a free port): the SDK's /auth/login discovers
// it, and the API verifies bearer tokens against its JWKS. Tests mint their own tokens with its key
// (tests/helpers.ts → accessToken), or sign in for real (signIn), and take permissions away, revoke
// grants or end a user's sessions through its /test-admin/ endpoints (dev/identity-provider/provider.ts).
// Its logout tokens go to APP_BASE_URL/auth/backchannel-logout, where no test server listens: a test
// that wants them points its user's at its own server first, PUT
// /test-admin/users/<sub>/backchannel-logout-uri (form uri=…), since the files share this provider.
//
// The browser apps' providers, one per test worker: the browser test files that run the app as
// `npm run dev` and `npm start` do (tests/browser/production.ts → setUpBrowserApp) start it on their
// worker's port, one file after another, each on its own database; the worker's provider is theirs,
// as the local provider is a developer's. A provider knows one app origin (its redirect URIs), so
// two files running side by side need one each.
import path from "node:path";
import type { TestProject } from "vitest/node";
import { createIdentityProvider, type IdentityProviderOptions } from "../../dev/identity-provider/provider";
import { freeLoopbackPort, freeLoopbackPortOutsideTheEphemeralRange } from "../../dev/ports";
import { API_SCOPES } from "../../src/utils/scopes";
import { TEST_ENV } from "../../vitest.config";
import { BROWSER_APP_CLIENT } from "../browser/client";
import { IDP_KEYS_FILE, TMP_DIR } from "./paths";

declare module "vitest" {
  export interface ProvidedContext {
    /** Per test worker (VITEST_POOL_ID - 1): where its browser test files' app listens, and its provider. */
    browserApps: { appPort: number; idpPort: number }[];
  }
}

async function listen(options: IdentityProviderOptions, port: number) {
  const server = await createIdentityProvider(options);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

export default async function startIdentityProviders({ provide, vitest }: TestProject) {
  const browserApps: { appPort: number; idpPort: number }[] = [];
  while (browserApps.length < vitest.config.maxWorkers) {
    // Bound only when one of the worker's browser files starts the app, so out of the range the free
    // ports the tests take meanwhile come from.
    const appPort = await freeLoopbackPortOutsideTheEphemeralRange();
    if (!browserApps.some((taken) => taken.appPort === appPort)) browserApps.push({ appPort, idpPort: await freeLoopbackPort() });
  }
  const closers = await Promise.all([
    listen(
      {
        issuer: `${TEST_ENV.AUTH0_DOMAIN}/`,
        appBaseUrl: TEST_ENV.APP_BASE_URL,
        clientId: TEST_ENV.AUTH0_CLIENT_ID,
        clientSecret: TEST_ENV.AUTH0_CLIENT_SECRET,
        audience: TEST_ENV.AUTH0_AUDIENCE,
        apiScopes: API_SCOPES.join(" "),
        keysFile: IDP_KEYS_FILE,
        testAdmin: true,
      },
      Number(new URL(TEST_ENV.AUTH0_DOMAIN).port),
    ),
    ...browserApps.map(({ appPort, idpPort }, worker) =>
      listen(
        {
          issuer: `http://localhost:${idpPort}/`,
          appBaseUrl: `http://localhost:${appPort}`,
          ...BROWSER_APP_CLIENT,
          apiScopes: API_SCOPES.join(" "),
          keysFile: path.join(TMP_DIR, `browser-identity-provider-keys-${worker}.json`),
          testAdmin: true,
        },
        idpPort,
      ),
    ),
  ]);
  provide("browserApps", browserApps);
  return () => Promise.all(closers.map((close) => close()));
}
