/** superjson's payload when the value is plain JSON: the envelope alone, no type metadata. */
interface Envelope {
  json: unknown;
}

const wrap = (value: unknown): Envelope => ({ json: value });
const unwrap = <T>(value: unknown): T => (value as Envelope).json as T;

/**
 * The browser's side of the API's format (src/utils/transformer.ts) without superjson's code in
 * every page: what the pages send is plain JSON (no procedure takes a date, a map or a set) and so
 * is every answer, and superjson reads and writes plain JSON as this envelope alone.
 */
export const browserTransformer = {
  input: { serialize: wrap, deserialize: unwrap },
  output: { serialize: wrap, deserialize: unwrap },
};
