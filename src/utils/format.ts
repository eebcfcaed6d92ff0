// Building an Intl formatter costs far more than a format call (it loads locale data): one per currency, one for dates.
const priceFormats = new Map<string, Intl.NumberFormat>();
const priceFormat = (currency: string) => {
  const code = currency.toUpperCase();
  let format = priceFormats.get(code);
  if (!format) priceFormats.set(code, (format = new Intl.NumberFormat("en-US", { style: "currency", currency: code })));
  return format;
};

export function formatPrice(cents: number, currency: string, interval?: string): string {
  if (cents === 0) return "Free";
  const amount = priceFormat(currency).format(cents / 100);
  return interval ? `${amount} / ${interval}` : amount;
}

// Card networks' own names; the providers send lower-case codes (Stripe's, or card-validator's).
const CARD_BRANDS: Record<string, string> = {
  visa: "Visa",
  mastercard: "Mastercard",
  amex: "American Express",
  "american-express": "American Express",
  discover: "Discover",
  diners: "Diners Club",
  "diners-club": "Diners Club",
  jcb: "JCB",
  unionpay: "UnionPay",
  maestro: "Maestro",
};

/** "Visa ending 4242": a card as the person knows it. */
export const formatCard = ({ brand, last4 }: { brand: string; last4: string }) =>
  `${CARD_BRANDS[brand.toLowerCase()] ?? brand.charAt(0).toUpperCase() + brand.slice(1)} ending ${last4}`;

/** The API sends dates as ISO 8601 strings; the helpers take those or Dates. */
type DateLike = Date | string;

const dateFormat = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
export const formatDate = (date: DateLike) => dateFormat.format(new Date(date));

const relative = new Intl.RelativeTimeFormat("en-US", { numeric: "auto" });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400],
  ["month", 30 * 86_400],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
];

/** "2 minutes ago", "yesterday", "just now". */
export function formatTimeAgo(date: DateLike, now = Date.now()): string {
  const seconds = Math.round((new Date(date).getTime() - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return "just now";
}

/** "S2 · E4": an episode by its season and number. */
export const episodeCode = ({ season, number }: { season: number; number: number }) => `S${season} · E${number}`;

const airFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * When an episode airs, in `timeZone` (the viewer's own when undefined): "Thu 21:00", or with
 * `withDate` "Thu 4 Dec, 21:00".
 */
export function formatAirTime(date: DateLike, { timeZone, withDate = false }: { timeZone?: string; withDate?: boolean } = {}): string {
  const key = `${timeZone ?? "local"}:${withDate}`;
  let format = airFormats.get(key);
  if (!format) {
    const dateParts = withDate ? ({ day: "numeric", month: "short" } as const) : {};
    airFormats.set(key, (format = new Intl.DateTimeFormat("en-GB", { weekday: "short", ...dateParts, hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone })));
  }
  return format.format(new Date(date));
}
