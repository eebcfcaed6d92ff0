// One local identity provider for the whole run, on the test env's AUTH0_DOMAIN (a free port): the
// SDK's /auth/login discovers it, and the API verifies bearer tokens against its JWKS. Tests mint
// their own tokens with its key (tests/helpers.ts → accessToken), or sign in for real (signIn), and
// take permissions away, revoke grants or end a user's sessions through its /test-admin/ endpoints
// (dev/identity-provider/provider.ts). Its logout tokens go to APP_BASE_URL/auth/backchannel-logout,
// where no test server listens: a test that wants them points its user's at its own server first,
// PUT /test-admin/users/<sub>/backchannel-logout-uri (form uri=…), since the files share this provider.
import { createIdentityProvider } from "../../dev/identity-provider/provider";
import { TEST_ENV } from "../../vitest.config";
import { IDP_KEYS_FILE } from "./paths";
import { API_SCOPES } from "../../src/utils/scopes";

export default async function startIdentityProvider() {
  const server = await createIdentityProvider({
    issuer: `${TEST_ENV.AUTH0_DOMAIN}/`,
    appBaseUrl: TEST_ENV.APP_BASE_URL,
    clientId: TEST_ENV.AUTH0_CLIENT_ID,
    clientSecret: TEST_ENV.AUTH0_CLIENT_SECRET,
    audience: TEST_ENV.AUTH0_AUDIENCE,
    apiScopes: API_SCOPES.join(" "),
    keysFile: IDP_KEYS_FILE,
    testAdmin: true,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(new URL(TEST_ENV.AUTH0_DOMAIN).port), "127.0.0.1", resolve);
  });
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
