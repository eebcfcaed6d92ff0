// The building blocks of procedure inputs. Every free-text input goes through `text`, so that no
// input can reach the database as something it refuses (a 500) instead of a 400 naming the field.
import { z } from "zod";

// JSON can carry both; PostgreSQL text can carry neither ("invalid byte sequence").
const LONE_SURROGATE = /\p{Cs}/u;
const NUL = "\u0000";

/** Trimmed, well-formed Unicode text of at most `max` characters (and at least `min`). */
export function text({ min = 0, max }: { min?: number; max: number }) {
  return z
    .string()
    .refine((value) => !LONE_SURROGATE.test(value), "must be well-formed Unicode text")
    .refine((value) => !value.includes(NUL), "must not contain NUL characters")
    .trim()
    .min(min)
    .max(max);
}

/** An id of one of our rows (they are cuids): anything else cannot name one. */
export const rowId = (what: string) => z.cuid(`must be ${what} id`);
