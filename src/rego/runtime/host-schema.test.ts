// json.verify_schema and json.match_schema as OPA (gojsonschema) defines them: OPA's own cases,
// the error objects of each keyword, hostile schemas, then through the compiler, Wasm and the SDK.
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it } from "vitest";
import { compileRego } from "../index.js";
import { hostDefinitions } from "./host-functions.js";
import { hostBuiltins } from "./host.js";
import { RegoNumber, type HostValue } from "./host-value.js";

const call = (name: string, ...args: HostValue[]) => hostDefinitions[name]!.fn(...args);
const match = (document: HostValue, schema: HostValue) =>
  call("json.match_schema", document, schema) as [boolean, HostValue[]];
const error = (field: string, type: string, desc: string) => ({
  error: `${field}: ${desc}`,
  type,
  field,
  desc,
});

describe("json.verify_schema and json.match_schema", () => {
  const idSchema = { properties: { id: { type: "integer" } }, required: ["id"] };
  const invalidType =
    "has a primitive type that is NOT VALID -- given: /unknown_type/ Expected valid values are:[array boolean integer number null object string]";

  it("passes OPA's own cases (jsonschema/*)", () => {
    expect(match({ id: 5 }, idSchema)).toEqual([true, []]);
    expect(match('{"id": 5}', idSchema)).toEqual([true, []]);
    expect(match({ id: 5 }, JSON.stringify(idSchema))).toEqual([true, []]);
    expect(match({ id: "foo" }, idSchema)).toEqual([
      false,
      [error("id", "invalid_type", "Invalid type. Expected: integer, given: string")],
    ]);
    expect(() => match({ id: "foo" }, { properties: { id: { type: "unknown_type" } } })).toThrow(
      invalidType,
    );
    expect(call("json.verify_schema", '{"type": "boolean"}')).toEqual([true, null]);
    expect(call("json.verify_schema", { type: "boolean" })).toEqual([true, null]);
    expect(call("json.verify_schema", { type: "unknown_type" })).toEqual([
      false,
      `jsonschema: ${invalidType}`,
    ]);
  });

  it("reports each keyword's error as gojsonschema words it, in its order", () => {
    const schema = {
      type: "object",
      additionalProperties: false,
      properties: {
        a: { type: "array", uniqueItems: true, items: { type: "integer" }, maxItems: 2 },
        b: { exclusiveMaximum: 3, multipleOf: 0.5 },
        c: { type: ["string", "null"], minLength: 2, pattern: "^[a-z]+$", enum: ["ab", "x"] },
        d: { minimum: 10, exclusiveMinimum: true },
        e: { format: "date" },
      },
      required: ["z"],
    };
    const document = { a: [1, 1, "x"], b: 3.5, c: "A", d: 10, e: "2024-02-30", extra: true };
    expect(match(document, schema)).toEqual([
      false,
      [
        error("(root)", "required", "z is required"),
        error(
          "(root)",
          "additional_property_not_allowed",
          "Additional property extra is not allowed",
        ),
        error("a.2", "invalid_type", "Invalid type. Expected: integer, given: string"),
        error("a", "array_max_items", "Array must have at most 2 items"),
        error("a", "unique", "array items[0,1] must be unique"),
        error("b", "number_lt", "Must be less than 3"),
        error("c", "enum", 'c must be one of the following: "ab", "x"'),
        error("c", "string_gte", "String length must be greater than or equal to 2"),
        error("c", "pattern", "Does not match pattern '^[a-z]+$'"),
        error("d", "number_gt", "Must be greater than 10"),
        error("e", "format", "Does not match format 'date'"),
      ],
    ]);
    expect(match({ c: 5 }, schema)).toEqual([
      false,
      [
        error("(root)", "required", "z is required"),
        error("c", "invalid_type", "Invalid type. Expected: [string,null], given: integer"),
      ],
    ]);
  });

  it("explains combinations with the closest alternative, and follows local references", () => {
    expect(
      match({ x: 1 }, { anyOf: [{ required: ["a"] }, { properties: { x: { type: "string" } } }] }),
    ).toEqual([
      false,
      [
        error("(root)", "number_any_of", "Must validate at least one schema (anyOf)"),
        error("(root)", "required", "a is required"),
      ],
    ]);
    expect(match("5", { oneOf: [{ type: "integer" }, { minimum: 1 }] })[1]).toEqual([
      error("(root)", "number_one_of", "Must validate one and only one schema (oneOf)"),
    ]);
    expect(match('"x"', { not: { type: "string" } })[1]).toEqual([
      error("(root)", "number_not", "Must not validate the schema (not)"),
    ]);
    expect(
      match(
        { kind: "s3" },
        { if: { properties: { kind: { const: "s3" } } }, then: { required: ["bucket"] } },
      )[1],
    ).toEqual([
      error("(root)", "condition_then", 'Must validate "then" as "if" was valid'),
      error("(root)", "required", "bucket is required"),
    ]);
    const tree = {
      definitions: {
        node: {
          type: "object",
          properties: { child: { $ref: "#/definitions/node" } },
          required: ["name"],
        },
      },
      $ref: "#/definitions/node",
    };
    expect(match({ name: "a", child: { name: "b", child: {} } }, tree)).toEqual([
      false,
      [error("child.child", "required", "name is required")],
    ]);
    expect(
      match(
        { n: new RegoNumber("12345678901234567890") },
        { properties: { n: { maximum: 1e19 } } },
      )[1],
    ).toEqual([error("n", "number_lte", "Must be less than or equal to 1e+19")]);
  });

  it("resolves references by $id: absolute, relative to the enclosing $id, and #name anchors", () => {
    const schema = {
      $id: "https://acme.example/schemas/bucket.json",
      type: "object",
      properties: {
        tags: { $ref: "tags.json" },
        owner: { $ref: "#owner" },
        region: { $ref: "https://acme.example/schemas/common.json#/definitions/region" },
      },
      definitions: {
        tags: {
          $id: "tags.json",
          type: "object",
          required: ["team"],
          properties: { team: { $ref: "#/definitions/name" } },
          definitions: { name: { type: "string", minLength: 2 } },
        },
        owner: { $id: "#owner", type: "string", pattern: "^[a-z]+$" },
        common: {
          $id: "common.json",
          definitions: { region: { enum: ["eu-west-1", "us-east-1"] } },
        },
      },
    };
    expect(match({ tags: { team: "core" }, owner: "ops", region: "eu-west-1" }, schema)).toEqual([
      true,
      [],
    ]);
    // "#/definitions/name" inside tags.json is tags.json's own definitions, not the root's.
    expect(match({ tags: { team: "x" }, owner: "Ops", region: "mars" }, schema)[1]).toEqual([
      error("tags.team", "string_gte", "String length must be greater than or equal to 2"),
      error("owner", "pattern", "Does not match pattern '^[a-z]+$'"),
      error("region", "enum", 'region must be one of the following: "eu-west-1", "us-east-1"'),
    ]);
    // Draft 4 spells it `id`; a schema without any $id still resolves `#name` against its own.
    expect(
      match('"x"', { definitions: { a: { id: "#a", type: "number" } }, $ref: "#a" })[1],
    ).toEqual([error("(root)", "invalid_type", "Invalid type. Expected: number, given: string")]);
    expect(() => match({}, { $ref: "#nowhere" })).toThrow("no schema has the $id #nowhere");
    expect(() => match({}, { $id: "https://acme.example/a.json", $ref: "b.json" })).toThrow(
      "remote references are not supported (no network during a scan): b.json",
    );
  });

  it("rejects what it cannot read, naming why", () => {
    expect(() => match("{not json", {})).toThrow("invalid JSON string");
    expect(() => match(5, {})).toThrow("wrong type, expected string or object");
    expect(() => match({}, { $ref: "https://example.com/s.json" })).toThrow(
      "remote references are not supported",
    );
    expect(() => match({}, { $ref: "#/definitions/missing" })).toThrow(
      "Object has no key 'definitions'",
    );
    expect(call("json.verify_schema", { pattern: "(" })).toEqual([
      false,
      "jsonschema: Invalid regex pattern '('",
    ]);
    expect(call("json.verify_schema", { minLength: -1 })).toEqual([
      false,
      "jsonschema: minLength must be greater than or equal to 0",
    ]);
    expect(call("json.verify_schema", 5)).toEqual([
      false,
      "jsonschema: wrong type, expected string or object",
    ]);
  });

  it("fails cleanly, and soon, on hostile schemas and documents", () => {
    const deepSchema = '{"properties":{"a":'.repeat(50_000) + "{}" + "}}".repeat(50_000);
    expect(call("json.verify_schema", deepSchema)).toEqual([
      false,
      "jsonschema: schema nested deeper than 256",
    ]);
    const deepDocument = "[".repeat(50_000) + "]".repeat(50_000);
    expect(() => match(deepDocument, { items: { $ref: "#" } })).toThrow("nested deeper than 256");
    const cycle = {
      definitions: { a: { $ref: "#/definitions/b" }, b: { $ref: "#/definitions/a" } },
      $ref: "#/definitions/a",
    };
    expect(() => match({}, cycle)).toThrow("nested deeper than 256");
    // Forty levels of two references each: 2^40 paths, cut off by the step budget.
    const definitions: Record<string, HostValue> = { d40: { type: "string" } };
    for (let i = 0; i < 40; i++) {
      const next = { $ref: `#/definitions/d${i + 1}` };
      definitions[`d${i}`] = { anyOf: [next, next] };
    }
    expect(() => match({}, { definitions, $ref: "#/definitions/d0" })).toThrow("steps");
    // RE2: a pattern that backtracks exponentially in JavaScript is linear here.
    expect(match(JSON.stringify(`${"a".repeat(5_000)}!`), { pattern: "^(a+)+$" })[0]).toBe(false);
  });
});

describe("JSON schema builtins through the compiler, Wasm and the SDK", () => {
  it("gives [false, errors] a rule can report", async () => {
    const source = `package t

schema := {"properties": {"port": {"type": "integer", "maximum": 65535}}, "required": ["port"]}

messages contains e.error if {
  [false, errors] := json.match_schema(input, schema)
  some e in errors
}

schema_ok := json.verify_schema(schema)
`;
    const { wasm, entrypoints } = await compileRego(
      { "t.rego": source },
      { entrypoints: ["t/messages", "t/schema_ok"] },
    );
    const policy = await loadPolicy(wasm, undefined, hostBuiltins);
    expect(policy.evaluate({ port: 70000 }, entrypoints["t/messages"])).toEqual([
      { result: ["port: Must be less than or equal to 65535"] },
    ]);
    expect(policy.evaluate({}, entrypoints["t/schema_ok"])).toEqual([{ result: [true, null] }]);
  });
});
