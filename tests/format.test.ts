// The page's formats, written without Intl (src/utils/format.ts), say what Intl says: each is held
// to the Intl formatter it stands for, on generated dates, times and amounts, in several time zones.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { formatAirTime, formatDate, formatPrice, formatTimeAgo } from "~/utils/format";

/** Years a show, a follow or an invoice may carry. */
const dates = fc.date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("2200-12-31T23:59:59Z"), noInvalidDate: true });
const airFormat = (withDate: boolean, timeZone?: string) =>
  new Intl.DateTimeFormat("en-GB", { weekday: "short", ...(withDate ? { day: "numeric", month: "short" } : {}), hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone });

describe("dates and times", () => {
  it("formatDate is en-US's month, day and year in UTC", () => {
    const intl = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
    fc.assert(
      fc.property(dates, (date) => {
        expect(formatDate(date)).toBe(intl.format(date));
      }),
      { numRuns: 2_000 },
    );
    expect(formatDate("2026-12-05T23:59:00Z")).toBe("Dec 5, 2026");
  });

  it("formatAirTime in UTC is en-GB's weekday, day, month and 24-hour time", () => {
    for (const withDate of [false, true]) {
      const intl = airFormat(withDate, "UTC");
      fc.assert(
        fc.property(dates, (date) => {
          expect(formatAirTime(date, { withDate, timeZone: "UTC" })).toBe(intl.format(date));
        }),
        { numRuns: 2_000 },
      );
    }
    expect(formatAirTime("2026-09-03T21:05:00Z", { withDate: true, timeZone: "UTC" })).toBe("Thu 3 Sept, 21:05");
  });

  describe("formatAirTime in the viewer's own zone", () => {
    const zone = process.env.TZ;
    afterAll(() => {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    });
    // Whole, half and three-quarter hour offsets, daylight saving in both hemispheres.
    it.each(["UTC", "America/New_York", "America/St_Johns", "Europe/London", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Chatham"])("%s", (timeZone) => {
      process.env.TZ = timeZone; // Node reads the zone again when TZ changes
      const july = new Date("2026-07-01T00:00:00Z");
      expect(july.getTimezoneOffset() + minutesAhead(timeZone, july)).toBe(0); // the zone is in force
      for (const withDate of [false, true]) {
        const intl = airFormat(withDate);
        fc.assert(
          fc.property(dates, (date) => {
            expect(formatAirTime(date, { withDate })).toBe(intl.format(date));
          }),
          { numRuns: 500 },
        );
      }
    });
  });

  it("formatTimeAgo says what en-US's relative time says, in the largest unit that fits", () => {
    const intl = new Intl.RelativeTimeFormat("en-US", { numeric: "auto" });
    const units = [
      ["year", 365 * 86_400],
      ["month", 30 * 86_400],
      ["day", 86_400],
      ["hour", 3_600],
      ["minute", 60],
    ] as const;
    const reference = (seconds: number) => {
      const unit = units.find(([, size]) => Math.abs(seconds) >= size);
      return unit ? intl.format(Math.round(seconds / unit[1]), unit[0]) : "just now";
    };
    const now = Date.parse("2026-12-05T12:00:00Z");
    // Offsets near every unit's edges as well as anywhere within ±3,000 years.
    const edges = fc.constantFrom(...units.flatMap(([, size]) => [-1.5, -1, 1, 1.5, 2].map((times) => Math.round(size * times))));
    const seconds = fc.oneof(fc.integer({ min: -95_000_000_000, max: 95_000_000_000 }), fc.integer({ min: -200_000, max: 200_000 }), edges.chain((edge) => fc.integer({ min: edge - 2, max: edge + 2 })));
    fc.assert(
      fc.property(seconds, (offset) => {
        expect(formatTimeAgo(new Date(now + offset * 1000), now)).toBe(reference(offset));
      }),
      { numRuns: 5_000 },
    );
    expect([-30, -60, -86_400, 3 * 86_400].map((offset) => formatTimeAgo(new Date(now + offset * 1000), now))).toEqual(["just now", "1 minute ago", "yesterday", "in 3 days"]);
  });
});

it("refuses an invalid date, as Intl does, rather than writing NaN", () => {
  for (const format of [formatDate, formatTimeAgo, formatAirTime]) expect(() => format("not a date")).toThrow(RangeError);
});

describe("prices", () => {
  it("formatPrice is en-US's currency format: dollars, euros and pounds written here, any other currency by Intl", () => {
    const cents = fc.oneof(fc.integer({ min: -1_000_000_000_000, max: 1_000_000_000_000 }), fc.integer({ min: -100_000, max: 100_000 }));
    for (const currency of ["usd", "EUR", "gbp", "jpy", "CAD"]) {
      const intl = new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() });
      fc.assert(
        fc.property(cents, (amount) => {
          expect(formatPrice(amount, currency)).toBe(amount === 0 ? "Free" : intl.format(amount / 100));
        }),
        { numRuns: 1_000 },
      );
    }
    expect(formatPrice(1900, "usd", "month")).toBe("$19.00 / month");
    expect(formatPrice(0, "usd", "month")).toBe("Free");
  });
});

/** How far `timeZone` is ahead of UTC at `at`, in minutes, by Intl. */
function minutesAhead(timeZone: string, at: Date): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" })
      .formatToParts(at)
      .map(({ type, value }) => [type, Number(value)]),
  );
  return (Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!) - at.getTime()) / 60_000;
}
