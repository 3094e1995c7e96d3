// OPA's time.* builtins with Go's time package semantics: layouts as time.Parse reads them,
// durations as time.ParseDuration, calendar fields and AddDate normalisation as time.Time's, and
// results as int64 nanoseconds (an eval error outside 1677-09-21..2262-04-11, as OPA's).
// Time zones are IANA names resolved through Intl; "" and "UTC" are UTC, "Local" the host's.
import { exactInteger, integer, integerValue, num, str, typeName } from "./host-operands.js";
import { OperandTypeError, RegoNumber, type HostFunction, type HostValue } from "./host-value.js";

const NS_PER_SECOND = 1_000_000_000n;
const MIN_NS = -(2n ** 63n);
const MAX_NS = 2n ** 63n - 1n;
const SECONDS_PER_DAY = 86_400;

// ---- zones ----

interface Zone {
  /** Seconds east of UTC in effect at the instant. */
  offsetAt(unixSeconds: number): number;
}

const UTC: Zone = { offsetAt: () => 0 };
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
  };
}

function zoneNamed(name: string): Zone {
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

function daysFromCivil(year: number, month: number, day: number): number {
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

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// ---- instants ----

/** An instant: whole seconds since the epoch (floored) plus nanoseconds, read in a zone. */
interface Instant {
  seconds: number;
  nanos: number;
  zone: Zone;
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

function fieldsOf(t: Instant): Fields {
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
function instantFromFields(
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

function toNanoseconds(t: Instant): HostValue {
  // Beyond int64 by far: checked as a double before the exact arithmetic.
  if (!Number.isSafeInteger(t.seconds) || Math.abs(t.seconds) > 1e11)
    throw new Error("time outside of valid range");
  const ns = BigInt(t.seconds) * NS_PER_SECOND + BigInt(t.nanos);
  if (ns < MIN_NS || ns > MAX_NS) throw new Error("time outside of valid range");
  return integerValue(ns);
}

function instantOf(ns: bigint, zone: Zone): Instant {
  const seconds = ns >= 0n ? ns / NS_PER_SECOND : -((-ns + NS_PER_SECOND - 1n) / NS_PER_SECOND);
  return { seconds: Number(seconds), nanos: Number(ns - seconds * NS_PER_SECOND), zone };
}

const TIME_OPERAND = "either number (ns) or [number (ns), string (tz)]";

/** OPA's time operand: nanoseconds, or [nanoseconds, zone name]. */
function timeOperand(value: HostValue | undefined, what: string): Instant {
  let nanoseconds: HostValue | undefined = value;
  let zone = UTC;
  if (Array.isArray(value)) {
    if (value.length === 0)
      throw new OperandTypeError(`operand ${what} must be ${TIME_OPERAND} but got array`);
    nanoseconds = value[0];
    num(nanoseconds, what);
    if (value.length > 1) zone = zoneNamed(str(value[1], what));
    // A third element is time.format's layout: it must be a string, and is otherwise unused.
    if (value.length > 2) str(value[2], what);
  } else if (typeof value !== "number" && !(value instanceof RegoNumber))
    throw new OperandTypeError(
      `operand ${what} must be ${TIME_OPERAND} but got ${typeName(value)}`,
    );
  const ns = exactInteger(nanoseconds, what);
  if (ns === undefined || ns < MIN_NS || ns > MAX_NS) throw new Error("timestamp too big");
  return instantOf(ns, zone);
}

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
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

function addDate(
  value: HostValue,
  years: HostValue,
  months: HostValue,
  days: HostValue,
): HostValue {
  const t = timeOperand(value, "1");
  const y = integer(years, "2");
  const m = integer(months, "3");
  const d = integer(days, "4");
  const f = fieldsOf(t);
  const secondOfDay = f.hour * 3600 + f.minute * 60 + f.second;
  return toNanoseconds(
    instantFromFields(f.year + y, f.month + m, f.day + d, secondOfDay, t.nanos, t.zone),
  );
}

/** [years, months, days, hours, minutes, seconds] between two instants, read in the first's zone. */
function diff(a: HostValue, b: HostValue): HostValue {
  const first = timeOperand(a, "1");
  let second = timeOperand(b, "2");
  let earlier = first;
  second = { ...second, zone: first.zone };
  if (
    first.seconds > second.seconds ||
    (first.seconds === second.seconds && first.nanos > second.nanos)
  )
    [earlier, second] = [second, first];
  const x = fieldsOf(earlier);
  const y = fieldsOf(second);
  let years = y.year - x.year;
  let months = y.month - x.month;
  let days = y.day - x.day;
  let hours = y.hour - x.hour;
  let minutes = y.minute - x.minute;
  let seconds = y.second - x.second;
  if (seconds < 0) {
    seconds += 60;
    minutes--;
  }
  if (minutes < 0) {
    minutes += 60;
    hours--;
  }
  if (hours < 0) {
    hours += 24;
    days--;
  }
  if (days < 0) {
    days += daysIn(x.month, x.year);
    months--;
  }
  if (months < 0) {
    months += 12;
    years--;
  }
  return [years, months, days, hours, minutes, seconds];
}

// ---- time.ParseDuration ----

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  "\u00b5s": 1000n,
  "\u03bcs": 1000n,
  ms: 1_000_000n,
  s: NS_PER_SECOND,
  m: 60n * NS_PER_SECOND,
  h: 3600n * NS_PER_SECOND,
};

const TWO_63 = 2n ** 63n;

/** Go's leadingFraction: the fraction's digits while they fit in int64, and their scale. */
function leadingFraction(digits: string): [fraction: bigint, scale: number] {
  let fraction = 0n;
  let scale = 1;
  for (const digit of digits) {
    if (fraction > (TWO_63 - 1n) / 10n) break;
    const next = fraction * 10n + BigInt(digit);
    if (next > TWO_63) break;
    fraction = next;
    scale *= 10;
  }
  return [fraction, scale];
}

/** Go's time.ParseDuration: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, exact to the nanosecond. */
export function parseDuration(text: string): bigint {
  const invalid = () => new Error(`time: invalid duration ${JSON.stringify(text)}`);
  let s = text;
  let negative = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    negative = s.startsWith("-");
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid();
  let total = 0n;
  while (s !== "") {
    if (!/^[0-9.]/.test(s)) throw invalid();
    const whole = /^[0-9]*/.exec(s)?.[0] ?? "";
    s = s.slice(whole.length);
    const value = BigInt(whole || "0");
    if (value > TWO_63) throw invalid();
    let fraction = "";
    let hasFraction = false;
    if (s.startsWith(".")) {
      fraction = /^[0-9]*/.exec(s.slice(1))?.[0] ?? "";
      hasFraction = fraction !== "";
      s = s.slice(1 + fraction.length);
    }
    if (whole === "" && !hasFraction) throw invalid();
    const unitText = /^[^0-9.]*/.exec(s)?.[0] ?? "";
    if (unitText === "") throw new Error(`time: missing unit in duration ${JSON.stringify(text)}`);
    s = s.slice(unitText.length);
    const unit = DURATION_UNITS[unitText];
    if (unit === undefined)
      throw new Error(
        `time: unknown unit ${JSON.stringify(unitText)} in duration ${JSON.stringify(text)}`,
      );
    if (value > TWO_63 / unit) throw invalid();
    let v = value * unit;
    const [f, scale] = leadingFraction(fraction);
    if (f > 0n) {
      // Go scales the fraction as a double, to be nanosecond-accurate for fractions of hours.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO_63) throw invalid();
    }
    total += v;
    if (total > TWO_63) throw invalid();
  }
  if (negative) return -total;
  if (total > TWO_63 - 1n) throw invalid();
  return total;
}

// ---- time.Parse ----

type Std =
  | "longMonth"
  | "month"
  | "numMonth"
  | "zeroMonth"
  | "longWeekDay"
  | "weekDay"
  | "day"
  | "underDay"
  | "zeroDay"
  | "underYearDay"
  | "zeroYearDay"
  | "hour"
  | "hour12"
  | "zeroHour12"
  | "minute"
  | "zeroMinute"
  | "second"
  | "zeroSecond"
  | "longYear"
  | "year"
  | "PM"
  | "pm"
  | "tz"
  | "isoTZ"
  | "isoSecondsTZ"
  | "isoShortTZ"
  | "isoColonTZ"
  | "isoColonSecondsTZ"
  | "numTZ"
  | "numSecondsTZ"
  | "numShortTZ"
  | "numColonTZ"
  | "numColonSecondsTZ"
  | "fracSecond0"
  | "fracSecond9";

interface Chunk {
  prefix: string;
  std?: Std;
  /** The layout text of the element, for messages. */
  element: string;
  /** Digits of a fractional-second element. */
  digits: number;
  suffix: string;
}

const ZERO_STD: Std[] = ["zeroMonth", "zeroDay", "zeroHour12", "zeroMinute", "zeroSecond", "year"];
const ZONE_ELEMENTS: [string, Std][] = [
  ["-070000", "numSecondsTZ"],
  ["-07:00:00", "numColonSecondsTZ"],
  ["-0700", "numTZ"],
  ["-07:00", "numColonTZ"],
  ["-07", "numShortTZ"],
  ["Z070000", "isoSecondsTZ"],
  ["Z07:00:00", "isoColonSecondsTZ"],
  ["Z0700", "isoTZ"],
  ["Z07:00", "isoColonTZ"],
  ["Z07", "isoShortTZ"],
];

const isDigitAt = (s: string, i: number): boolean => i < s.length && s[i]! >= "0" && s[i]! <= "9";

/** Go's nextStdChunk: the text before the first layout element, the element, the rest. */
function nextChunk(layout: string): Chunk {
  const found = (i: number, std: Std, length: number, digits = 0): Chunk => ({
    prefix: layout.slice(0, i),
    std,
    element: layout.slice(i, i + length),
    digits,
    suffix: layout.slice(i + length),
  });
  const lowerAt = (i: number) => i < layout.length && layout[i]! >= "a" && layout[i]! <= "z";
  for (let i = 0; i < layout.length; i++) {
    const rest = layout.slice(i);
    switch (layout[i]) {
      case "J":
        if (rest.startsWith("January")) return found(i, "longMonth", 7);
        if (rest.startsWith("Jan") && !lowerAt(i + 3)) return found(i, "month", 3);
        break;
      case "M":
        if (rest.startsWith("Monday")) return found(i, "longWeekDay", 6);
        if (rest.startsWith("Mon") && !lowerAt(i + 3)) return found(i, "weekDay", 3);
        if (rest.startsWith("MST")) return found(i, "tz", 3);
        break;
      case "0": {
        const next = layout[i + 1];
        if (next !== undefined && next >= "1" && next <= "6")
          return found(i, ZERO_STD[Number(next) - 1]!, 2);
        if (rest.startsWith("002")) return found(i, "zeroYearDay", 3);
        break;
      }
      case "1":
        return rest.startsWith("15") ? found(i, "hour", 2) : found(i, "numMonth", 1);
      case "2":
        return rest.startsWith("2006") ? found(i, "longYear", 4) : found(i, "day", 1);
      case "_":
        if (layout[i + 1] === "2") {
          if (rest.startsWith("_2006")) return found(i + 1, "longYear", 4);
          return found(i, "underDay", 2);
        }
        if (rest.startsWith("__2")) return found(i, "underYearDay", 3);
        break;
      case "3":
        return found(i, "hour12", 1);
      case "4":
        return found(i, "minute", 1);
      case "5":
        return found(i, "second", 1);
      case "P":
        if (layout[i + 1] === "M") return found(i, "PM", 2);
        break;
      case "p":
        if (layout[i + 1] === "m") return found(i, "pm", 2);
        break;
      case "-":
      case "Z":
        for (const [text, std] of ZONE_ELEMENTS)
          if (rest.startsWith(text)) return found(i, std, text.length);
        break;
      case ".":
      case ",": {
        const digit = layout[i + 1];
        if (digit !== "0" && digit !== "9") break;
        let j = i + 1;
        while (layout[j] === digit) j++;
        if (!isDigitAt(layout, j))
          return found(i, digit === "0" ? "fracSecond0" : "fracSecond9", j - i, j - i - 1);
        break;
      }
    }
  }
  return { prefix: layout, element: "", digits: 0, suffix: "" };
}

class Bad extends Error {}

/** Go's getnum: one or two digits (exactly two when fixed). */
function getNumber(value: string, fixed: boolean, most = 2): [number, string] {
  let n = 0;
  while (n < most && isDigitAt(value, n)) n++;
  if (n === 0 || (fixed && n !== most)) throw new Bad();
  return [Number(value.slice(0, n)), value.slice(n)];
}

/** Go's atoi: an optional sign and digits, all of the text. */
function atoi(text: string): number {
  const match = /^([+-]?)(\d*)$/.exec(text);
  if (!match) throw new Bad();
  const n = Number(match[2] || "0");
  return match[1] === "-" ? -n : n;
}

function lookupName(names: string[], value: string): [number, string] {
  for (const [i, name] of names.entries())
    if (
      value.length >= name.length &&
      value.slice(0, name.length).toLowerCase() === name.toLowerCase()
    )
      return [i, value.slice(name.length)];
  throw new Bad();
}

function parseNanoseconds(value: string, length: number): number {
  if (value[0] !== "." && value[0] !== ",") throw new Bad();
  const digits = value.slice(1, Math.min(length, 10));
  const ns = atoi(digits);
  if (ns < 0) throw new RangeError("fractional second");
  return ns * 10 ** (9 - digits.length);
}

/** Go's parseTimeZone: how much of the value reads as a zone abbreviation (0 for none). */
function zoneNameLength(value: string): number {
  if (value.length < 3) return 0;
  if (value.startsWith("ChST") || value.startsWith("MeST")) return 4;
  if (value.startsWith("GMT")) return 3 + signedOffsetLength(value.slice(3));
  if (value[0] === "+" || value[0] === "-") return signedOffsetLength(value);
  let upper = 0;
  while (upper < 6 && upper < value.length && value[upper]! >= "A" && value[upper]! <= "Z") upper++;
  if (upper === 3) return 3;
  if (upper === 4 && (value[3] === "T" || value.startsWith("WITA"))) return 4;
  if (upper === 5 && value[4] === "T") return 5;
  return 0;
}

function signedOffsetLength(value: string): number {
  const digits = /^[+-](\d+)/.exec(value);
  if (!digits || Number(digits[1]) > 12) return 0;
  return digits[0].length;
}

function trimSpaces(s: string): string {
  return s.replace(/^ +/, "");
}

/** Go's skip: the layout's literal text must follow; a space matches any run of spaces. */
function skipLiteral(value: string, prefix: string): string {
  let v = value;
  let p = prefix;
  while (p.length > 0) {
    if (p[0] === " ") {
      if (v.length > 0 && v[0] !== " ") throw new Bad();
      p = trimSpaces(p);
      v = trimSpaces(v);
      continue;
    }
    if (v.length === 0 || v[0] !== p[0]) throw new Bad();
    p = p.slice(1);
    v = v.slice(1);
  }
  return v;
}

/** Days before each month of a common year, and the year's length. */
const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

const SHORT_MONTHS = MONTHS.map((m) => m.slice(0, 3));
const SHORT_WEEKDAYS = WEEKDAYS.map((d) => d.slice(0, 3));

/** Go's time.Parse with UTC as the default zone, as nanoseconds since the epoch. */
export function parseTime(layout: string, value: string): HostValue {
  const quoted = (s: string) => JSON.stringify(s);
  const cannotParse = (rest: string, element: string) =>
    new Error(
      `parsing time ${quoted(value)} as ${quoted(layout)}: cannot parse ${quoted(rest)} as ${quoted(element)}`,
    );
  const outOfRange = (what: string) =>
    new Error(`parsing time ${quoted(value)}: ${what} out of range`);
  let rest = value;
  let remainingLayout = layout;
  let year = 0;
  let month = -1;
  let day = -1;
  let yearDay = -1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0;
  let pm = false;
  let am = false;
  let offset: number | undefined;
  for (;;) {
    const chunk = nextChunk(remainingLayout);
    try {
      rest = skipLiteral(rest, chunk.prefix);
    } catch {
      throw cannotParse(rest, chunk.prefix);
    }
    if (chunk.std === undefined) {
      if (rest.length > 0)
        throw new Error(`parsing time ${quoted(value)}: extra text: ${quoted(rest)}`);
      break;
    }
    remainingLayout = chunk.suffix;
    const before = rest;
    try {
      switch (chunk.std) {
        case "year": {
          if (rest.length < 2) throw new Bad();
          year = atoi(rest.slice(0, 2));
          year += year >= 69 ? 1900 : 2000;
          rest = rest.slice(2);
          break;
        }
        case "longYear":
          if (rest.length < 4 || !isDigitAt(rest, 0)) throw new Bad();
          year = atoi(rest.slice(0, 4));
          rest = rest.slice(4);
          break;
        case "month":
        case "longMonth": {
          const [index, after] = lookupName(chunk.std === "month" ? SHORT_MONTHS : MONTHS, rest);
          month = index + 1;
          rest = after;
          break;
        }
        case "numMonth":
        case "zeroMonth":
          [month, rest] = getNumber(rest, chunk.std === "zeroMonth");
          if (month <= 0 || month > 12) throw new RangeError("month");
          break;
        case "weekDay":
        case "longWeekDay":
          rest = lookupName(chunk.std === "weekDay" ? SHORT_WEEKDAYS : WEEKDAYS, rest)[1];
          break;
        case "day":
        case "underDay":
        case "zeroDay":
          if (chunk.std === "underDay" && rest[0] === " ") rest = rest.slice(1);
          [day, rest] = getNumber(rest, chunk.std === "zeroDay");
          break;
        case "underYearDay":
        case "zeroYearDay":
          for (let i = 0; i < 2; i++)
            if (chunk.std === "underYearDay" && rest[0] === " ") rest = rest.slice(1);
          [yearDay, rest] = getNumber(rest, chunk.std === "zeroYearDay", 3);
          break;
        case "hour":
          [hour, rest] = getNumber(rest, false);
          if (hour >= 24) throw new RangeError("hour");
          break;
        case "hour12":
        case "zeroHour12":
          [hour, rest] = getNumber(rest, chunk.std === "zeroHour12");
          if (hour > 12) throw new RangeError("hour");
          break;
        case "minute":
        case "zeroMinute":
          [minute, rest] = getNumber(rest, chunk.std === "zeroMinute");
          if (minute >= 60) throw new RangeError("minute");
          break;
        case "second":
        case "zeroSecond": {
          [second, rest] = getNumber(rest, chunk.std === "zeroSecond");
          if (second >= 60) throw new RangeError("second");
          // A fractional second the layout does not spell out is read anyway.
          const next = nextChunk(remainingLayout).std;
          if (
            rest.length >= 2 &&
            (rest[0] === "." || rest[0] === ",") &&
            isDigitAt(rest, 1) &&
            next !== "fracSecond0" &&
            next !== "fracSecond9"
          ) {
            let n = 2;
            while (isDigitAt(rest, n)) n++;
            nanos = parseNanoseconds(rest, n);
            rest = rest.slice(n);
          }
          break;
        }
        case "PM":
        case "pm": {
          if (rest.length < 2) throw new Bad();
          const marker = rest.slice(0, 2);
          const [p, a] = chunk.std === "PM" ? ["PM", "AM"] : ["pm", "am"];
          if (marker === p) pm = true;
          else if (marker === a) am = true;
          else throw new Bad();
          rest = rest.slice(2);
          break;
        }
        case "tz": {
          if (rest.startsWith("UTC")) {
            offset = 0;
            rest = rest.slice(3);
            break;
          }
          // Go looks a zone abbreviation up in the host's zone and otherwise reads the time as
          // UTC; Tollgate, like OPA on a UTC host, reads it as UTC.
          const length = zoneNameLength(rest);
          if (length === 0) throw new Bad();
          rest = rest.slice(length);
          break;
        }
        case "fracSecond0": {
          const length = 1 + chunk.digits;
          if (rest.length < length) throw new Bad();
          nanos = parseNanoseconds(rest, length);
          rest = rest.slice(length);
          break;
        }
        case "fracSecond9": {
          if (rest.length < 2 || (rest[0] !== "." && rest[0] !== ",") || !isDigitAt(rest, 1)) break;
          let n = 1;
          while (isDigitAt(rest, n)) n++;
          nanos = parseNanoseconds(rest, n);
          rest = rest.slice(n);
          break;
        }
        default:
          [offset, rest] = zoneOffset(chunk.std, rest);
      }
    } catch (error) {
      if (error instanceof RangeError) throw outOfRange(error.message);
      if (error instanceof Bad) throw cannotParse(before, chunk.element);
      throw error;
    }
  }
  if (pm && hour < 12) hour += 12;
  else if (am && hour === 12) hour = 0;
  if (yearDay >= 0) {
    let m = 0;
    let d = 0;
    if (isLeap(year)) {
      if (yearDay === 31 + 29) [m, d] = [2, 29];
      else if (yearDay > 31 + 29) yearDay--;
    }
    if (yearDay < 1 || yearDay > 365) throw outOfRange("day-of-year");
    if (m === 0) {
      // On the common-year calendar, as the leap day was taken out above.
      m = Math.floor((yearDay - 1) / 31) + 1;
      if (DAYS_BEFORE[m]! < yearDay) m++;
      d = yearDay - DAYS_BEFORE[m - 1]!;
    }
    if (month >= 0 && month !== m)
      throw new Error(`parsing time ${quoted(value)}: day-of-year does not match month`);
    month = m;
    if (day >= 0 && day !== d)
      throw new Error(`parsing time ${quoted(value)}: day-of-year does not match day`);
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, year)) throw outOfRange("day");
  const t = instantFromFields(year, month, day, hour * 3600 + minute * 60 + second, nanos, UTC);
  return toNanoseconds({ ...t, seconds: t.seconds - (offset ?? 0) });
}

/** A numeric zone offset element ("-07:00", "Z0700", ...), as seconds east of UTC. */
function zoneOffset(std: Std, value: string): [number, string] {
  if (std.startsWith("iso") && value[0] === "Z") return [0, value.slice(1)];
  let fields: [string, string, string];
  let length: number;
  if (std === "isoColonTZ" || std === "numColonTZ") {
    if (value.length < 6 || value[3] !== ":") throw new Bad();
    fields = [value.slice(1, 3), value.slice(4, 6), "00"];
    length = 6;
  } else if (std === "isoShortTZ" || std === "numShortTZ") {
    if (value.length < 3) throw new Bad();
    fields = [value.slice(1, 3), "00", "00"];
    length = 3;
  } else if (std === "isoColonSecondsTZ" || std === "numColonSecondsTZ") {
    if (value.length < 9 || value[3] !== ":" || value[6] !== ":") throw new Bad();
    fields = [value.slice(1, 3), value.slice(4, 6), value.slice(7, 9)];
    length = 9;
  } else if (std === "isoSecondsTZ" || std === "numSecondsTZ") {
    if (value.length < 7) throw new Bad();
    fields = [value.slice(1, 3), value.slice(3, 5), value.slice(5, 7)];
    length = 7;
  } else {
    if (value.length < 5) throw new Bad();
    fields = [value.slice(1, 3), value.slice(3, 5), "00"];
    length = 5;
  }
  const [hours, minutes, seconds] = fields.map((f) => getNumber(f, true)[0]) as [
    number,
    number,
    number,
  ];
  // Go compares with > rather than >=: some write offsets of 24 hours or 60 minutes.
  if (hours > 24) throw new RangeError("time zone offset hour");
  if (minutes > 60) throw new RangeError("time zone offset minute");
  if (seconds > 60) throw new RangeError("time zone offset second");
  const east = (hours * 60 + minutes) * 60 + seconds;
  if (value[0] !== "+" && value[0] !== "-") throw new Bad();
  return [value[0] === "-" ? -east : east, value.slice(length)];
}

/** Go's named layouts, which time.parse_ns accepts by name. */
const NAMED_LAYOUTS = new Map(
  Object.entries({
    ANSIC: "Mon Jan _2 15:04:05 2006",
    UnixDate: "Mon Jan _2 15:04:05 MST 2006",
    RubyDate: "Mon Jan 02 15:04:05 -0700 2006",
    RFC822: "02 Jan 06 15:04 MST",
    RFC822Z: "02 Jan 06 15:04 -0700",
    RFC850: "Monday, 02-Jan-06 15:04:05 MST",
    RFC1123: "Mon, 02 Jan 2006 15:04:05 MST",
    RFC1123Z: "Mon, 02 Jan 2006 15:04:05 -0700",
    RFC3339: "2006-01-02T15:04:05Z07:00",
    RFC3339Nano: "2006-01-02T15:04:05.999999999Z07:00",
  }),
);
const RFC3339 = "2006-01-02T15:04:05Z07:00";

export const timeDefinitions: Record<string, { arity: number; fn: HostFunction }> = {
  "time.parse_ns": {
    arity: 2,
    fn: (layout, value) => {
      const text = str(layout, "1");
      return parseTime(NAMED_LAYOUTS.get(text) ?? text, str(value, "2"));
    },
  },
  "time.parse_rfc3339_ns": {
    arity: 1,
    fn: (value) => parseTime(RFC3339, str(value, "1")),
  },
  "time.parse_duration_ns": {
    arity: 1,
    fn: (value) => integerValue(parseDuration(str(value, "1"))),
  },
  "time.date": {
    arity: 1,
    fn: (value) => {
      const f = fieldsOf(timeOperand(value, "1"));
      return [f.year, f.month, f.day];
    },
  },
  "time.clock": {
    arity: 1,
    fn: (value) => {
      const f = fieldsOf(timeOperand(value, "1"));
      return [f.hour, f.minute, f.second];
    },
  },
  "time.weekday": {
    arity: 1,
    fn: (value) => WEEKDAYS[fieldsOf(timeOperand(value, "1")).weekday]!,
  },
  "time.add_date": { arity: 4, fn: addDate },
  "time.diff": { arity: 2, fn: diff },
};
