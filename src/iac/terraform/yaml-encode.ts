// `yamlencode` as Terraform writes it (go-cty-yaml over go-yaml's libyaml emitter): block style,
// sorted keys, every key and string double-quoted, a string with a newline as a literal block,
// sequences under a key not indented. Hand-written because a policy may compare the text (a Helm
// values string, a user-data document) and the `yaml` package writes other text: measured on the
// 10 layouts functions.test.ts pins, its closest options (sorted keys, double-quoted keys and
// strings, unindented sequences) give Terraform's text for 5; with multi-line strings set to
// literal blocks node by node, 8 (no `...` after a plain root scalar; a space before a newline,
// U+0085 and characters past U+FFFF escaped otherwise). It also folds a long string before
// column 80 where go-yaml folds after it, so any long description differs.
import type { Value } from "../../model/types.js";
import { formatNumber, isObject, sortedKeys } from "./values.js";

/** go-yaml's line width: a double-quoted string is folded at a space past this column. */
const BEST_WIDTH = 80;
const INDENT = 2;

/** The YAML document for a value with no unknown inside, ending with a newline. */
export function encodeYaml(value: Value): string {
  if (isCollection(value)) return collection(value, 0, false).join("\n") + "\n";
  const text = scalar(value, INDENT, 0);
  // go-yaml ends a document whose root is a plain scalar with `...`.
  const plain = value === null || typeof value === "number" || typeof value === "boolean";
  return text + "\n" + (plain ? "...\n" : "");
}

type Collection = Value[] | { [key: string]: Value };

function isCollection(value: Value): value is Collection {
  if (Array.isArray(value)) return value.length > 0;
  return isObject(value) && Object.keys(value).length > 0;
}

/**
 * A non-empty mapping or sequence whose entries start at column `indent`, as lines; with
 * `inline` its first line follows an indicator already written (`- `), so it has no indent.
 */
function collection(value: Collection, indent: number, inline: boolean): string[] {
  const lines: string[] = [];
  const pad = " ".repeat(indent);
  if (Array.isArray(value)) {
    for (const item of value) {
      const lead = `${pad}- `;
      if (isCollection(item)) {
        const [first = "", ...rest] = collection(item, indent + INDENT, true);
        lines.push(lead + first, ...rest);
      } else lines.push(...(lead + scalar(item, indent + INDENT, lead.length)).split("\n"));
    }
  } else {
    for (const key of sortedKeys(value)) {
      const item = value[key] as Value;
      const lead = `${pad}${doubleQuoted(key, indent, pad.length, false)}:`;
      if (!isCollection(item))
        lines.push(...`${lead} ${scalar(item, indent + INDENT, lead.length + 1)}`.split("\n"));
      else if (Array.isArray(item)) lines.push(lead, ...collection(item, indent, false));
      else lines.push(lead, ...collection(item, indent + INDENT, false));
    }
  }
  if (inline && lines.length > 0) lines[0] = (lines[0] as string).slice(indent);
  return lines;
}

/** A scalar (or empty collection) starting at `column`; lines after the first are indented `indent`. */
function scalar(value: Value, indent: number, column: number): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (value === Infinity) return "+.Inf";
    if (value === -Infinity) return "-.Inf";
    return formatNumber(value);
  }
  if (Array.isArray(value)) return "[]";
  if (typeof value !== "string") return "{}";
  if (value.includes("\n") && literalAllowed(value)) return literal(value, indent);
  return doubleQuoted(value, indent, column, true);
}

/**
 * libyaml writes a literal block unless a line ends with a space, or a character is not
 * printable (a tab, a carriage return) or is a line break other than `\n` (we quote those
 * rather than write a break YAML 1.2 readers would not see).
 */
function literalAllowed(text: string): boolean {
  if (text.endsWith(" ") || text.includes(" \n")) return false;
  return [...text].every((c) => c === "\n" || (printable(c) && !"\u2028\u2029".includes(c)));
}

function literal(text: string, indent: number): string {
  const indentHint = text.startsWith(" ") || text.startsWith("\n") ? String(INDENT) : "";
  const chomp = !text.endsWith("\n") ? "-" : text === "\n" || text.endsWith("\n\n") ? "+" : "";
  const lines = text.split("\n");
  if (text.endsWith("\n")) lines.pop();
  const pad = " ".repeat(indent);
  return [`|${indentHint}${chomp}`, ...lines.map((line) => (line === "" ? "" : pad + line))].join(
    "\n",
  );
}

/** YAML's printable set as go-yaml tests it (no astral characters, no C1 controls, no BOM). */
function printable(c: string): boolean {
  const code = c.codePointAt(0) as number;
  return (
    code === 0x0a ||
    (code >= 0x20 && code <= 0x7e) ||
    (code >= 0xa0 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff)
  );
}

const ESCAPES: Record<string, string> = {
  "\0": "0",
  "\x07": "a",
  "\b": "b",
  "\t": "t",
  "\n": "n",
  "\v": "v",
  "\f": "f",
  "\r": "r",
  "\x1b": "e",
  '"': '"',
  "\\": "\\",
  "\x85": "N",
  "\u2028": "L",
  "\u2029": "P",
};

/**
 * A double-quoted scalar starting at `column`. With `foldable` (not a key), a space past the
 * line width, not the first or last character nor after another space, becomes a line break
 * indented `indent` (read back as that space); a space starting the next line is escaped.
 */
function doubleQuoted(text: string, indent: number, column: number, foldable: boolean): string {
  const chars = [...text];
  let out = '"';
  let at = column + 1;
  let afterSpace = false;
  chars.forEach((c, i) => {
    const escape = ESCAPES[c];
    if (escape !== undefined || !printable(c)) {
      const code = c.codePointAt(0) as number;
      const written =
        escape !== undefined
          ? `\\${escape}`
          : code <= 0xff
            ? `\\x${hex(code, 2)}`
            : code <= 0xffff
              ? `\\u${hex(code, 4)}`
              : `\\U${hex(code, 8)}`;
      out += written;
      at += written.length;
      afterSpace = false;
    } else if (c === " ") {
      if (foldable && !afterSpace && at > BEST_WIDTH && i > 0 && i < chars.length - 1) {
        out += "\n" + " ".repeat(indent);
        at = indent;
        if (chars[i + 1] === " ") {
          out += "\\";
          at += 1;
        }
      } else {
        out += c;
        at += 1;
      }
      afterSpace = true;
    } else {
      out += c;
      at += 1;
      afterSpace = false;
    }
  });
  return out + '"';
}

function hex(code: number, width: number): string {
  return code.toString(16).toUpperCase().padStart(width, "0");
}
