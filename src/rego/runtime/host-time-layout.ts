// Go's time layouts ("2006-01-02T15:04:05Z07:00"), read by one tokenizer (Go's nextStdChunk)
// for both directions: parseTime is time.Parse (time.parse_ns, time.parse_rfc3339_ns) and
// formatTime is Time.Format (time.format).
import {
  daysFromCivil,
  daysIn,
  fieldsOf,
  instantFromFields,
  isLeap,
  MONTHS,
  toNanoseconds,
  UTC,
  WEEKDAYS,
  type Instant,
} from "./host-time-calendar.js";
import type { HostValue } from "./host-value.js";

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

/** Go's appendInt: the decimal digits of n, zero-padded to width, after a '-' if negative. */
function padded(n: number, width: number): string {
  const digits = String(Math.abs(n)).padStart(width, "0");
  return n < 0 ? `-${digits}` : digits;
}

/** A zone offset as the numeric and ISO 8601 elements print it ("Z" only for ISO at UTC). */
function formatOffset(std: Std, offset: number): string {
  if (offset === 0 && std.startsWith("iso")) return "Z";
  const colon = std.includes("Colon") ? ":" : "";
  const absolute = Math.abs(offset);
  const minutes = Math.floor(absolute / 60);
  let text = `${offset < 0 ? "-" : "+"}${padded(Math.floor(minutes / 60), 2)}`;
  if (!std.endsWith("ShortTZ")) text += colon + padded(minutes % 60, 2);
  if (std.endsWith("SecondsTZ")) text += colon + padded(absolute % 60, 2);
  return text;
}

/** Go's appendNano: `digits` places of the second's fraction; the 9s form drops trailing zeros. */
function formatFraction(nanos: number, chunk: Chunk, std: "fracSecond0" | "fracSecond9"): string {
  if (std === "fracSecond9" && nanos === 0) return "";
  let digits = padded(nanos, 9).slice(0, chunk.digits);
  if (std === "fracSecond9") digits = digits.replace(/0+$/, "");
  return digits === "" ? "" : `${chunk.element[0]!}${digits}`;
}

/** Go's Time.Format: each layout element replaced by the instant's field, read in its zone. */
export function formatTime(layout: string, t: Instant): string {
  const f = fieldsOf(t);
  const offset = t.zone.offsetAt(t.seconds);
  const yearDay = daysFromCivil(f.year, f.month, f.day) - daysFromCivil(f.year, 1, 1) + 1;
  const hour12 = f.hour % 12 === 0 ? 12 : f.hour % 12;
  let out = "";
  let rest = layout;
  for (;;) {
    const chunk = nextChunk(rest);
    out += chunk.prefix;
    if (chunk.std === undefined) return out;
    rest = chunk.suffix;
    switch (chunk.std) {
      case "year":
        out += padded(f.year % 100, 2);
        break;
      case "longYear":
        out += padded(f.year, 4);
        break;
      case "month":
        out += SHORT_MONTHS[f.month - 1]!;
        break;
      case "longMonth":
        out += MONTHS[f.month - 1]!;
        break;
      case "numMonth":
        out += String(f.month);
        break;
      case "zeroMonth":
        out += padded(f.month, 2);
        break;
      case "weekDay":
        out += SHORT_WEEKDAYS[f.weekday]!;
        break;
      case "longWeekDay":
        out += WEEKDAYS[f.weekday]!;
        break;
      case "day":
        out += String(f.day);
        break;
      case "underDay":
        out += String(f.day).padStart(2, " ");
        break;
      case "zeroDay":
        out += padded(f.day, 2);
        break;
      case "underYearDay":
        out += String(yearDay).padStart(3, " ");
        break;
      case "zeroYearDay":
        out += padded(yearDay, 3);
        break;
      case "hour":
        out += padded(f.hour, 2);
        break;
      case "hour12":
        out += String(hour12);
        break;
      case "zeroHour12":
        out += padded(hour12, 2);
        break;
      case "minute":
        out += String(f.minute);
        break;
      case "zeroMinute":
        out += padded(f.minute, 2);
        break;
      case "second":
        out += String(f.second);
        break;
      case "zeroSecond":
        out += padded(f.second, 2);
        break;
      case "PM":
        out += f.hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += f.hour >= 12 ? "pm" : "am";
        break;
      case "tz":
        out += t.zone.abbreviationAt(t.seconds);
        break;
      case "fracSecond0":
      case "fracSecond9":
        out += formatFraction(t.nanos, chunk, chunk.std);
        break;
      default:
        out += formatOffset(chunk.std, offset);
    }
  }
}

/** Go's named layouts, which time.parse_ns accepts by name. */
export const NAMED_LAYOUTS = new Map(
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
export const RFC3339 = "2006-01-02T15:04:05Z07:00";
export const RFC3339_NANO = "2006-01-02T15:04:05.999999999Z07:00";
