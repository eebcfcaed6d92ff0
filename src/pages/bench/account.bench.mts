// The /account twin: getServerSideProps with the same reads written with Prisma (SHOWTRACK_BENCH=1 builds only).
import type { GetServerSideProps } from "next";
import { createElement } from "react";
import { accountByPrisma } from "~/bench/hand-written";

interface AccountTwinProps {
  name: string | null;
  plan: string | null;
  shows: { id: string; title: string }[];
  invoices: { id: string; amountCents: number }[];
}

export const getServerSideProps: GetServerSideProps<AccountTwinProps> = async ({ req }) => {
  const account = await accountByPrisma(req);
  if (!account) return { redirect: { destination: "/auth/login", permanent: false } };
  const { user, shows, invoices } = account;
  return {
    props: {
      name: user.name,
      plan: user.billingAccount?.tier.name ?? null,
      shows: shows.map(({ show }) => ({ id: show.id, title: show.title })),
      invoices: invoices.map(({ id, amountCents }) => ({ id, amountCents })),
    },
  };
};

export default function AccountTwin({ name, plan, shows, invoices }: AccountTwinProps) {
  return createElement(
    "main",
    null,
    createElement("h1", null, name),
    createElement("p", null, plan),
    createElement("ul", null, ...shows.map((show) => createElement("li", { key: show.id }, show.title))),
    createElement("ul", null, ...invoices.map((invoice) => createElement("li", { key: invoice.id }, invoice.amountCents))),
  );
}
