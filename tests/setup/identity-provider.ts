// Two local identity providers for the whole run, in this process.
//
// The test provider, on the test env's AUTH0_DOMAIN (a free port): the SDK's /auth/login discovers
// it, and the API verifies bearer tokens against its JWKS. Tests mint their own tokens with its key
// (tests/helpers.ts → accessToken), or sign in for real (signIn), and take permissions away, revoke
// grants or end a user's sessions through its /test-admin/ endpoints (dev/identity-provider/provider.ts).
// Its logout tokens go to APP_BASE_URL/auth/backchannel-logout, where no test server listens: a test
// that wants them points its user's at its own server first, PUT
// /test-admin/users/<sub>/backchannel-logout-uri (form uri=…), since the files share this provider.
//
// The browser apps' provider: the browser test files that run the app as `npm run dev` and `npm start`
// do (tests/browser/production.ts → setUpBrowserApp) start it on one port of this run, one file after
// another, each on its own database; this provider is theirs, as the local provider is a developer's.
import path from "node:path";
import type { TestProject } from "vitest/node";
import { createIdentityProvider, type IdentityProviderOptions } from "../../dev/identity-provider/provider";
import { freeLoopbackPort } from "../../dev/ports";
import { API_SCOPES } from "../../src/utils/scopes";
import { TEST_ENV } from "../../vitest.config";
import { BROWSER_APP_CLIENT } from "../browser/client";
import { IDP_KEYS_FILE, TMP_DIR } from "./paths";

declare module "vitest" {
  export interface ProvidedContext {
    /** Where the browser test files' app listens (one file at a time), and its provider. */
    browserApp: { appPort: number; idpPort: number };
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

export default async function startIdentityProviders({ provide }: TestProject) {
  const [appPort, idpPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
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
    listen(
      {
        issuer: `http://localhost:${idpPort}/`,
        appBaseUrl: `http://localhost:${appPort}`,
        ...BROWSER_APP_CLIENT,
        apiScopes: API_SCOPES.join(" "),
        keysFile: path.join(TMP_DIR, "browser-identity-provider-keys.json"),
        testAdmin: true,
      },
      idpPort,
    ),
  ]);
  provide("browserApp", { appPort, idpPort });
  return () => Promise.all(closers.map((close) => close()));
}
