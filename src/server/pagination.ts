// Cursor pagination of the list procedures: a page is `limit` rows after the row `cursor` names,
// in the procedure's own order; one row more is read to learn whether another page follows.

/** Prisma arguments for the page after `cursor`. */
export const pageArgs = ({ cursor, limit }: { cursor?: string | null; limit: number }) => ({
  take: limit + 1,
  ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
});

/** The page's items and the cursor of the next page (null: this was the last). */
export function toPage<Row extends { id: string }, Item>(rows: Row[], limit: number, toItem: (row: Row) => Item) {
  const page = rows.slice(0, limit);
  return { items: page.map(toItem), nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
}
