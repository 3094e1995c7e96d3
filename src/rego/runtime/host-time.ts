// OPA's time.* builtins with Go's time package semantics: durations as time.ParseDuration,
// calendar fields and AddDate normalisation as time.Time's, layouts (host-time-layout.ts) as
// time.Parse and Time.Format, and results as int64 nanoseconds (an eval error outside
// 1677-09-21..2262-04-11, as OPA's).
import { exactInteger, integer, integerValue, num, str, typeName } from "./host-operands.js";
import {
  daysIn,
  fieldsOf,
  instantFromFields,
  instantOf,
  MAX_NS,
  MIN_NS,
  NS_PER_SECOND,
  toNanoseconds,
  UTC,
  WEEKDAYS,
  zoneNamed,
  type Instant,
} from "./host-time-calendar.js";
import { formatTime, NAMED_LAYOUTS, parseTime, RFC3339, RFC3339_NANO } from "./host-time-layout.js";
import { OperandTypeError, RegoNumber, type HostFunction, type HostValue } from "./host-value.js";

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
    // A third element is time.format's layout (see formatOperand); elsewhere only checked.
    if (value.length > 2) str(value[2], what);
  } else if (typeof value !== "number" && !(value instanceof RegoNumber))
    throw new OperandTypeError(
      `operand ${what} must be ${TIME_OPERAND} but got ${typeName(value)}`,
    );
  const ns = exactInteger(nanoseconds, what);
  if (ns === undefined || ns < MIN_NS || ns > MAX_NS) throw new Error("timestamp too big");
  return instantOf(ns, zone);
}

/** time.format's operand: the time operand, and its third element, the layout, if any. */
function formatOperand(value: HostValue): string {
  const instant = timeOperand(value, "1");
  const given = Array.isArray(value) && value.length > 2 ? str(value[2], "1") : "";
  const layout = given === "" ? RFC3339_NANO : (NAMED_LAYOUTS.get(given) ?? given);
  return formatTime(layout, instant);
}

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
  "time.format": { arity: 1, fn: formatOperand },
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
