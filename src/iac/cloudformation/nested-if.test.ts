// Cross-checks the alternatives the loader spells out for an undecided Fn::If nested in a branch
// chosen whole: every deployment the parameters allow is enumerated, the template's conditions
// and Fn::Ifs are decided for it by a resolver written here, and exactly one alternative whose
// condition text holds there (read as policy/conditions.ts reads it) must carry the value that
// deployment gets; none when the property is absent. A combination named wrongly, left out or
// given the wrong value fails.
import { describe, expect, it } from "vitest";
import type { Value } from "../../model/types.js";
import { conditionHolds } from "../../policy/conditions.js";
import { loadCloudFormation } from "./index.js";

type Json = string | number | boolean | null | Json[] | JsonObject;
interface JsonObject {
  [key: string]: Json;
}

const parameterValues: Record<string, string[]> = {
  Stage: ["prod", "dev", "test"],
  Key: ["", "k"],
  Tier: ["pooled", "shared", "solo"],
  Mode: ["x", "y"],
};

const conditions: Record<string, JsonObject> = {
  IsProd: { "Fn::Equals": [{ Ref: "Stage" }, "prod"] },
  IsDev: { "Fn::Equals": [{ Ref: "Stage" }, "dev"] },
  HasKey: { "Fn::Not": [{ "Fn::Equals": [{ Ref: "Key" }, ""] }] },
  IsPooled: { "Fn::Equals": [{ Ref: "Tier" }, "pooled"] },
  IsExtra: { "Fn::Equals": [{ Ref: "Mode" }, "x"] },
  IsShared: { "Fn::Or": [{ Condition: "IsProd" }, { "Fn::Equals": [{ Ref: "Tier" }, "shared"] }] },
  UsesTls: { "Fn::And": [{ Condition: "HasKey" }, { "Fn::Not": [{ Condition: "IsDev" }] }] },
};

const ifOf = (condition: string, whenTrue: Json, whenFalse: Json): Json => ({
  "Fn::If": [condition, whenTrue, whenFalse],
});
const noValue: Json = { Ref: "AWS::NoValue" };

/** Properties an undecided Fn::If chooses whole, with undecided ones inside the branches. */
const properties: Record<string, Json> = {
  MetadataOptions: ifOf(
    "IsProd",
    {
      HttpTokens: ifOf("IsPooled", "required", noValue),
      HttpEndpoint: ifOf("HasKey", "enabled", "disabled"),
    },
    { HttpTokens: ifOf("IsDev", "optional", "required") },
  ),
  Nested: ifOf(
    "HasKey",
    {
      Depth: ifOf("IsPooled", ifOf("IsExtra", 1, 2), noValue),
      Items: ["a", ifOf("IsProd", "b", noValue), ifOf("IsExtra", "c", "d")],
    },
    { Depth: 0 },
  ),
  SameCondition: ifOf(
    "IsProd",
    { Kept: ifOf("IsProd", "a", "b"), Other: ifOf("IsExtra", "c", "d") },
    { Kept: ifOf("IsProd", "e", "f") },
  ),
  Derived: ifOf(
    "IsShared",
    { Tls: ifOf("UsesTls", "on", "off"), Plan: ifOf("IsProd", "p", "q") },
    { Tls: "off" },
  ),
  OuterNested: ifOf(
    "IsProd",
    ifOf("HasKey", { Mode: ifOf("IsExtra", "strict", noValue) }, { Mode: "open" }),
    noValue,
  ),
  FourInner: ifOf(
    "IsExtra",
    {
      A: ifOf("IsProd", 1, 2),
      B: ifOf("HasKey", 3, noValue),
      C: ifOf("IsPooled", 5, 6),
      D: ifOf("IsDev", noValue, 8),
    },
    { A: 0 },
  ),
  InnerWhole: ifOf(
    "IsProd",
    { Inner: ifOf("HasKey", { Z: ifOf("IsExtra", 1, 2) }, { Z: 3 }) },
    { Inner: { Z: 4 } },
  ),
};

const NO_VALUE = Symbol("AWS::NoValue");

function isIntrinsic(node: Json, name: string): boolean {
  return (
    typeof node === "object" &&
    node !== null &&
    !Array.isArray(node) &&
    Object.keys(node).length === 1 &&
    name in node
  );
}

function conditionTruth(node: JsonObject, parameters: Record<string, string>): boolean {
  if (isIntrinsic(node, "Condition"))
    return conditionTruth(conditions[node.Condition as string]!, parameters);
  const [operator, operands] = Object.entries(node)[0]!;
  const args = operands as JsonObject[];
  const operand = (value: Json): Json =>
    isIntrinsic(value, "Ref") ? parameters[(value as JsonObject).Ref as string]! : value;
  switch (operator) {
    case "Fn::Equals":
      return operand(args[0]!) === operand(args[1]!);
    case "Fn::Not":
      return !conditionTruth(args[0]!, parameters);
    case "Fn::And":
      return args.every((arg) => conditionTruth(arg, parameters));
    case "Fn::Or":
      return args.some((arg) => conditionTruth(arg, parameters));
  }
  throw new Error(`no such condition operator: ${operator}`);
}

/** The value `node` has in the deployment whose conditions `truth` decides. */
function resolve(node: Json, truth: ReadonlyMap<string, boolean>): Json | typeof NO_VALUE {
  if (isIntrinsic(node, "Fn::If")) {
    const [condition, whenTrue, whenFalse] = (node as JsonObject)["Fn::If"] as [string, Json, Json];
    return resolve(truth.get(condition) ? whenTrue : whenFalse, truth);
  }
  if (isIntrinsic(node, "Ref") && (node as JsonObject).Ref === "AWS::NoValue") return NO_VALUE;
  if (Array.isArray(node)) {
    return node.map((item) => resolve(item, truth)).filter((item) => item !== NO_VALUE) as Json[];
  }
  if (typeof node === "object" && node !== null) {
    const resolved: JsonObject = {};
    for (const [key, value] of Object.entries(node as JsonObject)) {
      const kept = resolve(value, truth);
      if (kept !== NO_VALUE) resolved[key] = kept;
    }
    return resolved;
  }
  return node;
}

/** Every combination of parameter values. */
function deployments(): Record<string, string>[] {
  return Object.entries(parameterValues).reduce<Record<string, string>[]>(
    (partial, [name, values]) =>
      partial.flatMap((chosen) => values.map((value) => ({ ...chosen, [name]: value }))),
    [{}],
  );
}

describe("Fn::If nested in a branch chosen whole", () => {
  const template = {
    AWSTemplateFormatVersion: "2010-09-09",
    Parameters: Object.fromEntries(
      Object.keys(parameterValues).map((name) => [name, { Type: "String" }]),
    ),
    Conditions: conditions,
    Resources: { Subject: { Type: "AWS::EC2::LaunchTemplate", Properties: properties } },
  };
  const model = loadCloudFormation({ path: "template.json", text: JSON.stringify(template) });
  const [subject] = model.resources;

  it("loads without errors, each property an unknown with alternatives", () => {
    expect(model.errors).toEqual([]);
    for (const key of Object.keys(properties)) {
      expect(subject?.alternatives?.[`/${key}`], key).toBeDefined();
    }
  });

  it("names only declared conditions in each alternative's condition", () => {
    const words = new Set(["and", "or", "not"]);
    for (const alternatives of Object.values(subject?.alternatives ?? {})) {
      for (const { condition } of alternatives) {
        for (const word of condition.split(/[\s()]+/).filter(Boolean)) {
          if (!words.has(word)) expect(Object.keys(conditions)).toContain(word);
        }
      }
    }
  });

  it.each(Object.keys(properties))(
    "gives %s, in every deployment, the value of the one alternative holding there",
    (key) => {
      const alternatives = subject?.alternatives?.[`/${key}`] ?? [];
      for (const parameters of deployments()) {
        const truth = new Map(
          Object.entries(conditions).map(([name, definition]) => [
            name,
            conditionTruth(definition, parameters),
          ]),
        );
        const expected = resolve(properties[key]!, truth);
        const holding: Value[] = alternatives
          .filter((alternative) => conditionHolds(alternative.condition, truth))
          .map((alternative) => alternative.value);
        expect(holding, `${key} with ${JSON.stringify(parameters)}`).toEqual(
          expected === NO_VALUE ? [] : [expected],
        );
      }
    },
  );
});
