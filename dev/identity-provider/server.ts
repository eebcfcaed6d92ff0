// `tsx dev/identity-provider/server.ts`: the local provider on http://localhost:4001/ (loopback only).
// Started by `npm run dev` (and `npm start -- --local`) when AUTH0_DOMAIN points here, and by the
// browser tests. Refused with NODE_ENV=production and an APP_BASE_URL that looks deployed
// (scripts/local-stack.mjs). Besides the app's variables: IDP_PORT, IDP_KEYS_FILE,
// IDP_ACCESS_TOKEN_TTL (seconds, default 3600), IDP_TEST_ADMIN=true (serves /test-admin/, see
// provider.ts), IDP_SPA_ORIGINS (comma-separated origins serving the static build of the browser
// app, `npm run build:spa`, at their root) and IDP_BACKCHANNEL_LOGOUT_URI (where the app's
// back-channel logout tokens go; default APP_BASE_URL/auth/backchannel-logout).
import path from "node:path";
import { localProviderRefusal } from "../../scripts/local-stack.mjs";
import { API_SCOPES } from "../../src/utils/scopes";
import { originList } from "../../src/utils/origins";

const refusal = localProviderRefusal(process.env);
if (refusal) {
  console.error(`[idp] ${refusal}`);
  process.exit(1);
}

const port = Number(process.env.IDP_PORT ?? 4001);
const issuer = `http://localhost:${port}/`;
const required = (name: string) => {
  const value = process.env[name];
  if (!value) {
    console.error(`[idp] ${name} is required (see .env.example).`);
    process.exit(1);
  }
  return value;
};

const ttl = process.env.IDP_ACCESS_TOKEN_TTL;
if (ttl !== undefined && !/^[1-9]\d*$/.test(ttl)) {
  console.error("[idp] IDP_ACCESS_TOKEN_TTL must be a number of seconds.");
  process.exit(1);
}

const spaOrigins = originList.safeParse(process.env.IDP_SPA_ORIGINS);
if (!spaOrigins.success) {
  console.error(`[idp] IDP_SPA_ORIGINS=${process.env.IDP_SPA_ORIGINS} ${spaOrigins.error.issues[0]?.message}`);
  process.exit(1);
}

const backchannelLogoutUri = process.env.IDP_BACKCHANNEL_LOGOUT_URI;
if (backchannelLogoutUri && !/^https?:$/.test(URL.parse(backchannelLogoutUri)?.protocol ?? "")) {
  console.error(`[idp] IDP_BACKCHANNEL_LOGOUT_URI=${backchannelLogoutUri} must be an http(s) URL.`);
  process.exit(1);
}

// Loaded once the checks passed, so that a refusal is the only thing said (oidc-provider has its
// own things to say on import).
const { createIdentityProvider } = await import("./provider");
const server = await createIdentityProvider({
  issuer,
  appBaseUrl: required("APP_BASE_URL"),
  clientId: required("AUTH0_CLIENT_ID"),
  clientSecret: required("AUTH0_CLIENT_SECRET"),
  audience: required("AUTH0_AUDIENCE"),
  apiScopes: process.env.AUTH0_API_SCOPES ?? API_SCOPES.join(" "),
  keysFile: process.env.IDP_KEYS_FILE ?? path.join(import.meta.dirname, ".keys.json"),
  ...(ttl && { accessTokenTTL: Number(ttl) }),
  testAdmin: process.env.IDP_TEST_ADMIN === "true",
  spaOrigins: spaOrigins.data,
  ...(backchannelLogoutUri && { backchannelLogoutUri }),
});
server.on("error", (error: NodeJS.ErrnoException) => {
  console.error(`[idp] Cannot listen on 127.0.0.1:${port}: ${error.code === "EADDRINUSE" ? "the port is in use (another provider or app?)" : error.message}`);
  process.exit(1);
});
server.listen(port, "127.0.0.1", () => console.log(`Local identity provider ready at ${issuer}`));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.close(() => process.exit(0)));
