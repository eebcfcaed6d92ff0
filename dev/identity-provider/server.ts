// `tsx dev/identity-provider/server.ts`: the local provider on http://localhost:4001/ (loopback only).
// Started by `npm run dev` when AUTH0_DOMAIN points here. Never in production. Besides the app's
// variables: IDP_PORT, IDP_KEYS_FILE, IDP_ACCESS_TOKEN_TTL (seconds, default 3600) and
// IDP_TEST_ADMIN=true (serves /test-admin/, see provider.ts) and IDP_SPA_ORIGINS (comma-separated
// origins serving the static build of the browser app, `npm run build:spa`, at their root).
import path from "node:path";
import { createIdentityProvider } from "./provider";
import { API_SCOPES } from "../../src/utils/scopes";
import { originList } from "../../src/utils/origins";

if (process.env.NODE_ENV === "production") {
  console.error("[idp] The local identity provider is for development and tests; it refuses NODE_ENV=production.");
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
});
server.listen(port, "127.0.0.1", () => console.log(`Local identity provider ready at ${issuer}`));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.close(() => process.exit(0)));
