import superjson from "superjson";

type SuperJsonResult = Parameters<typeof superjson.deserialize>[0];

/**
 * The API's one transformer, for the server-side prefetch and the server (src/server/trpc.ts adds
 * its input depth check). Inputs: superjson. Outputs are plain JSON (the procedures return dates as
 * ISO strings), sent in superjson's `{ json }` envelope without walking them: superjson's walk cost
 * more CPU than the rest of a list call's serialisation, and any superjson client still reads them.
 */
export const transformer = {
  input: superjson,
  output: {
    serialize: (value: unknown): SuperJsonResult => ({ json: value as SuperJsonResult["json"] }),
    deserialize: <T>(value: unknown): T => superjson.deserialize<T>(value as SuperJsonResult),
  },
};
