// Seeded, deterministic mutation fuzzing of both readers on corpus files: whatever the bytes,
// parsing returns a body and errors (never throws), every error points inside the file, and
// every node's range lies inside the text. The parsers' own loops each consume input or stop,
// so termination needs no timer here.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { corpusFiles } from "../../../test/support/corpus.js";
import type { Body } from "./ast.js";
import { parseHcl, parseTfJson } from "./index.js";
import type { LoadError } from "../../model/types.js";

/** mulberry32: a small seeded generator, so every run mutates the same way. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = [
  "{",
  "}",
  "[",
  "]",
  "(",
  ")",
  '"',
  "${",
  "%{",
  "<<EOF\n",
  "<<-",
  "\\",
  "/*",
  "#",
  "=",
  ".",
  "*",
  "~",
  "\n",
  "::",
  "...",
  "\u0000",
  "\uFEFF",
  "é",
  "名",
  "😀",
  "\ud800",
  "\u2028",
];

function mutate(text: string, random: () => number): string {
  const pick = (n: number): number => Math.floor(random() * n);
  const at = pick(text.length + 1);
  const span = 1 + pick(40);
  const lines = text.split("\n");
  switch (pick(9)) {
    case 0:
      return text.slice(0, at) + text.slice(at + span);
    case 1:
      return text.slice(0, at) + (NASTY[pick(NASTY.length)] as string) + text.slice(at);
    case 2:
      return (
        text.slice(0, at) + text.slice(at, at + span).repeat(2 + pick(3)) + text.slice(at + span)
      );
    case 3: {
      const other = pick(text.length + 1);
      const [a, b] = at < other ? [at, other] : [other, at];
      return (
        text.slice(0, a) +
        text.charAt(b) +
        text.slice(a + 1, b) +
        text.charAt(a) +
        text.slice(b + 1)
      );
    }
    case 4: {
      const i = pick(lines.length);
      const j = pick(lines.length);
      [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
      return lines.join("\n");
    }
    case 5:
      lines.splice(pick(lines.length), 1 + pick(3));
      return lines.join("\n");
    case 6:
      return text.slice(0, at);
    case 7:
      return text.slice(0, at) + "{".repeat(1 + pick(200)) + text.slice(at);
    default: {
      let noise = "";
      for (let k = 0; k < span; k++) noise += String.fromCodePoint(pick(0x2ffff));
      return text.slice(0, at) + noise + text.slice(at);
    }
  }
}

function checkResult(
  text: string,
  result: { body: Body; errors: LoadError[] },
  file: string,
): string[] {
  const problems: string[] = [];
  const lines = text.split("\n");
  for (const error of result.errors) {
    const lineText = lines[error.line - 1];
    const inside =
      error.file === file &&
      lineText !== undefined &&
      error.column >= 1 &&
      error.column <= lineText.length + 1 &&
      error.code.length > 0 &&
      error.message.length > 0;
    if (!inside) problems.push(`error outside the file: ${JSON.stringify(error)}`);
  }
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== "object" || node === null) return;
    const range = node as { start?: unknown; end?: unknown };
    if (typeof range.start === "number" && typeof range.end === "number") {
      if (range.start < 0 || range.end > text.length || range.end < range.start) {
        problems.push(`node outside the text: ${JSON.stringify(node).slice(0, 100)}`);
      }
    }
    Object.values(node).forEach(visit);
  };
  visit(result.body);
  return problems;
}

describe("fuzzing", () => {
  const files = corpusFiles(".tf");

  it("parseHcl survives 3000 mutations of corpus files", () => {
    const random = generator(20261126);
    const problems: string[] = [];
    let withErrors = 0;
    for (let round = 0; round < 3000; round++) {
      const file = files[Math.floor(random() * files.length)] as string;
      let text = readFileSync(file, "utf8");
      const times = 1 + Math.floor(random() * 4);
      for (let k = 0; k < times; k++) text = mutate(text, random);
      const result = parseHcl(text, "fuzz.tf");
      if (result.errors.length > 0) withErrors++;
      problems.push(...checkResult(text, result, "fuzz.tf"));
    }
    expect(problems.slice(0, 5)).toEqual([]);
    // The mutations do break files: most rounds must report errors, or they test nothing.
    expect(withErrors).toBeGreaterThan(1500);
  });

  it("parseTfJson survives 1500 mutations of JSON documents", () => {
    const random = generator(7);
    const documents = files
      .slice(0, 40)
      .map((file) =>
        JSON.stringify(
          { resource: { t: { n: parseHcl(readFileSync(file, "utf8"), file).body } } },
          null,
          1,
        ).slice(0, 20_000),
      );
    const problems: string[] = [];
    for (let round = 0; round < 1500; round++) {
      let text = documents[Math.floor(random() * documents.length)] as string;
      const times = 1 + Math.floor(random() * 3);
      for (let k = 0; k < times; k++) text = mutate(text, random);
      problems.push(...checkResult(text, parseTfJson(text, "fuzz.tf.json"), "fuzz.tf.json"));
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });

  it("handles hostile shapes: deep nesting, long lines, lone quotes, many errors", () => {
    const hostile = [
      "x = " + "(".repeat(100_000),
      "x = " + "[".repeat(100_000) + "]".repeat(100_000),
      "a ".repeat(50_000),
      '"'.repeat(10_001),
      "x = <<EOF\n" + "${".repeat(20_000),
      "x = " + "-".repeat(100_000) + "1",
      "x = a" + ".b".repeat(50_000),
      "b {\n".repeat(10_000),
      '{"a":' + "[".repeat(100_000),
      "\uFEFF",
      "x = <<EOF",
      "x = <<-EOF\r",
      "",
    ];
    for (const text of hostile) {
      for (const result of [parseHcl(text, "h.tf"), parseTfJson(text, "h.tf")]) {
        expect(checkResult(text, result, "h.tf")).toEqual([]);
        expect(result.errors.length).toBeLessThanOrEqual(51);
      }
    }
  });
});
