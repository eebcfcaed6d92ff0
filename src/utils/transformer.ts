import superjson from "superjson";

/**
 * The API's one transformer, for the browser client, the server-side prefetch and the server
 * (src/server/trpc.ts adds its input depth check). superjson: dates travel as dates.
 */
export const transformer = superjson;

/** The dehydrated queries a page's getServerSideProps returns (`trpcState`), as the browser reads them. */
export const readDehydrated = <T>(serialized: unknown): T => transformer.deserialize<T>(serialized as Parameters<typeof transformer.deserialize>[0]);
