// The formats every page shows (dates, times, prices in the usual currencies) are written here from
// Date's own getters rather than by Intl: a page's first Intl formatter loads the browser's locale
// data, one long task on a phone before the page responds. Each is held to Intl's output in
// tests/format.test.ts; anything else (another currency) still goes through Intl.

/** "1,234,567": en-US digit grouping. */
const grouped = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** Currencies written as a symbol before the amount, with cents, in en-US. */
const CURRENCY_SYMBOLS: Record<string, string> = { USD: "$", EUR: "€", GBP: "£" };
const priceFormats = new Map<string, Intl.NumberFormat>();

/** An amount as en-US writes it in `currency`: "$1,234.50", "-€3.00". */
function formatAmount(cents: number, currency: string): string {
  const code = currency.toUpperCase();
  const symbol = CURRENCY_SYMBOLS[code];
  if (symbol !== undefined && Number.isSafeInteger(cents)) {
    const whole = Math.abs(cents);
    return `${cents < 0 ? "-" : ""}${symbol}${grouped(String(Math.floor(whole / 100)))}.${String(whole % 100).padStart(2, "0")}`;
  }
  let format = priceFormats.get(code);
  if (!format) priceFormats.set(code, (format = new Intl.NumberFormat("en-US", { style: "currency", currency: code })));
  return format.format(cents / 100);
}

export function formatPrice(cents: number, currency: string, interval?: string): string {
  if (cents === 0) return "Free";
  const amount = formatAmount(cents, currency);
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

/** `date` as a Date; an invalid one is refused, as Intl refuses it, rather than written as "NaN". */
function toDate(date: DateLike): Date {
  const at = new Date(date);
  if (Number.isNaN(at.getTime())) throw new RangeError(`Invalid date: ${String(date)}`);
  return at;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Dec 5, 2026": the day in UTC, as en-US writes it. */
export function formatDate(date: DateLike): string {
  const at = toDate(date);
  return `${MONTHS[at.getUTCMonth()]} ${at.getUTCDate()}, ${at.getUTCFullYear()}`;
}

type Unit = "year" | "month" | "day" | "hour" | "minute";
const UNITS: [Unit, seconds: number][] = [
  ["year", 365 * 86_400],
  ["month", 30 * 86_400],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
];
/** en-US's words for one unit back and ahead, where it has them ("numeric: auto"). */
const ONE_BACK: Partial<Record<Unit, string>> = { year: "last year", month: "last month", day: "yesterday" };
const ONE_AHEAD: Partial<Record<Unit, string>> = { year: "next year", month: "next month", day: "tomorrow" };

/** "2 minutes ago", "yesterday", "in 3 days", "just now". */
export function formatTimeAgo(date: DateLike, now = Date.now()): string {
  const seconds = Math.round((toDate(date).getTime() - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) < size) continue;
    const count = Math.round(seconds / size);
    const words = (count === -1 ? ONE_BACK : count === 1 ? ONE_AHEAD : {})[unit];
    if (words) return words;
    const amount = `${grouped(String(Math.abs(count)))} ${unit}${Math.abs(count) === 1 ? "" : "s"}`;
    return count < 0 ? `${amount} ago` : `in ${amount}`;
  }
  return "just now";
}

/** "S2 · E4": an episode by its season and number. */
export const episodeCode = ({ season, number }: { season: number; number: number }) => `S${season} · E${number}`;

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
/** en-GB's short month names: en-US's, but September is "Sept". */
const GB_MONTHS = MONTHS.map((month) => (month === "Sep" ? "Sept" : month));
const twoDigits = (value: number) => String(value).padStart(2, "0");

/**
 * When an episode airs, in UTC or (without `timeZone`) in the viewer's own zone, as en-GB writes it:
 * "Thu 21:00", or with `withDate` "Thu 4 Dec, 21:00".
 */
export function formatAirTime(date: DateLike, { timeZone, withDate = false }: { timeZone?: "UTC"; withDate?: boolean } = {}): string {
  const at = toDate(date);
  const [weekday, day, month, hours, minutes] =
    timeZone === "UTC"
      ? [at.getUTCDay(), at.getUTCDate(), at.getUTCMonth(), at.getUTCHours(), at.getUTCMinutes()]
      : [at.getDay(), at.getDate(), at.getMonth(), at.getHours(), at.getMinutes()];
  const time = `${twoDigits(hours)}:${twoDigits(minutes)}`;
  return withDate ? `${WEEKDAYS[weekday]} ${day} ${GB_MONTHS[month]}, ${time}` : `${WEEKDAYS[weekday]} ${time}`;
}
