import { describe, expect, it } from "vitest";
import { loadTerraform } from "./index.js";

// Terraform's == compares types before values (cty's Value.Equals): a list, set or map never
// equals the tuple or object a literal writes, two empty collections of one kind are equal only
// if their element types are (unknown where one is not known), and a value of no known type is
// compared by value. Each row is [expression, Terraform's answer]; "unknown" where Terraform's is.
// Checked with terraform console v1.11.4.
const declarations = `variable "rules" {
  type    = list(string)
  default = []
}
variable "ports" {
  type    = list(number)
  default = []
}
variable "tags" {
  type    = map(string)
  default = {}
}
variable "open" {
  default = []
}
variable "unset" {
  type = list(string)
}
locals {
  rules = var.rules
  open  = var.open
  none  = {}
  unset = var.unset
  split = split(",", "a,b")
  picked = false ? ["a"] : []
  same   = false ? ["a"] : ["b"]
  tagged = false ? { a = "x" } : {}
  emptied = false ? var.ports : []
  kept    = true ? var.ports : []
  widened = true ? var.ports : ["a"]
  ported  = false ? var.rules : [1]
  untag   = false ? var.tags : {}
  retag   = false ? var.tags : { a = 1 }
}
`;

const cases: [string, boolean | "unknown"][] = [
  // The declared type carried through a local.
  ["local.rules == []", false],
  ["local.rules != []", true],
  ["local.unset != []", true],
  ["local.unset == local.rules", "unknown"],
  ["var.rules == var.ports", false],
  ["var.rules == local.rules", true],
  ["var.tags == {}", false],
  // An empty tuple or object converted is a list, set or map of cty's dynamic type.
  ["var.rules == tolist([])", false],
  ["tolist([]) == var.ports", false],
  ["tolist([]) == tolist([])", true],
  ["toset([]) == toset([])", true],
  ["var.rules == toset([])", false],
  ["tomap({}) == var.tags", false],
  ["tomap({}) == tomap({})", true],
  ["tolist([]) == []", false],
  ["toset([]) == tolist([])", false],
  ["tolist(local.open) == tolist([])", true],
  ["tolist([]) == tolist(var.rules)", false],
  // Untyped values and literals are tuples and objects, compared by value.
  ["local.open == []", true],
  ["local.none == {}", true],
  ["[for rule in var.rules : rule] == []", true],
  // A conditional's results are unified: tuples of different lengths to a list, objects of
  // different attributes to a map; of one shape they stay a tuple or an object.
  ["local.picked == []", false],
  ["local.picked == tolist([])", false],
  ["local.picked == var.rules", true],
  ["local.picked == tolist(var.rules)", true],
  ["local.tagged == tomap({})", false],
  ["local.tagged == var.tags", true],
  ['local.same == ["b"]', true],
  ["local.tagged == {}", false],
  // With a variable of a declared list or map type, the other result takes its type: an empty
  // tuple chosen is a list(number), and elements convert to the one type both results take.
  ["local.emptied == []", false],
  ["local.emptied == tolist([])", false],
  ["local.emptied == var.ports", true],
  ["local.kept == var.ports", true],
  ["local.widened == var.rules", true],
  ["local.widened == var.ports", false],
  ['local.ported == tolist(["1"])', true],
  ['local.ported == ["1"]', false],
  ["local.untag == {}", false],
  ["local.untag == var.tags", true],
  ['local.retag == tomap({ a = "1" })', true],
  ["(false ? var.open : []) == []", true],
  // Conversion functions and functions whose results are lists, sets or maps.
  ['tolist(["a"]) == ["a"]', false],
  ['tolist(["a"]) == tolist(["a"])', true],
  ['toset(["b", "a"]) == toset(["a", "b"])', true],
  ['toset(["a"]) == tolist(["a"])', false],
  ['tomap({ a = "x" }) == { a = "x" }', false],
  ['tomap({ a = "x" }) == tomap({ a = "x" })', true],
  ['local.split == ["a", "b"]', false],
  ['local.split == tolist(["a", "b"])', true],
  ["keys(var.tags) == []", false],
  ["concat(var.rules, var.ports) == []", false],
  ["concat(var.rules, local.split) == local.split", true],
  ['concat(var.rules, ["a", "b"]) == ["a", "b"]', true],
  ["sort(var.rules) == var.rules", true],
  ["range(0) == var.ports", true],
  ["range(0) == var.rules", false],
];

describe("== of collections, as Terraform's types have it", () => {
  const text = `${declarations}resource "aws_s3_bucket" "b" {
  tags = {
${cases.map(([expression], i) => `    c${i} = ${expression}`).join("\n")}
  }
}
`;
  const { resources, errors } = loadTerraform([{ path: "main.tf", text }]);
  const tags = resources[0]?.config.tags as Record<string, unknown>;

  it("loads without errors", () => {
    expect(errors.filter((error) => error.level !== "warning")).toEqual([]);
  });

  it.each(cases.map(([expression, expected], i) => [expression, expected, i] as const))(
    "%s is %s",
    (expression, expected, i) => {
      expect(tags[`c${i}`]).toEqual(expected === "unknown" ? { $unknown: expression } : expected);
    },
  );
});

describe("types of partial collections", () => {
  it("leaves the unknown rest of a list given to a list(list(string)) standing for its elements", () => {
    // Typing each element must not turn the rest into one unknown element: the length stays unknown.
    const { resources, errors } = loadTerraform([
      {
        path: "main.tf",
        text: `variable "extra" {
  type = list(list(string))
}
module "m" {
  source = "./m"
  rules  = concat([["x"]], var.extra)
}
`,
      },
      {
        path: "m/main.tf",
        text: `variable "rules" {
  type = list(list(string))
}
resource "aws_s3_bucket" "b" {
  tags = { rules = length(var.rules) }
}
`,
      },
    ]);
    expect(errors).toEqual([]);
    expect(resources[0]?.config.tags).toEqual({ rules: { $unknown: "length(var.rules)" } });
  });

  it("keeps a partial map given to a bare map variable partial: its other keys are unknown", () => {
    const { resources, errors } = loadTerraform([
      {
        path: "main.tf",
        text: `variable "extra" {
  type = map(string)
}
module "m" {
  source = "./m"
  tags   = merge({ a = "x" }, var.extra)
}
`,
      },
      {
        path: "m/main.tf",
        text: `variable "tags" {
  type = map
}
resource "aws_s3_bucket" "b" {
  tags = { count = length(var.tags) }
}
`,
      },
    ]);
    expect(errors).toEqual([]);
    expect(resources[0]?.config.tags).toEqual({ count: { $unknown: "length(var.tags)" } });
  });
});
