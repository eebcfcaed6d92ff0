// The /account twin: getServerSideProps with the same reads written with Prisma (SHOWTRACK_BENCH=1 builds only).
import type { GetServerSideProps } from "next";
import { createElement } from "react";
import { accountByPrisma } from "~/bench/hand-written";

type Account = NonNullable<Awaited<ReturnType<typeof accountByPrisma>>>;

export const getServerSideProps: GetServerSideProps<{ account: string }> = async ({ req }) => {
  const account = await accountByPrisma(req);
  if (!account) return { redirect: { destination: "/auth/login", permanent: false } };
  return { props: { account: JSON.stringify(account) } };
};

export default function AccountTwin({ account }: { account: string }) {
  const { user, shows, invoices } = JSON.parse(account) as Account;
  return createElement(
    "main",
    null,
    createElement("h1", null, user.name),
    createElement("p", null, user.billingAccount?.tier.name),
    createElement("ul", null, ...shows.map((row) => createElement("li", { key: row.show.id }, row.show.title))),
    createElement("ul", null, ...invoices.map((invoice) => createElement("li", { key: invoice.id }, invoice.amountCents))),
  );
}
