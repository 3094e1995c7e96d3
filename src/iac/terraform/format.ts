// Terraform's `format`/`formatlist` verbs (Go fmt style as cty implements them: %s %d %f %e %g
// %t %q %v %x %X %o %b %%, flags `-+ 0#`, width, precision, `%[n]` argument index). Hand-written
// (1) because no installed library formats the Go way, and Terraform's own rules are small.
import { isUnknown, type Value } from "../../model/types.js";
import { marshalJson } from "./json.js";
import {
  EvaluationError,
  formatNumber,
  toBoolValue,
  toNumberValue,
  toStringValue,
  type ValueObject,
} from "./values.js";

const VERB = /%([-+ 0#]*)(?:\[(\d+)\])?(\d+|\*)?(?:\.(\d+))?(?:\[(\d+)\])?([a-zA-Z%])/gy;

/** Formats `args` with `spec`; returns undefined when any used argument is unknown. */
export function formatGo(spec: string, args: readonly Value[]): string | undefined {
  let out = "";
  let next = 0;
  let cursor = 0;
  while (cursor < spec.length) {
    const percent = spec.indexOf("%", cursor);
    if (percent < 0) {
      out += spec.slice(cursor);
      break;
    }
    out += spec.slice(cursor, percent);
    VERB.lastIndex = percent;
    const match = VERB.exec(spec);
    if (!match)
      throw new EvaluationError(
        `invalid format verb at offset ${percent} in ${JSON.stringify(spec)}`,
        "terraform-format",
      );
    cursor = VERB.lastIndex;
    const [, flags = "", indexBefore, widthText, precisionText, indexAfter, verb = ""] = match;
    if (verb === "%") {
      out += "%";
      continue;
    }
    const explicit = indexBefore ?? indexAfter;
    if (explicit !== undefined) next = Number(explicit) - 1;
    let width = widthText === undefined ? undefined : Number(widthText);
    if (widthText === "*") {
      const w = args[next++];
      width = typeof w === "number" ? w : undefined;
    }
    if (next >= args.length)
      throw new EvaluationError(
        `format ${JSON.stringify(spec)} needs more arguments than the ${args.length} given`,
        "terraform-format",
      );
    const arg = args[next++] as Value;
    if (isUnknown(arg)) return undefined;
    const precision = precisionText === undefined ? undefined : Number(precisionText);
    out += pad(formatOne(verb, arg, flags, precision), flags, width, verb);
  }
  if (next < args.length && !/%\[\d+\]/.test(spec)) {
    throw new EvaluationError(
      `format ${JSON.stringify(spec)} has too many arguments: ${args.length} given, ${next} used`,
      "terraform-format",
    );
  }
  return out;
}

function formatOne(verb: string, arg: Value, flags: string, precision: number | undefined): string {
  // Go writes the sign of a negative zero (`%f` of -0 is -0.000000); JavaScript's digits do not.
  const sign = (n: number, text: string): string =>
    Object.is(n, -0)
      ? text.startsWith("-")
        ? text
        : "-" + text
      : n >= 0 && flags.includes("+")
        ? "+" + text
        : n >= 0 && flags.includes(" ")
          ? " " + text
          : text;
  switch (verb) {
    case "s": {
      const text = toStringValue(arg, "format argument") as string;
      return precision === undefined ? text : [...text].slice(0, precision).join("");
    }
    case "q":
      return JSON.stringify(toStringValue(arg, "format argument") as string);
    case "v":
      if (typeof arg === "string") return arg;
      if (typeof arg === "number") return shortestG(arg);
      if (typeof arg === "boolean" || arg === null) return String(arg);
      return marshalJson(arg as Value[] | ValueObject);
    case "t":
      return String(toBoolValue(arg, "format argument"));
    case "d": {
      // An integer has no negative zero: `%d` of -0 is 0.
      const n = integer(arg) + 0;
      return sign(n, String(n));
    }
    case "x":
    case "X":
    case "o":
    case "b": {
      const n = integer(arg);
      const radix = verb === "o" ? 8 : verb === "b" ? 2 : 16;
      const prefix = flags.includes("#") ? { 8: "0", 2: "0b", 16: "0x" }[radix] : "";
      const digits = Math.abs(n).toString(radix);
      const text = (n < 0 ? "-" : "") + prefix + (verb === "X" ? digits.toUpperCase() : digits);
      return verb === "X" ? text.replace("0x", "0X") : text;
    }
    case "f":
    case "F": {
      const n = toNumberValue(arg, "format argument") as number;
      return sign(n, fixed(n, precision ?? 6));
    }
    case "e":
    case "E": {
      const n = toNumberValue(arg, "format argument") as number;
      const text = exponential(n, precision ?? 6);
      return sign(n, verb === "E" ? text.toUpperCase() : text);
    }
    case "g":
    case "G": {
      const n = toNumberValue(arg, "format argument") as number;
      const text =
        precision === undefined ? shortestG(n) : String(Number(n.toPrecision(precision)));
      return sign(n, verb === "G" ? text.toUpperCase() : text);
    }
    default:
      throw new EvaluationError(`unsupported format verb %${verb}`, "terraform-format");
  }
}

/**
 * Whether `exact` (a number's decimal digits, long enough to be exact) has a 5 then only zeros
 * after the digit `kept` characters in: a tie, which Go rounds to the even digit where
 * JavaScript's toFixed/toExponential round away from zero.
 */
function tieAfter(exact: string, kept: number): boolean {
  return exact[kept] === "5" && /^0*$/.test(exact.slice(kept + 1));
}

/** Go's %.Nf: exact decimal digits rounded half to even; all digits of a large number. */
function fixed(n: number, precision: number): string {
  if (Math.abs(n) >= 1e21) return `${BigInt(n)}${precision > 0 ? "." + "0".repeat(precision) : ""}`;
  const exact = n.toFixed(Math.min(100, precision + 30));
  const kept = exact.indexOf(".") + (precision > 0 ? precision + 1 : 0);
  if (!tieAfter(exact, precision > 0 ? kept : exact.indexOf(".") + 1)) return n.toFixed(precision);
  const truncated = exact.slice(0, precision > 0 ? kept : exact.indexOf("."));
  return Number(truncated.at(-1)) % 2 === 0 ? truncated : n.toFixed(precision);
}

/** Go's %.Ne: rounded half to even, an exponent of at least two digits. */
function exponential(n: number, precision: number): string {
  const exact = n.toExponential(Math.min(100, precision + 30));
  const mantissaEnd = exact.indexOf("e");
  const digitsStart = exact.startsWith("-") ? 1 : 0;
  const kept = digitsStart + (precision > 0 ? precision + 2 : 1);
  const mantissa = exact.slice(0, mantissaEnd);
  const rounded =
    tieAfter(mantissa, precision > 0 ? kept : digitsStart + 2) &&
    Number(mantissa[kept - 1]) % 2 === 0
      ? `${mantissa.slice(0, kept)}${exact.slice(mantissaEnd)}`
      : n.toExponential(precision);
  return rounded.replace(/e([+-])(\d)$/, "e$10$2");
}

/** Go's %g with the shortest digits (cty's %v of a number too): %e below 1e-4 and from 1e6. */
function shortestG(n: number): string {
  const [mantissa = "", exponent = "0"] = n.toExponential().split("e");
  const power = Number(exponent);
  if (!Number.isFinite(n)) return formatNumber(n);
  if (n === 0) return formatNumber(n);
  if (power >= -4 && power < 6) return String(n);
  return exponential(n, mantissa.replace(/^-|\./g, "").length - 1);
}

function integer(arg: Value): number {
  const n = toNumberValue(arg, "format argument") as number;
  if (!Number.isInteger(n))
    throw new EvaluationError(`format %d needs a whole number, got ${n}`, "terraform-format");
  return n;
}

function pad(text: string, flags: string, width: number | undefined, verb: string): string {
  if (width !== undefined && width > 10_000)
    throw new EvaluationError(`format width ${width} is larger than 10000`, "terraform-format");
  const length = [...text].length;
  if (width === undefined || length >= width) return text;
  const fill = width - length;
  if (flags.includes("-")) return text + " ".repeat(fill);
  if (flags.includes("0") && "dfFeEgGxXob".includes(verb)) {
    const signed = /^[+\- ]/.test(text) ? 1 : 0;
    return text.slice(0, signed) + "0".repeat(fill) + text.slice(signed);
  }
  return " ".repeat(fill) + text;
}
