import { describe, expect, it } from "vitest";
import { createShowtrackClient, summary } from "../scripts/api-client";
import { accessToken, seededApiServer } from "./helpers";

const api = seededApiServer();

describe("the typed Node client example", () => {
  it("calls the tRPC API with a bearer token", async () => {
    const client = createShowtrackClient(api.origin, await accessToken({ sub: "dev|alice" }));
    const text = await summary(client);
    expect(text.split("\n")[0]).toBe("Alice Free (Free plan) follows 2 show(s):");
    expect(text.split("\n")).toHaveLength(3);
  });

  it("surfaces the API's refusal", async () => {
    const client = createShowtrackClient(api.origin, await accessToken({ sub: "dev|alice", scope: "", permissions: [] }));
    await expect(client.subscriptions.list.query()).rejects.toMatchObject({ data: { code: "FORBIDDEN", httpStatus: 403 } });
  });
});
