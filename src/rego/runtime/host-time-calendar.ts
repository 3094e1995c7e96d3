// Time zones, the proleptic Gregorian calendar and instants (seconds, nanoseconds, zone) as Go's
// time.Time models them, shared by OPA's time.* builtins (host-time.ts) and Go's layouts
// (host-time-layout.ts). Zones are IANA names resolved through Intl; "" and "UTC" are UTC,
// "Local" the host's.
import { integerValue } from "./host-operands.js";
import { tzdataAbbreviation } from "./host-time-zoneinfo.js";
import type { HostValue } from "./host-value.js";

export const NS_PER_SECOND = 1_000_000_000n;
export const MIN_NS = -(2n ** 63n);
export const MAX_NS = 2n ** 63n - 1n;
const SECONDS_PER_DAY = 86_400;

// ---- zones ----

export interface Zone {
  /** Seconds east of UTC in effect at the instant. */
  offsetAt(unixSeconds: number): number;
  /** The zone's abbreviation at the instant ("EST", "CEST", "+04"), as Go's "MST" prints it. */
  abbreviationAt(unixSeconds: number): string;
}

export const UTC: Zone = { offsetAt: () => 0, abbreviationAt: () => "UTC" };
const zones = new Map<string, Zone>();

function intlZone(name: string): Zone {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch {
    throw new Error(`unknown time zone ${name}`);
  }
  return {
    offsetAt(unixSeconds) {
      // Past JavaScript's dates (and far past int64 nanoseconds, so an error follows anyway).
      if (!(Math.abs(unixSeconds) <= 8.64e12)) return 0;
      const fields: Record<string, number> = {};
      for (const part of format.formatToParts(new Date(unixSeconds * 1000)))
        if (part.type !== "literal") fields[part.type] = Number(part.value);
      const local = daysFromCivil(fields.year ?? 1970, fields.month ?? 1, fields.day ?? 1);
      const localSeconds =
        local * SECONDS_PER_DAY +
        (fields.hour ?? 0) * 3600 +
        (fields.minute ?? 0) * 60 +
        (fields.second ?? 0);
      return localSeconds - unixSeconds;
    },
    abbreviationAt(unixSeconds) {
      return abbreviation(name, unixSeconds, this.offsetAt(unixSeconds));
    },
  };
}

/**
 * Go prints the abbreviation the host's tzdata files give (host-time-zoneinfo.ts); without them,
 * this falls back on Intl, which has no access to tzdata's abbreviations, only to its locales'
 * names for zones: en-US names America's zones as tzdata does (EST, PDT), en-GB Europe's (CET,
 * BST), en-AU Australia's and en-IN India's; any zone without an alphabetic name there gets
 * tzdata's numeric form ("+04", "+0530"), which is what tzdata itself uses for most zones outside
 * those regions (Asia/Dubai, America/Sao_Paulo), though not all (Asia/Tokyo is "JST" in tzdata,
 * "+09" in this fallback).
 */
const ABBREVIATION_LOCALES: [prefix: RegExp, locale: string][] = [
  [/^(America|US|Canada|Pacific\/Honolulu|Etc)\b/, "en-US"],
  [/^(Europe|GB|Eire|WET|CET|EET|MET)\b/, "en-GB"],
  [/^Australia\//, "en-AU"],
  [/^Asia\/(Kolkata|Calcutta)$/, "en-IN"],
];
const abbreviationFormats = new Map<string, Intl.DateTimeFormat>();

function abbreviation(zone: string, unixSeconds: number, offset: number): string {
  const fromTzdata = tzdataAbbreviation(zone, unixSeconds, offset);
  if (fromTzdata !== undefined) return fromTzdata;
  const locale = ABBREVIATION_LOCALES.find(([prefix]) => prefix.test(zone))?.[1];
  if (locale !== undefined && Math.abs(unixSeconds) <= 8.64e12) {
    const key = `${locale} ${zone}`;
    let format = abbreviationFormats.get(key);
    if (format === undefined) {
      format = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: "short" });
      abbreviationFormats.set(key, format);
    }
    const name = format
      .formatToParts(new Date(unixSeconds * 1000))
      .find((part) => part.type === "timeZoneName")?.value;
    if (name !== undefined && /^[A-Z]{2,5}$/.test(name)) return name;
  }
  const minutes = Math.abs(Math.trunc(offset / 60));
  const sign = offset < 0 ? "-" : "+";
  const hours = String(Math.floor(minutes / 60)).padStart(2, "0");
  return minutes % 60 === 0
    ? `${sign}${hours}`
    : `${sign}${hours}${String(minutes % 60).padStart(2, "0")}`;
}

export function zoneNamed(name: string): Zone {
  if (name === "" || name === "UTC") return UTC;
  const ianaName = name === "Local" ? new Intl.DateTimeFormat().resolvedOptions().timeZone : name;
  let zone = zones.get(ianaName);
  if (zone === undefined) {
    zone = intlZone(ianaName);
    zones.set(ianaName, zone);
  }
  return zone;
}

// ---- calendar (proleptic Gregorian, days since 1970-01-01) ----

export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function civilFromDays(days: number): [year: number, month: number, day: number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

export function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// ---- instants ----

/** An instant: whole seconds since the epoch (floored) plus nanoseconds, read in a zone. */
export interface Instant {
  seconds: number;
  nanos: number;
  zone: Zone;
}

export interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

export function fieldsOf(t: Instant): Fields {
  const local = t.seconds + t.zone.offsetAt(t.seconds);
  const days = Math.floor(local / SECONDS_PER_DAY);
  const secondOfDay = local - days * SECONDS_PER_DAY;
  const [year, month, day] = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(secondOfDay / 3600),
    minute: Math.floor((secondOfDay % 3600) / 60),
    second: secondOfDay % 60,
    weekday: (((days + 4) % 7) + 7) % 7,
  };
}

/**
 * Go's time.Date: fields out of range carry into the next larger one (month 13 is January of
 * the next year, day 0 the last day of the month before), and a local time that a zone
 * transition skips or repeats resolves as Go resolves it.
 */
export function instantFromFields(
  year: number,
  month: number,
  day: number,
  secondOfDay: number,
  nanos: number,
  zone: Zone,
): Instant {
  const monthIndex = month - 1;
  const carriedYear = year + Math.floor(monthIndex / 12);
  const normalMonth = (((monthIndex % 12) + 12) % 12) + 1;
  const days = daysFromCivil(carriedYear, normalMonth, 1) + day - 1;
  const local = days * SECONDS_PER_DAY + secondOfDay;
  const guess = zone.offsetAt(local);
  return { seconds: local - zone.offsetAt(local - guess), nanos, zone };
}

export function toNanoseconds(t: Instant): HostValue {
  // Beyond int64 by far: checked as a double before the exact arithmetic.
  if (!Number.isSafeInteger(t.seconds) || Math.abs(t.seconds) > 1e11)
    throw new Error("time outside of valid range");
  const ns = BigInt(t.seconds) * NS_PER_SECOND + BigInt(t.nanos);
  if (ns < MIN_NS || ns > MAX_NS) throw new Error("time outside of valid range");
  return integerValue(ns);
}

export function instantOf(ns: bigint, zone: Zone): Instant {
  const seconds = ns >= 0n ? ns / NS_PER_SECOND : -((-ns + NS_PER_SECOND - 1n) / NS_PER_SECOND);
  return { seconds: Number(seconds), nanos: Number(ns - seconds * NS_PER_SECOND), zone };
}

export const WEEKDAYS = [
  "Sunday",
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
];
export const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
