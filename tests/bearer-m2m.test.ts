// Machine-to-machine clients named in AUTH0_M2M_CLIENT_IDS may call the API with their own tokens;
// a client not named there may not, though the tenant issued its token for the same API.
import { describe, expect, it, vi } from "vitest";
import { accessToken, callProcedure, seededApiServer } from "./helpers";

vi.hoisted(() => (process.env.AUTH0_M2M_CLIENT_IDS = "nightly-sync,reporting"));

const api = seededApiServer();

// Auth0's client-credentials tokens: the client is the subject, and names itself in azp.
const m2mToken = (client: string, claims: Record<string, unknown> = {}) =>
  accessToken({ sub: `${client}@clients`, azp: client, gty: "client-credentials", scope: "read:shows", permissions: ["read:shows"], ...claims });

const call = async (token: string) => {
  const { status, body } = await callProcedure(api.url, "subscriptions.list", { headers: { authorization: `Bearer ${token}` } });
  return { status, message: body.error?.json.message };
};

describe("AUTH0_M2M_CLIENT_IDS=nightly-sync,reporting", () => {
  it("takes the tokens of every client listed, named in azp or in client_id", async () => {
    expect((await call(await m2mToken("nightly-sync"))).status).toBe(200);
    expect((await call(await m2mToken("reporting"))).status).toBe(200);
    expect((await call(await m2mToken("reporting", { azp: undefined, client_id: "reporting" }))).status).toBe(200);
  });

  it("counts a listed machine client's scope (its client grant in the tenant), and never a person's", async () => {
    expect((await call(await m2mToken("nightly-sync", { permissions: undefined }))).status).toBe(200);
    expect((await call(await m2mToken("nightly-sync", { permissions: undefined, scope: "read:billing" }))).status).toBe(403);
    expect((await call(await accessToken({ permissions: undefined }))).status).toBe(403);
    // A person's token that a listed client obtained (another grant type): the person's permissions, not its scope.
    expect((await call(await m2mToken("nightly-sync", { sub: "dev|carol", gty: undefined, permissions: undefined }))).status).toBe(403);
  });

  it("still takes the app's own clients", async () => {
    expect((await call(await accessToken())).status).toBe(200);
    expect((await call(await accessToken({ azp: "showtrack-spa" }))).status).toBe(200);
  });

  it("refuses a client not listed, one listed only as part of a longer id, and an empty one", async () => {
    for (const client of ["billing-export", "reporting-v2", "nightly", ""]) {
      expect({ client, ...(await call(await m2mToken(client))) }).toEqual({ client, status: 401, message: "The access token is invalid or expired." });
    }
  });
});
