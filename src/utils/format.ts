export function formatPrice(cents: number, currency: string, interval?: string): string {
  if (cents === 0) return "Free";
  const amount = new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() }).format(cents / 100);
  return interval ? `${amount} / ${interval}` : amount;
}

export const formatDate = (date: Date) =>
  new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" }).format(date);
