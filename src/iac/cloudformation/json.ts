// A positioned JSON reader producing the same template tree as the YAML path, for templates
// written in JSON (CDK output, most generated templates).
// Hand-written (2): the `yaml` package reads JSON correctly but at 2.7 MB/s on a 2 MB
// pretty-printed template, 2.2 MB/s minified and 0.2-0.4 MB/s on dense flow shapes, while
// JSON.parse (about 420 MB/s) gives no positions (bench/cloudformation.ts). This reader keeps
// positions at about 20 MB/s and uses an explicit stack, so depth is checked as it goes.

import type { Span, TemplateEntry, TemplateNode } from "./parse.js";

export interface JsonProblem {
  offset: number;
  code: "json-syntax" | "yaml-too-deep";
  message: string;
}

interface OpenMapping {
  kind: "mapping";
  start: number;
  entries: TemplateEntry[];
  keys: Set<string>;
  pendingKey: { key: string; keySpan: Span } | null;
}

interface OpenSequence {
  kind: "sequence";
  start: number;
  items: TemplateNode[];
}

const WHITESPACE = /[ \t\n\r]*/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;

/** True when the text is meant as JSON: its first significant character opens an object. */
export function looksLikeJson(text: string): boolean {
  return /^\uFEFF?[ \t\n\r]*\{/.test(text);
}

export function parseJsonTemplate(
  text: string,
  maxDepth: number,
): { root: TemplateNode } | { problem: JsonProblem } {
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: Array<OpenMapping | OpenSequence> = [];
  const fail = (message: string, at = position): { problem: JsonProblem } => ({
    problem: { offset: at, code: "json-syntax", message },
  });
  const skipWhitespace = (): void => {
    WHITESPACE.lastIndex = position;
    WHITESPACE.exec(text);
    position = WHITESPACE.lastIndex;
  };
  const readString = (): { value: string; span: Span } | null => {
    STRING.lastIndex = position;
    const match = STRING.exec(text);
    if (match === null) return null;
    const start = position;
    position = STRING.lastIndex;
    const raw = match[0];
    return {
      value: raw.includes("\\") ? (JSON.parse(raw) as string) : raw.slice(1, -1),
      span: { start, end: position },
    };
  };
  /** After `{` or `,` in an object: the next key and its colon. */
  const readKey = (mapping: OpenMapping): { problem: JsonProblem } | null => {
    skipWhitespace();
    const keyStart = position;
    const key = readString();
    if (key === null) return fail('expected a "quoted" key');
    if (mapping.keys.has(key.value)) return fail(`duplicate key "${key.value}"`, keyStart);
    mapping.keys.add(key.value);
    skipWhitespace();
    if (text[position] !== ":") return fail(`expected ":" after the key "${key.value}"`);
    position++;
    mapping.pendingKey = { key: key.value, keySpan: key.span };
    return null;
  };

  for (;;) {
    skipWhitespace();
    let value: TemplateNode | null = null;
    const start = position;
    const opener = text[position];
    if (opener === "{" || opener === "[") {
      if (stack.length + 1 > maxDepth)
        return {
          problem: {
            offset: start,
            code: "yaml-too-deep",
            message: `nesting deeper than ${maxDepth} levels`,
          },
        };
      position++;
      skipWhitespace();
      const closer = opener === "{" ? "}" : "]";
      if (text[position] === closer) {
        position++;
        value =
          opener === "{"
            ? { kind: "mapping", entries: [], span: { start, end: position } }
            : { kind: "sequence", items: [], span: { start, end: position } };
      } else if (opener === "{") {
        const mapping: OpenMapping = {
          kind: "mapping",
          start,
          entries: [],
          keys: new Set(),
          pendingKey: null,
        };
        stack.push(mapping);
        const problem = readKey(mapping);
        if (problem !== null) return problem;
        continue;
      } else {
        stack.push({ kind: "sequence", start, items: [] });
        continue;
      }
    } else {
      const string = readString();
      if (string !== null) {
        value = { kind: "scalar", value: string.value, span: string.span };
      } else {
        for (const pattern of [NUMBER, LITERAL]) {
          pattern.lastIndex = position;
          const match = pattern.exec(text);
          if (match === null) continue;
          position = pattern.lastIndex;
          const raw = match[0];
          const number = Number(raw);
          // Like the YAML path: a number JSON cannot hold (1e400) keeps its text.
          const scalar =
            pattern === LITERAL
              ? (JSON.parse(raw) as boolean | null)
              : Number.isFinite(number)
                ? number
                : raw;
          value = { kind: "scalar", value: scalar, span: { start, end: position } };
          break;
        }
        if (value === null)
          return fail(
            opener === undefined
              ? "unexpected end of file, expected a value"
              : `unexpected "${opener}", expected a value`,
          );
      }
    }

    // A value is complete: attach it, then close every container that ends right after it.
    for (;;) {
      const parent = stack.at(-1);
      if (parent === undefined) {
        skipWhitespace();
        if (position < text.length)
          return fail(`unexpected "${text[position]}" after the end of the document`);
        return { root: value };
      }
      if (parent.kind === "mapping" && parent.pendingKey !== null) {
        parent.entries.push({ ...parent.pendingKey, value });
        parent.pendingKey = null;
      } else if (parent.kind === "sequence") {
        parent.items.push(value);
      }
      skipWhitespace();
      const next = text[position];
      const closer = parent.kind === "mapping" ? "}" : "]";
      if (next === ",") {
        position++;
        if (parent.kind === "mapping") {
          const problem = readKey(parent);
          if (problem !== null) return problem;
        }
        break;
      }
      if (next !== closer)
        return fail(
          next === undefined
            ? `unexpected end of file, expected "," or "${closer}"`
            : `unexpected "${next}", expected "," or "${closer}"`,
        );
      position++;
      stack.pop();
      const span = { start: parent.start, end: position };
      value =
        parent.kind === "mapping"
          ? { kind: "mapping", entries: parent.entries, span }
          : { kind: "sequence", items: parent.items, span };
    }
  }
}
