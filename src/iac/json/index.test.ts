// readJson: values as JSON.parse gives them, every node positioned, errors located.

import { describe, expect, it } from "vitest";
import { plainValue, readJson, type JsonError, type JsonNode } from "./index.js";

function root(text: string, maxDepth = 64): JsonNode {
  const read = readJson(text, maxDepth);
  if ("error" in read) throw new Error(read.error.message);
  return read.root;
}

function error(text: string, maxDepth = 64): JsonError {
  const read = readJson(text, maxDepth);
  if ("root" in read) throw new Error("read without an error");
  return read.error;
}

describe("readJson", () => {
  it("gives the values JSON.parse gives, a repeated name keeping its last value", () => {
    const text =
      '{"a": [1, -2.5e3, {"b": "x\\n\\u00e9"}], "t": true, "f": false, "n": null, "a": 0}';
    expect(plainValue(root(text))).toEqual(JSON.parse(text));
    expect(Object.keys(plainValue(root('{"__proto__": {"x": 1}}')) as object)).toEqual([
      "__proto__",
    ]);
  });

  it("keeps members in order, repeated names included", () => {
    const object = root('{"a": 1, "b": 2, "a": 3}');
    expect(object.kind === "object" && object.members.map((member) => member.key.value)).toEqual([
      "a",
      "b",
      "a",
    ]);
  });

  it("positions every node: lines, columns just after the end, offsets", () => {
    const text = '{\n  "a": [1, {"b": "x"}],\n  "c": "\\u0041"\n}';
    const place = (offset: number): [number, number] => {
      const before = text.slice(0, offset);
      return [before.split("\n").length, offset - before.lastIndexOf("\n")];
    };
    const object = root(text);
    if (object.kind !== "object") throw new Error("not an object");
    const [a, c] = object.members;
    expect(a?.key).toMatchObject({ value: "a", line: 2, column: 3, endLine: 2, endColumn: 6 });
    expect(a?.value).toMatchObject({ kind: "array", line: 2, column: 8, endColumn: 23 });
    expect(c?.value).toMatchObject({ value: "A", line: 3, column: 8, endColumn: 16 });
    const nodes: JsonNode[] = [];
    const visit = (node: JsonNode): void => {
      nodes.push(node);
      if (node.kind === "array") node.elements.forEach(visit);
      if (node.kind === "object")
        node.members.forEach((member) => [member.key, member.value].forEach(visit));
    };
    visit(object);
    expect(nodes).toHaveLength(9);
    for (const node of nodes) {
      expect([node.line, node.column]).toEqual(place(node.start));
      expect([node.endLine, node.endColumn]).toEqual(place(node.end));
    }
  });

  it("skips a byte order mark: the first character after it is at column 1", () => {
    expect(root("\uFEFF[1]")).toMatchObject({ line: 1, column: 1, start: 1, end: 4 });
  });

  it("reads a number too large for a double as Infinity, its text still at its range", () => {
    const text = "[1e400]";
    const array = root(text);
    const element = array.kind === "array" ? array.elements[0] : undefined;
    expect(element).toMatchObject({ value: Infinity });
    expect(element && text.slice(element.start, element.end)).toBe("1e400");
  });

  it("locates syntax errors and says what was expected", () => {
    expect(error('{\n  "a": 1,\n  }')).toEqual({
      message: "expected a property name in double quotes, found '}'",
      offset: 14,
      line: 3,
      column: 3,
      tooDeep: false,
    });
    expect(error('{"a": 1 "b": 2}')).toMatchObject({
      message: "expected ',' or '}' after an object property, found '\"'",
      column: 9,
    });
    expect(error("[1 2]").message).toBe("expected ',' or ']' after an array element, found '2'");
    expect(error('{"a" 1}').message).toBe("expected ':' after the property name, found '1'");
    expect(error("").message).toContain("found end of file");
    expect(error("[tru]").message).toContain("expected a JSON value");
    expect(error("-x").message).toContain("invalid number");
    expect(error('{"a": 1} x')).toMatchObject({ column: 10 });
    expect(error('{"a": 1} x').message).toContain("unexpected text after the JSON value");
  });

  it("locates string errors at the offending character", () => {
    expect(error('["ab\ncd"]')).toMatchObject({ line: 1, column: 5 });
    expect(error('["ab\ncd"]').message).toContain("control character");
    expect(error('["a\\qb"]')).toMatchObject({ column: 4 });
    expect(error('["a\\qb"]').message).toContain("invalid escape");
    expect(error('["a\\u12"]').message).toContain("invalid escape");
    expect(error('["abc')).toMatchObject({ column: 2 });
    expect(error('["abc').message).toContain("unterminated string");
  });

  it("bounds nesting depth, reporting the first bracket too deep", () => {
    expect(error("[".repeat(10_000), 256)).toMatchObject({
      tooDeep: true,
      column: 257,
      message: "nesting deeper than 256 levels",
    });
    expect(root("[".repeat(64) + "]".repeat(64)).kind).toBe("array");
  });
});
