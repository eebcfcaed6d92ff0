import type { Prisma } from "~/generated/prisma/client";

/** The fields of a show that leave the server, wherever a show is returned. */
export const showSelect = {
  id: true,
  slug: true,
  title: true,
  network: true,
  summary: true,
  premiered: true,
  status: true,
  genres: { select: { name: true }, orderBy: { name: "asc" } },
} satisfies Prisma.ShowSelect;

type ShowRow = Prisma.ShowGetPayload<{ select: typeof showSelect }>;

/** The wire shape of a show: genres as plain names. */
export function toShow({ genres, ...show }: ShowRow) {
  return { ...show, genres: genres.map((genre) => genre.name) };
}
