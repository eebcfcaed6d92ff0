// The browser's client sends and reads the API's format without superjson's code: what it sends, the
// server's superjson reads as the same value, and it reads the server's answers as they were.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { browserTransformer } from "~/utils/browser-transformer";
import { transformer } from "~/utils/transformer";

/** What crosses the wire: the JSON text, parsed again. */
const overTheWire = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? "null");

/**
 * Whether a JSON value has a `__proto__` key anywhere. superjson's own client refuses to send one and
 * the server's superjson drops it (its guard against prototype pollution): no client gets one through.
 */
const hasProtoKey = (value: unknown): boolean =>
  typeof value === "object" && value !== null && (Object.hasOwn(value, "__proto__") || Object.values(value).some(hasProtoKey));

describe("the browser's transformer", () => {
  it("sends an input the server's superjson reads as the same value", () => {
    fc.assert(
      fc.property(fc.jsonValue().filter((value) => !hasProtoKey(value)), (value) => {
        expect(transformer.input.deserialize(overTheWire(browserTransformer.input.serialize(value)) as never)).toEqual(overTheWire(value));
      }),
    );
  });

  it("sends a `__proto__` key the server's superjson drops, as it does whoever sends it", () => {
    const withProto = JSON.parse('{"__proto__": {"admin": true}, "limit": 5}') as unknown;
    const read = transformer.input.deserialize(overTheWire(browserTransformer.input.serialize(withProto)) as never) as object;
    expect(read).toEqual({ limit: 5 });
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
  });

  it("sends no input as none, and leaves out a field that is undefined, as superjson's client would", () => {
    expect(transformer.input.deserialize(overTheWire(browserTransformer.input.serialize(undefined)) as never)).toBeUndefined();
    expect(transformer.input.deserialize(overTheWire(browserTransformer.input.serialize({ cursor: undefined, limit: 5 })) as never)).toEqual({ limit: 5 });
  });

  it("reads the server's answers as they were sent", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(browserTransformer.output.deserialize(overTheWire(transformer.output.serialize(value)))).toEqual(overTheWire(value));
      }),
    );
  });
});
