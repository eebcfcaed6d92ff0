// The payment providers: Stripe's adapter against a local stand-in for the Stripe endpoints it calls
// (through the SDK's own host/port/protocol options: only what is outside the project is faked), with
// the requests it sends checked; which provider a deployment gets; and a production without one,
// which refuses paid plans with the reason and never lets a test card buy a plan.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createInnerContext } from "~/server/context";
import { paymentsKind } from "~/server/domain/payment-provider";
import { noPaymentProvider, PaymentInProgress, type PaymentProvider } from "~/server/domain/payments";
import { stripePaymentProvider } from "~/server/domain/stripe-payments";
import { createCaller } from "~/server/routers/_app";
import { NO_PAYMENTS } from "~/utils/payments";
import { gsspContext, sessionFor } from "./helpers";

interface Sent {
  method: string;
  path: string;
  body: URLSearchParams;
  headers: http.IncomingHttpHeaders;
}

const sent: Sent[] = [];
let stripeApi: http.Server;
let port: number;
let paymentIntentFailures = 0;

const cardError = (message: string, declineCode: string) => ({ error: { type: "card_error", code: "card_declined", decline_code: declineCode, message } });

beforeAll(async () => {
  stripeApi = http.createServer(async (req, res) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = new URLSearchParams(raw);
    sent.push({ method: req.method!, path: req.url!, body, headers: req.headers });
    const reply = (status: number, json: unknown) => res.writeHead(status, { "content-type": "application/json", "request-id": "req_test" }).end(JSON.stringify(json));
    if (req.url === "/v1/payment_methods") {
      if (body.get("card[number]") === "4000000000000002") return reply(402, cardError("Your card was declined.", "generic_decline"));
      return reply(200, { id: "pm_1", object: "payment_method", card: { brand: "visa", last4: body.get("card[number]")!.slice(-4) } });
    }
    if (req.url === "/v1/customers") return reply(200, { id: "cus_new", object: "customer" });
    if (/^\/v1\/customers\/cus_\w+$/.test(req.url!)) return reply(200, { id: req.url!.split("/").at(-1), object: "customer" });
    if (/^\/v1\/payment_methods\/pm_\w+\/attach$/.test(req.url!)) {
      if (body.get("customer") === "cus_deleted") return reply(400, { error: { type: "invalid_request_error", code: "resource_missing", param: "customer", message: "No such customer: 'cus_deleted'" } });
      return reply(200, { id: "pm_1", object: "payment_method" });
    }
    if (req.url === "/v1/payment_intents") {
      const amount = Number(body.get("amount"));
      if (amount === 666) return reply(402, cardError("Your card has insufficient funds.", "insufficient_funds"));
      if (amount === 777 && paymentIntentFailures++ === 0) return reply(500, { error: { type: "api_error", message: "Something went wrong on Stripe's end." } });
      if (amount === 999) return reply(401, { error: { type: "invalid_request_error", message: "Invalid API Key provided." } });
      if (amount === 555) return reply(400, { error: { type: "idempotency_error", message: "Keys for idempotent requests can only be used with the same parameters they were first used with." } });
      return reply(200, { id: "pi_1", object: "payment_intent", status: "succeeded", amount });
    }
    reply(404, { error: { type: "invalid_request_error", message: `No such endpoint ${req.url}` } });
  });
  await new Promise<void>((resolve) => stripeApi.listen(0, "127.0.0.1", resolve));
  port = (stripeApi.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => stripeApi.close(() => resolve())));

const stripe = () => stripePaymentProvider("sk_test_showtrack", { host: "127.0.0.1", port, protocol: "http", maxNetworkRetries: 2 });
const card = { number: "4242424242424242", expMonth: 12, expYear: 2030, cvc: "123" };

describe("the Stripe adapter", () => {
  it("attaches a card: a PaymentMethod on a new Customer (with the person's email), made its default", async () => {
    sent.length = 0;
    const attached = await stripe().attachCard(card, { reference: null, email: "dave@example.test" });
    expect(attached).toEqual({ status: "attached", brand: "visa", last4: "4242", reference: "cus_new/pm_1" });
    expect(sent.map(({ method, path }) => `${method} ${path}`)).toEqual([
      "POST /v1/payment_methods",
      "POST /v1/customers",
      "POST /v1/payment_methods/pm_1/attach",
      "POST /v1/customers/cus_new",
    ]);
    expect(Object.fromEntries(sent[0]!.body)).toMatchObject({ type: "card", "card[number]": "4242424242424242", "card[exp_month]": "12", "card[exp_year]": "2030" });
    expect(sent[1]!.body.get("email")).toBe("dave@example.test");
    expect(sent[2]!.body.get("customer")).toBe("cus_new");
    expect(sent[3]!.body.get("invoice_settings[default_payment_method]")).toBe("pm_1");
    expect(sent[0]!.headers.authorization).toBe("Bearer sk_test_showtrack");
  });

  it("keeps the account's Customer when a card is replaced", async () => {
    sent.length = 0;
    expect(await stripe().attachCard(card, { reference: "cus_kept/pm_old", email: null })).toMatchObject({ reference: "cus_kept/pm_1" });
    expect(sent.some(({ path }) => path === "/v1/customers")).toBe(false);
  });

  it("makes a new Customer when the one on file is gone (deleted, or of Stripe's other mode)", async () => {
    sent.length = 0;
    expect(await stripe().attachCard(card, { reference: "cus_deleted/pm_old", email: "bob@example.test" })).toMatchObject({ status: "attached", reference: "cus_new/pm_1" });
    expect(sent.filter(({ path }) => path.endsWith("/attach")).map(({ body }) => body.get("customer"))).toEqual(["cus_deleted", "cus_new"]);
  });

  it("maps a card Stripe declines to a decline with Stripe's words", async () => {
    expect(await stripe().attachCard({ ...card, number: "4000000000000002" }, { reference: null, email: null })).toEqual({ status: "declined", reason: "Your card was declined." });
  });

  it("charges off_session with the app's idempotency key: amount, currency, customer and card as given", async () => {
    sent.length = 0;
    const outcome = await stripe().charge({ reference: "cus_new/pm_1", amountCents: 900, currency: "usd", idempotencyKey: "charge:acct:developer:2026-12-01" });
    expect(outcome).toEqual({ status: "paid" });
    const [intent] = sent;
    expect(Object.fromEntries(intent!.body)).toEqual({ amount: "900", currency: "usd", customer: "cus_new", payment_method: "pm_1", off_session: "true", confirm: "true" });
    expect(intent!.headers["idempotency-key"]).toBe("charge:acct:developer:2026-12-01");
  });

  it("retries a failed request with the same idempotency key: one charge at Stripe", async () => {
    sent.length = 0;
    expect(await stripe().charge({ reference: "cus_new/pm_1", amountCents: 777, currency: "usd", idempotencyKey: "charge:retry" })).toEqual({ status: "paid" });
    expect(sent.map((request) => request.headers["idempotency-key"])).toEqual(["charge:retry", "charge:retry"]);
  });

  it("a declined charge is a decline; Stripe failing otherwise is an error, never a payment", async () => {
    expect(await stripe().charge({ reference: "cus_new/pm_1", amountCents: 666, currency: "usd", idempotencyKey: "k1" })).toEqual({
      status: "declined",
      reason: "Your card has insufficient funds.",
    });
    await expect(stripe().charge({ reference: "cus_new/pm_1", amountCents: 999, currency: "usd", idempotencyKey: "k2" })).rejects.toThrow("Invalid API Key");
    // The same key with other parameters: the change is under way, neither paid nor declined.
    await expect(stripe().charge({ reference: "cus_new/pm_1", amountCents: 555, currency: "usd", idempotencyKey: "k4" })).rejects.toBeInstanceOf(PaymentInProgress);
    // A card of the test provider is no Stripe card: declined without a request.
    expect(await stripe().charge({ reference: "test_pm_4242", amountCents: 900, currency: "usd", idempotencyKey: "k3" })).toMatchObject({ status: "declined" });
  });
});

describe("a plan change's charge", () => {
  it("is the same charge at the provider when retried after a crash between charge and commit, whenever the retry comes", async () => {
    const keys: string[] = [];
    let crash = true;
    const payments: PaymentProvider = {
      attachCard: async () => ({ status: "attached", brand: "visa", last4: "4242", reference: "cus_dave/pm_1" }),
      charge: async ({ idempotencyKey }) => {
        keys.push(idempotencyKey);
        // The provider charged; the answer never reached the commit.
        if (crash) throw new Error("connection reset after the charge");
        return { status: "paid" };
      },
    };
    const dave = createCaller(createInnerContext({ session: sessionFor({ sub: "test|retried-upgrade" }), payments }));
    await dave.billing.setCard(card);
    await expect(dave.billing.changeTier({ tierId: "developer" })).rejects.toThrow();
    vi.useFakeTimers({ now: Date.now() + 90_000, toFake: ["Date"] }); // the retry comes later: the new period would start later
    crash = false;
    try {
      expect((await dave.billing.changeTier({ tierId: "developer" })).tier.id).toBe("developer");
    } finally {
      vi.useRealTimers();
    }
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect((await dave.billing.invoices({ limit: 10 })).items).toHaveLength(1);
  });
});

describe("which provider a deployment gets", () => {
  it("Stripe with a key; the test provider outside production or when asked; in production otherwise none", () => {
    expect(paymentsKind({ NODE_ENV: "production", STRIPE_SECRET_KEY: "sk_live_x", PAYMENTS_PROVIDER: undefined })).toBe("stripe");
    expect(paymentsKind({ NODE_ENV: "development", STRIPE_SECRET_KEY: undefined, PAYMENTS_PROVIDER: undefined })).toBe("test");
    expect(paymentsKind({ NODE_ENV: "production", STRIPE_SECRET_KEY: undefined, PAYMENTS_PROVIDER: "test" })).toBe("test");
    expect(paymentsKind({ NODE_ENV: "production", STRIPE_SECRET_KEY: "sk_live_x", PAYMENTS_PROVIDER: "test" })).toBe("test");
    expect(paymentsKind({ NODE_ENV: "production", STRIPE_SECRET_KEY: undefined, PAYMENTS_PROVIDER: undefined })).toBe("none");
  });

  it("without one, a card is refused with the reason: no test card buys a plan", async () => {
    const caller = createCaller(createInnerContext({ session: sessionFor({ sub: "dev|dave" }), payments: noPaymentProvider }));
    await expect(caller.billing.setCard(card)).rejects.toMatchObject({ code: "PAYMENT_REQUIRED", message: NO_PAYMENTS });
  });

  it("a production boot without one says so in the log and on /pricing", async () => {
    vi.stubEnv("NODE_ENV", "production");
    vi.resetModules();
    try {
      const { logger } = await import("~/server/platform/logger");
      const error = vi.spyOn(logger, "error").mockImplementation(() => undefined);
      const { getServerSideProps } = await import("~/pages/pricing");
      expect(error).toHaveBeenCalledWith(expect.stringContaining("No payment provider: set STRIPE_SECRET_KEY"));
      expect(await getServerSideProps(gsspContext("/pricing"))).toMatchObject({ props: { paymentsAvailable: false } });
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});
