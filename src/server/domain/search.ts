/**
 * Folds text for search the way the database folds show titles (the `search_fold` function in the
 * init migration: lower(unaccent(text))), so "cafe", "CAFÉ" and "Café" find the same shows.
 * Letters that do not decompose into a base letter + accent are mapped as unaccent maps them.
 */
const LETTERS: Record<string, string> = {
  Æ: "AE", æ: "ae", Œ: "OE", œ: "oe", ß: "ss", Ø: "O", ø: "o", Ł: "L", ł: "l", Đ: "D", đ: "d", Ð: "D", ð: "d",
  Þ: "TH", þ: "th", Ħ: "H", ħ: "h", ı: "i", Ŀ: "L", ŀ: "l", Ŋ: "N", ŋ: "n", ĸ: "q", ŉ: "'n", Ŧ: "T", ŧ: "t",
};
const LETTER_PATTERN = new RegExp(`[${Object.keys(LETTERS).join("")}]`, "g");

export function foldForSearch(text: string): string {
  return text
    .replace(LETTER_PATTERN, (letter) => LETTERS[letter]!)
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase();
}

/**
 * The value for Prisma's `contains` on a folded column: the folded term with LIKE's wildcards
 * escaped (Prisma passes it to LIKE as it is, so "%" would match every title).
 */
export function containsFolded(term: string): string {
  return foldForSearch(term).replace(/[\\%_]/g, "\\$&");
}
