// Go `fmt` formatting for Go templates (strings.render_template, host-template.ts). Rego's own
// sprintf is native in the Wasm runtime (assembly/sprintf.ts), so a plain OPA SDK runs it.
import { canBackquote, goQuote, goQuoteRune, goRune } from "./go-quote.js";

/**
 * A Go value as fmt sees it in a template: int, float64, string, bool, nil, and the slices and
 * maps of `any` that JSON decodes to, whose elements fmt prints one by one with the verb.
 */
export type GoArg =
  | { kind: "int"; value: bigint }
  | { kind: "float"; value: number }
  | { kind: "string"; value: string }
  | { kind: "bool"; value: boolean }
  | { kind: "nil" }
  | { kind: "slice"; elements: GoArg[] }
  /** Entries in key order, as fmt sorts them. */
  | { kind: "map"; entries: [string, GoArg][] };

/** Widths and precisions past this are refused: Go would pad to them, a scan cannot. */
const MAX_WIDTH = 100_000;

interface Spec {
  minus: boolean;
  plus: boolean;
  space: boolean;
  zero: boolean;
  sharp: boolean;
  width?: number;
  precision?: number;
}

const PLAIN: Spec = { minus: false, plus: false, space: false, zero: false, sharp: false };

const GO_TYPE_NAMES: Record<GoArg["kind"], string> = {
  int: "int",
  float: "float64",
  string: "string",
  bool: "bool",
  nil: "<nil>",
  slice: "[]interface {}",
  map: "map[string]interface {}",
};

function plainValue(a: GoArg): string {
  switch (a.kind) {
    case "int":
      return a.value.toString();
    case "float":
      return formatG(a.value, undefined);
    case "string":
      return a.value;
    case "bool":
      return String(a.value);
    default:
      return formatOne("v", a, PLAIN);
  }
}

/** Go's exponent form: at least two exponent digits, explicit sign. */
function goExponent(text: string): string {
  return text.replace(/e([+-])(\d)$/, "e$10$2");
}

/** %g / %v of a float: shortest digits unless a precision is given; exponent form outside [-4, eprec). */
function formatG(x: number, precision: number | undefined): string {
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : x < 0 ? "-Inf" : "NaN";
  const exp =
    precision === undefined ? x.toExponential() : x.toExponential(Math.max(precision, 1) - 1);
  const [mantissa, e] = exp.split("e") as [string, string];
  const exponent = Number(e);
  const digits = mantissa.replace(/[-.]/g, "").replace(/0+$/, "") || "0";
  let eprec = precision === undefined ? 6 : Math.max(precision, 1);
  if (precision !== undefined && eprec > digits.length && digits.length >= exponent + 1)
    eprec = digits.length;
  if (exponent < -4 || exponent >= eprec) {
    const m = mantissa.includes(".") ? mantissa.replace(/\.?0+$/, "") : mantissa;
    return goExponent(`${m}e${exponent < 0 ? "-" : "+"}${Math.abs(exponent)}`);
  }
  const fixed = x.toFixed(Math.max(0, digits.length - exponent - 1));
  return fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
}

/** Go's pad: the width counts runes, not UTF-16 code units. */
function pad(text: string, spec: Spec, numeric: boolean): string {
  const missing = (spec.width ?? 0) - [...text].length;
  if (missing <= 0) return text;
  if (spec.minus) return text + " ".repeat(missing);
  if (spec.zero && numeric) {
    const sign = /^[+-]/.test(text) ? text[0]! : "";
    return sign + "0".repeat(missing) + text.slice(sign.length);
  }
  return " ".repeat(missing) + text;
}

function signed(text: string, spec: Spec): string {
  if (text.startsWith("-")) return text;
  return spec.plus ? `+${text}` : spec.space ? ` ${text}` : text;
}

function formatOne(verb: string, a: GoArg, spec: Spec): string {
  const bad = () => `%!${verb}(${GO_TYPE_NAMES[a.kind]}=${plainValue(a)})`;
  if (verb === "T") return pad(GO_TYPE_NAMES[a.kind], spec, false);
  switch (a.kind) {
    case "int": {
      const n = a.value;
      const neg = n < 0n;
      const abs = neg ? -n : n;
      const withSign = (digits: string) => pad(signed((neg ? "-" : "") + digits, spec), spec, true);
      switch (verb) {
        case "v":
        case "d":
          return withSign(abs.toString());
        case "x":
          return withSign((spec.sharp ? "0x" : "") + abs.toString(16));
        case "X":
          return withSign((spec.sharp ? "0X" : "") + abs.toString(16).toUpperCase());
        case "o":
          return withSign((spec.sharp ? "0" : "") + abs.toString(8));
        case "b":
          return withSign(abs.toString(2));
        case "c":
          return pad(String.fromCodePoint(goRune(n)), spec, false);
        case "q":
          return pad(goQuoteRune(n, spec.plus), spec, false);
        default:
          return bad();
      }
    }
    case "float": {
      const x = a.value;
      switch (verb) {
        case "v":
          return pad(signed(formatG(x, spec.precision), spec), spec, true);
        case "g":
          return pad(signed(formatG(x, spec.precision), spec), spec, true);
        case "G":
          return pad(signed(formatG(x, spec.precision).toUpperCase(), spec), spec, true);
        case "f":
        case "F":
          return pad(signed(x.toFixed(spec.precision ?? 6), spec), spec, true);
        case "e":
        case "E": {
          const e = goExponent(x.toExponential(spec.precision ?? 6));
          return pad(signed(verb === "E" ? e.toUpperCase() : e, spec), spec, true);
        }
        default:
          return bad();
      }
    }
    case "string": {
      // A precision truncates to that many runes, before quoting.
      const s =
        spec.precision === undefined ? a.value : [...a.value].slice(0, spec.precision).join("");
      switch (verb) {
        case "v":
        case "s":
          return pad(s, spec, false);
        case "q":
          if (spec.sharp && canBackquote(s)) return pad(`\`${s}\``, spec, false);
          return pad(goQuote(s, spec.plus), spec, false);
        case "x":
        case "X": {
          // Here the precision counts bytes (Go's fmtSbx).
          const hex = Buffer.from(a.value, "utf8").subarray(0, spec.precision).toString("hex");
          return pad(verb === "X" ? hex.toUpperCase() : hex, spec, false);
        }
        default:
          return bad();
      }
    }
    case "bool":
      return verb === "v" || verb === "t" ? pad(String(a.value), spec, false) : bad();
    case "nil":
      return verb === "v" ? pad("<nil>", spec, false) : `%!${verb}(<nil>)`;
    case "slice":
      return `[${a.elements.map((e) => element(verb, e, spec)).join(" ")}]`;
    case "map":
      return `map[${a.entries
        .map(
          ([k, v]) =>
            `${formatOne(verb, { kind: "string", value: k }, spec)}:${element(verb, v, spec)}`,
        )
        .join(" ")}]`;
  }
}

/** An element of a slice or map: printed with the verb and flags, but a nil as `<nil>` for any. */
function element(verb: string, e: GoArg, spec: Spec): string {
  return e.kind === "nil" ? pad("<nil>", spec, false) : formatOne(verb, e, spec);
}

/** Go's fmt.Sprintf over values already given their Go types. */
export function formatGoArgs(format: string, args: GoArg[]): string {
  let next = 0;
  let out = "";
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== "%") {
      out += c;
      continue;
    }
    const spec: Spec = { minus: false, plus: false, space: false, zero: false, sharp: false };
    let j = i + 1;
    for (; j < format.length; j++) {
      const f = format[j];
      if (f === "-") spec.minus = true;
      else if (f === "+") spec.plus = true;
      else if (f === " ") spec.space = true;
      else if (f === "0") spec.zero = true;
      else if (f === "#") spec.sharp = true;
      else break;
    }
    const width = /^\d+/.exec(format.slice(j));
    if (width) {
      spec.width = Number(width[0]);
      j += width[0].length;
    }
    if (format[j] === ".") {
      const precision = /^\d*/.exec(format.slice(j + 1))![0];
      spec.precision = Number(precision || "0");
      j += 1 + precision.length;
    }
    if ((spec.width ?? 0) > MAX_WIDTH || (spec.precision ?? 0) > MAX_WIDTH)
      throw new Error(`format width or precision over ${MAX_WIDTH}`);
    const verb = format[j];
    i = j;
    if (verb === undefined) {
      out += "%!(NOVERB)";
      break;
    }
    if (verb === "%") {
      out += "%";
      continue;
    }
    const arg = args[next++];
    out += arg === undefined ? `%!${verb}(MISSING)` : formatOne(verb, arg, spec);
  }
  if (next < args.length) {
    out += `%!(EXTRA ${args
      .slice(next)
      .map((a) => (a.kind === "nil" ? "<nil>" : `${GO_TYPE_NAMES[a.kind]}=${plainValue(a)}`))
      .join(", ")})`;
  }
  return out;
}
