import { afterEach, describe, expect, it, vi } from "vitest";
import type { LoadError, Resource } from "../../model/types.js";
import type { SourceFile } from "../source.js";
import { ExpressionEvaluator } from "./evaluate.js";
import { loadTerraform } from "./index.js";
import { plannedWorkspaces, UNNAMED_WORKSPACE } from "./workspaces.js";

function load(files: Record<string, string>) {
  const sources: SourceFile[] = Object.entries(files).map(([path, text]) => ({ path, text }));
  return loadTerraform(sources);
}

/** Each instance as `world: address = the value at pointer`, in load order. */
function worlds(resources: Resource[], pointer: (r: Resource) => unknown): string[] {
  return resources.map(
    (r) => `${r.workspace ?? "-"}: ${r.address} = ${JSON.stringify(pointer(r))}`,
  );
}

const sshFrom = (cidrs: string) => `resource "aws_security_group" "a" {
  name = "a-\${terraform.workspace}"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ${cidrs}
  }
}
`;

/** The errors but the warnings naming workspaces Terraform cannot plan (each test of those asserts them). */
const besidesUnplannable = (errors: LoadError[]) =>
  errors.filter((e) => !(e.level === "warning" && /Terraform cannot plan there/.test(e.message)));

const ingressCidrs = (r: Resource) =>
  (r.config.ingress as Array<{ cidr_blocks: unknown }>)[0]?.cidr_blocks;

describe("roots that read terraform.workspace", () => {
  it("are evaluated once per key of a map it indexes, each world located at its entry", () => {
    const { resources, errors } = load({
      "main.tf": `locals {
  cidrs = {
    default = "10.0.0.0/8"
    prod    = "0.0.0.0/0"
  }
}
${sshFrom("[local.cidrs[terraform.workspace]]")}`,
    });
    // A workspace no key names fails at the index, as Terraform's plan does: no world of its own,
    // and no warning (a map keyed by the workspaces in use fails for every other name by design).
    expect(errors).toEqual([]);
    expect(worlds(resources, ingressCidrs)).toEqual([
      `terraform.workspace is default: aws_security_group.a = ["10.0.0.0/8"]`,
      `terraform.workspace is prod: aws_security_group.a = ["0.0.0.0/0"]`,
    ]);
    expect(resources.map((r) => r.locations["/ingress/0/cidr_blocks/0"]?.line)).toEqual([3, 4]);
    expect(resources.map((r) => r.config.name)).toEqual(["a-default", "a-prod"]);
    expect(resources[0]?.choices).toEqual({
      parameters: { "terraform.workspace": ["default", "prod"] },
      conditions: {},
    });
  });

  it("let default stand for every workspace nothing names, under the negation of the others", () => {
    const { resources } = load({
      "main.tf": sshFrom(`terraform.workspace == "prod" ? ["0.0.0.0/0"] : ["10.0.0.0/8"]`),
    });
    expect(worlds(resources, ingressCidrs)).toEqual([
      `not terraform.workspace is prod: aws_security_group.a = ["10.0.0.0/8"]`,
      `terraform.workspace is prod: aws_security_group.a = ["0.0.0.0/0"]`,
    ]);
  });

  it("leave out a default that a map without its key cannot plan", () => {
    const { resources, errors } = load({
      "main.tf": `variable "sizes" {
  default = {
    staging = "10.0.0.0/8"
    prod    = "0.0.0.0/0"
  }
}
${sshFrom("[lookup(var.sizes, terraform.workspace)]")}`,
    });
    // The evaluation of record, with the workspace unknown, reports nothing; default, standing
    // for the workspaces nothing names, is left out without a warning.
    expect(errors).toEqual([]);
    expect(worlds(resources, ingressCidrs)).toEqual([
      `terraform.workspace is prod: aws_security_group.a = ["0.0.0.0/0"]`,
      `terraform.workspace is staging: aws_security_group.a = ["10.0.0.0/8"]`,
    ]);
  });

  it("follow terraform.workspace passed to a local module's variable", () => {
    const { resources } = load({
      "main.tf": `module "sg" {
  source = "./modules/sg"
  env    = terraform.workspace
}
`,
      "modules/sg/main.tf": `variable "env" { type = string }
locals {
  cidrs = { dev = "10.0.0.0/8", prod = "0.0.0.0/0" }
}
${sshFrom(`[lookup(local.cidrs, var.env, "10.1.0.0/16")]`)}`,
    });
    expect(worlds(resources, ingressCidrs)).toEqual([
      `not terraform.workspace is dev and not terraform.workspace is prod: module.sg.aws_security_group.a = ["10.1.0.0/16"]`,
      `terraform.workspace is dev: module.sg.aws_security_group.a = ["10.0.0.0/8"]`,
      `terraform.workspace is prod: module.sg.aws_security_group.a = ["0.0.0.0/0"]`,
    ]);
  });

  it("give each world the instances its for_each makes", () => {
    const { resources } = load({
      "main.tf": `locals {
  ports = {
    default = {}
    prod    = { ssh = 22 }
  }
}
resource "aws_security_group_rule" "open" {
  for_each          = local.ports[terraform.workspace]
  type              = "ingress"
  security_group_id = "sg-1"
  from_port         = each.value
  to_port           = each.value
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
`,
    });
    expect(worlds(resources, (r) => r.config.from_port)).toEqual([
      `terraform.workspace is prod: aws_security_group_rule.open["ssh"] = 22`,
    ]);
  });

  it("leave a root that names no workspace as it was, and a name it only interpolates unknown", () => {
    const { resources } = load({ "main.tf": sshFrom(`["10.0.0.0/8"]`) });
    expect(resources.map((r) => [r.workspace, r.choices, r.config.name])).toEqual([
      [undefined, undefined, { $unknown: '"a-${terraform.workspace}"' }],
    ]);
  });

  it("leave a root as it was when a function other than lookup or contains reads the workspace", () => {
    // Evaluated as default, startswith(...) would count the group out in every world, where
    // any workspace whose name starts with dev deploys it.
    const { resources } = load({
      "main.tf": `locals {
  size = terraform.workspace == "prod" ? "large" : "small"
}

resource "aws_security_group" "a" {
  count = startswith(terraform.workspace, "dev") ? 1 : 0
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`,
    });
    // As before workspaces were evaluated: the count unknown, the group kept, in no world.
    expect(resources.map((r) => [r.address, r.workspace])).toEqual([
      ["aws_security_group.a", undefined],
    ]);
  });
});

describe("worlds failing where the evaluation of record did not", () => {
  it("keep a world whose error is not a map without its key, judged as with the workspace unknown, with an error", () => {
    // Leaving prod out for an error Terraform may not raise (an expression Tollgate evaluates
    // otherwise) would hide what prod deploys, the scan succeeding: prod is kept and it blocks.
    const { resources, errors } = load({
      "main.tf": `locals {
  picks = { default = 0, prod = "c" }
  cidr  = regex("(10.*)", "10.0.0.0/8")[local.picks[terraform.workspace]]
}
${sshFrom("[local.cidr]")}`,
    });
    expect(besidesUnplannable(errors).map((e) => [e.line, e.level, e.code, e.message])).toEqual([
      [
        3,
        undefined,
        "terraform-workspace-limit",
        'in workspace "prod": index is the string "c"; a number is required; what that workspace deploys is not known (it is judged with terraform.workspace unknown)',
      ],
    ]);
    expect(worlds(resources, ingressCidrs)).toEqual([
      `terraform.workspace is default: aws_security_group.a = ["10.0.0.0/8"]`,
      `terraform.workspace is prod: aws_security_group.a = [{"$unknown":${JSON.stringify('regex("(10.*)", "10.0.0.0/8")[local.picks[terraform.workspace]]')}}]`,
    ]);
  });

  it("evaluate a named group of regex as Terraform does, a map, in every world", () => {
    const { resources, errors } = load({
      "main.tf": `locals {
  cidrs = { staging = "10.0.0.0/8", prod = "0.0.0.0/0" }
  cidr  = regex("(?P<c>.*)", local.cidrs[terraform.workspace])["c"]
}
${sshFrom("[local.cidr]")}`,
    });
    expect(besidesUnplannable(errors)).toEqual([]);
    expect(worlds(resources, ingressCidrs)).toEqual([
      `terraform.workspace is prod: aws_security_group.a = ["0.0.0.0/0"]`,
      `terraform.workspace is staging: aws_security_group.a = ["10.0.0.0/8"]`,
    ]);
  });

  it("leave out a world Terraform cannot plan, with a warning naming it where it fails", () => {
    const { resources, errors } = load({
      "main.tf": `locals {
  cidrs = { default = "10.0.0.0/8", prod = "0.0.0.0/0" }
  cidr  = lookup(local.cidrs, terraform.workspace == "qa" ? "staging" : terraform.workspace)
}
${sshFrom("[local.cidr]")}`,
    });
    expect(errors.map((e) => `${e.line} ${e.level} ${e.code} ${e.message}`)).toEqual([
      '3 warning terraform-workspaces workspace "qa" left out: Terraform cannot plan there (lookup: the map has no key "staging" and no default was given)',
    ]);
    // Only the comparison names a workspace: default stands for every other, and plans.
    expect(worlds(resources, ingressCidrs)).toEqual([
      `not terraform.workspace is qa: aws_security_group.a = ["10.0.0.0/8"]`,
    ]);
  });

  it.each([
    [
      "a list indexed out of range",
      `["10.0.0.0/8", "0.0.0.0/0"][local.picks[terraform.workspace]]`,
      "index 2 is out of range for a list of 2",
      11,
    ],
    [
      "element() of an empty list",
      `element(local.lists[terraform.workspace], 0)`,
      "element: the list is empty",
      11,
    ],
    [
      "one() of two elements",
      `one(local.lists[terraform.workspace])`,
      "one: the list has 2 elements",
      11,
    ],
    [
      "tonumber of a string that is no number",
      `["10.0.0.0/8", "0.0.0.0/0"][tonumber(local.names[terraform.workspace])]`,
      'tonumber: tonumber argument is the string "two"; a number is required',
      39,
    ],
    [
      "parseint of a string that is no integer",
      `["10.0.0.0/8", "0.0.0.0/0"][parseint(local.names[terraform.workspace], 10)]`,
      'parseint: cannot parse "two" as a base 10 integer',
      39,
    ],
    [
      "regex() with no match",
      `["10.0.0.0/8", "0.0.0.0/0"][tonumber(regex("[0-9]+", local.names[terraform.workspace]))]`,
      'regex: no match for "[0-9]+"',
      48,
    ],
    [
      "slice() out of range",
      `slice(local.lists[terraform.workspace], 0, 1)[0]`,
      "slice: indexes 0..1 do not fit a list of 0",
      11,
    ],
    [
      "index() of a value not in the list",
      `["10.0.0.0/8", "0.0.0.0/0"][index(["0", "1"], local.names[terraform.workspace])]`,
      'index: the string "two" is not in the list',
      39,
    ],
  ])(
    "leave out a world Terraform cannot plan for %s, with a warning at the call",
    (_what, cidr, why, column) => {
      // In prod Terraform's plan fails as Tollgate's evaluation does: not Tollgate's limit.
      const { resources, errors } = load({
        "main.tf": `locals {
  picks = { default = 1, prod = 2, qa = 0 }
  names = { default = "1", prod = "two", qa = "0" }
  lists = { default = ["10.0.0.0/8"], prod = ${cidr.startsWith("one") ? `["10.0.0.0/8", "0.0.0.0/0"]` : "[]"}, qa = ["10.1.0.0/16"] }
  cidr  = ${cidr}
}
${sshFrom("[local.cidr]")}`,
      });
      expect(errors.map((e) => `${e.line}:${e.column} ${e.level} ${e.code} ${e.message}`)).toEqual([
        `5:${column} warning terraform-workspaces workspace "prod" left out: Terraform cannot plan there (${why})`,
      ]);
      expect(worlds(resources, ingressCidrs).map((w) => w.split(":")[0])).toEqual([
        "terraform.workspace is default",
        "terraform.workspace is qa",
      ]);
    },
  );
});

describe("worlds Tollgate's own limits reach", () => {
  const openGroup = `resource "aws_security_group" "a" {
  count = length(local.ids) > 0 ? 1 : 0
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;

  it("keep the world, judged as with the workspace unknown, with an error on the limit's line", () => {
    const { resources, errors } = load({
      "main.tf": `locals {
  sizes = { default = 1, prod = 200 }
  ids   = [for i in range(local.sizes[terraform.workspace]) : range(1000)]
}
${openGroup}`,
    });
    // prod holds more elements than Tollgate evaluates: that is no workspace Terraform cannot
    // plan, and default's group must not read as the only one. What only prod deploys is not
    // known, so the head could not be fully evaluated: an error, not a warning.
    expect(besidesUnplannable(errors)).toEqual([
      {
        file: "main.tf",
        line: 3,
        column: 11,
        code: "terraform-workspace-limit",
        message:
          'in workspace "prod": this expression builds more than 100000 elements; it is treated as unknown; what that workspace deploys is not known (it is judged with terraform.workspace unknown)',
        // What the root reads, for the gate to tell whether a pull request changed it.
        inputs: expect.stringMatching(/^[0-9a-f]{32}$/),
      },
    ]);
    expect(worlds(resources, (r) => r.config.count)).toEqual([
      `terraform.workspace is default: aws_security_group.a[0] = undefined`,
      `terraform.workspace is prod: aws_security_group.a = {"$unknown":"length(local.ids) > 0 ? 1 : 0"}`,
    ]);
    expect(resources[0]?.choices?.parameters).toEqual({
      "terraform.workspace": ["default", "prod"],
    });
  });

  it("decide a world on an integer past 2^53 as Terraform's 512-bit numbers do, no limit reached", () => {
    // In prod the sum is 9007199254740993, which a float64 rounds to the number compared with;
    // Terraform's is greater, so it creates the group there, and so does Tollgate.
    const { resources, errors } = load({
      "main.tf": `locals {
  extra = { default = 0, prod = 1 }
  ids   = 9007199254740992 + local.extra[terraform.workspace] > 9007199254740992 ? [1] : []
}
${openGroup}`,
    });
    expect(besidesUnplannable(errors)).toEqual([]);
    expect(worlds(resources, (r) => r.config.count)).toEqual([
      `terraform.workspace is prod: aws_security_group.a[0] = undefined`,
    ]);
  });

  it("tell by the inputs a file only filemd5() or filebase64() reads", () => {
    const inputs = (script: string) =>
      load({
        "main.tf": `locals {
  sizes = { default = 1, prod = 200 }
  ids   = [for i in range(local.sizes[terraform.workspace]) : range(1000)]
}
resource "aws_instance" "x" {
  user_data_base64 = filebase64("init.sh")
  tags             = { script = filemd5("init.sh") }
}
${openGroup}`,
        "init.sh": script,
      }).errors.find((error) => error.code === "terraform-workspace-limit")?.inputs;
    expect(inputs("echo a\n")).toMatch(/^[0-9a-f]{32}$/);
    expect(inputs("echo a\n")).not.toBe(inputs("echo b\n"));
  });

  it("digest what the root lists with fileset() in the inputs, read or not", () => {
    // A pull request adding handlers/b.py deploys one more function in every workspace: the
    // root changed, so a base at the same limit must not turn the head's error into a warning.
    const files = {
      "main.tf": `locals {
  sizes = { default = 1, prod = 200 }
  ids   = [for i in range(local.sizes[terraform.workspace]) : range(1000)]
}
resource "aws_lambda_function" "f" {
  for_each = fileset(path.module, "handlers/*.py")
  function_name = each.key
}
${openGroup}`,
      "handlers/a.py": "",
    };
    const inputs = (listed: string[]) => {
      const sources = Object.entries(files).map(([path, text]) => ({ path, text }));
      const { errors } = loadTerraform(sources, {
        listing: { folders: [""], files: listed, unlisted: [] },
      });
      return errors.find((e) => e.code === "terraform-workspace-limit")?.inputs;
    };
    const base = inputs(["main.tf", "handlers/a.py"]);
    expect(base).toMatch(/^[0-9a-f]{32}$/);
    expect(inputs(["main.tf", "handlers/a.py"])).toBe(base);
    expect(inputs(["main.tf", "handlers/a.py", "handlers/b.py"])).not.toBe(base);
  });

  it("count each world's module instances from the root on, as the evaluation of record does", () => {
    // 2,600 instances in each evaluation: within the 5,000 each may make, not when a world
    // starts where the evaluation of record stopped.
    const { resources, errors } = load({
      "main.tf": `module "many" {
  source = "./m"
  count  = 2600
}
resource "aws_instance" "x" {
  instance_type = terraform.workspace == "prod" ? "m5.large" : "t3.micro"
}
`,
      "m/main.tf": "",
    });
    expect(errors).toEqual([]);
    expect(worlds(resources, (r) => r.config.instance_type)).toEqual([
      `not terraform.workspace is prod: aws_instance.x = "t3.micro"`,
      `terraform.workspace is prod: aws_instance.x = "m5.large"`,
    ]);
  });
});

describe("what a root with workspaces costs", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });
  /** 2,000 strings of data, reshaped by locals that read no workspace, and a map each world indexes. */
  const files = (reshape: string) => ({
    "main.tf": `locals {
  names = jsondecode(file("names.json"))
  tagged = [for n in local.names : "\${n}-${reshape}"]
  sizes = { default = "t3.micro", prod = "m5.large", staging = "t3.small" }
}
resource "aws_instance" "x" {
  instance_type = local.sizes[terraform.workspace]
  tags          = { count = length(local.tagged) }
}
`,
    "names.json": JSON.stringify(Array.from({ length: 2_000 }, (_, i) => `n${i}`)),
  });
  /** Loads with a root budget of `budget` elements (MAX_ROOT_ELEMENTS is 1,000,000). */
  const loadWithBudget = (budget: number, given: Record<string, string>) => {
    const start = ExpressionEvaluator.prototype.startRoot;
    vi.spyOn(ExpressionEvaluator.prototype, "startRoot").mockImplementation(function (
      this: ExpressionEvaluator,
    ) {
      start.call(this, budget);
    });
    return load(given);
  };

  it("evaluates a local no workspace changes once, not once per world", () => {
    const evaluated = vi.spyOn(ExpressionEvaluator.prototype, "evaluateReported");
    const { resources, errors } = load(files("x"));
    expect(besidesUnplannable(errors)).toEqual([]);
    expect(worlds(resources, (r) => [r.config.instance_type, r.config.tags])).toEqual([
      `terraform.workspace is default: aws_instance.x = ["t3.micro",{"count":2000}]`,
      `terraform.workspace is prod: aws_instance.x = ["m5.large",{"count":2000}]`,
      `terraform.workspace is staging: aws_instance.x = ["t3.small",{"count":2000}]`,
    ]);
    const lines = evaluated.mock.calls.map(([expr]) => expr.line);
    // The decode and the for-expression once, in the evaluation of record; what reads the
    // workspace in it and in each of the three worlds.
    expect([2, 3].map((line) => lines.filter((l) => l === line).length)).toEqual([1, 1]);
    expect(lines.filter((l) => l === 7).length).toBeGreaterThanOrEqual(4);
  });

  it("evaluates again in each world a local read from one that reads the workspace, or from a resource", () => {
    const { resources, errors } = load({
      "main.tf": `locals {
  env   = terraform.workspace == "prod" ? "prod" : "other"
  sizes = { prod = "m5.large", other = "t3.micro" }
  size  = local.sizes[local.env]
  count = length(aws_instance.w)
}
resource "aws_instance" "w" {
  count         = terraform.workspace == "prod" ? 2 : 1
  instance_type = local.size
}
resource "aws_instance" "x" {
  instance_type = "\${local.size}-\${local.count}"
}
`,
    });
    expect(errors).toEqual([]);
    expect(
      worlds(
        resources.filter((r) => r.address === "aws_instance.x"),
        (r) => r.config.instance_type,
      ),
    ).toEqual([
      `not terraform.workspace is prod: aws_instance.x = "t3.micro-1"`,
      `terraform.workspace is prod: aws_instance.x = "m5.large-2"`,
    ]);
  });

  it("gives the evaluation of record and every world one budget", () => {
    // 2,000 decoded and 2,000 built in the evaluation of record; each world builds 2,000 more
    // since `tagged` reads the workspace: the second world is past 8,000.
    const { resources, errors } = loadWithBudget(8_000, files("\${terraform.workspace}"));
    expect(besidesUnplannable(errors).map((e) => [e.line, e.code, e.message])).toEqual([
      [
        3,
        "terraform-workspace-limit",
        "in workspace \"staging\": this root module's evaluations (every workspace's together) build, decode and walk more than 8000 elements; this expression is treated as unknown; what that workspace deploys is not known (it is judged with terraform.workspace unknown)",
      ],
    ]);
    expect(worlds(resources, (r) => r.config.instance_type)).toEqual([
      `terraform.workspace is default: aws_instance.x = "t3.micro"`,
      `terraform.workspace is prod: aws_instance.x = "m5.large"`,
      `terraform.workspace is staging: aws_instance.x = {"$unknown":"local.sizes[terraform.workspace]"}`,
    ]);
  });

  it("spends the root's budget on what functions walk and make, in every world", () => {
    // 1,000 strings built once; each of 3 worlds encodes them in 4 resources (4,000 walked
    // a world), and the 12th encoding passes 10,000. Before, only the 1,000 built counted.
    const { errors } = loadWithBudget(10_000, {
      "main.tf": `locals {
  names = [for i in range(1000) : "n\${i}"]
  sizes = { prod = "m5.large", staging = "t3.small" }
}
resource "aws_instance" "x" {
  count         = 4
  instance_type = local.sizes[terraform.workspace]
  user_data     = jsonencode(local.names)
}
`,
    });
    expect(besidesUnplannable(errors).map((e) => [e.line, e.code])).toEqual([
      [8, "terraform-workspace-limit"],
    ]);
  });

  it("spends the root's budget on what range, setproduct and flatten make", () => {
    // setproduct makes 10,000 pairs (30,000 elements held), past a budget of 20,000.
    const { resources, errors } = loadWithBudget(20_000, {
      "main.tf": `resource "x" "y" {
  small = length(flatten([range(10), range(10)]))
  pairs = length(setproduct(range(100), range(100)))
}
`,
    });
    expect(errors.map((e) => [e.line, e.code])).toEqual([[3, "terraform-limit"]]);
    expect(resources[0]?.config.small).toBe(20);
  });

  it("bounds locals chained over data in one evaluation by the root's budget", () => {
    const chain = Array.from(
      { length: 4 },
      (_, i) => `  c${i + 1} = [for n in local.c${i} : "v\${n}"]\n`,
    ).join("");
    const { resources, errors } = loadWithBudget(9_000, {
      "main.tf": `locals {\n  c0 = jsondecode(file("names.json"))\n${chain}}\nresource "x" "y" {\n  v = [length(local.c2), length(local.c4)]\n}\n`,
      "names.json": files("")["names.json"],
    });
    // 2,000 decoded, then 2,000 built by each local: c4 passes 9,000.
    expect(errors.map((e) => [e.line, e.code])).toEqual([[6, "terraform-limit"]]);
    expect(resources[0]?.config.v).toEqual([2_000, { $unknown: "length(local.c4)" }]);
  });
});

describe("workspace names Tollgate does not evaluate one by one", () => {
  it("are named in a warning where the first is read when there are more than 16", () => {
    const names = Array.from({ length: 17 }, (_, i) => `ws${String(i).padStart(2, "0")}`);
    const { resources, errors } = load({
      "main.tf": `locals {
  sizes = { ${names.map((name) => `${name} = "t3.micro"`).join(", ")} }
}
resource "aws_instance" "x" {
  instance_type = local.sizes[terraform.workspace]
}
`,
    });
    expect(resources.map((r) => [r.workspace, r.config.instance_type])).toEqual([
      [undefined, { $unknown: "local.sizes[terraform.workspace]" }],
    ]);
    expect(errors).toEqual([
      {
        file: "main.tf",
        line: 5,
        column: 19,
        level: "warning",
        code: "terraform-workspaces",
        message: `the root tells apart 18 workspaces (default among them), more than the 15 Tollgate evaluates one by one: none of ${names
          .slice(0, 20)
          .map((name) => `"${name}"`)
          .join(", ")} is evaluated on its own; what terraform.workspace decides stays unknown`,
      },
    ]);
  });

  it("are named in a warning when a condition cannot hold one", () => {
    const { errors } = load({
      "main.tf": `resource "aws_instance" "x" {
  instance_type = terraform.workspace == "prod eu" ? "m5.large" : "t3.micro"
}
`,
    });
    expect(errors.map((e) => `${e.line}:${e.column} ${e.code} ${e.message}`)).toEqual([
      `2:19 terraform-workspaces a condition cannot hold the workspace name "prod eu": none of "prod eu" is evaluated on its own; what terraform.workspace decides stays unknown`,
    ]);
  });
});

describe("workspace names read through a template of the workspace alone", () => {
  it.each([
    ['local.cidrs["${terraform.workspace}"]'],
    ['lookup(local.cidrs, "${terraform.workspace}")'],
  ])("are collected as the bare read's: %s", (read) => {
    const { resources, errors } = load({
      "main.tf": `locals {
  cidrs = {
    default = "10.0.0.0/8"
    prod    = "0.0.0.0/0"
  }
}
${sshFrom(`[${read}]`)}`,
    });
    expect(besidesUnplannable(errors)).toEqual([]);
    expect(worlds(resources, ingressCidrs)).toEqual([
      `terraform.workspace is default: aws_security_group.a = ["10.0.0.0/8"]`,
      `terraform.workspace is prod: aws_security_group.a = ["0.0.0.0/0"]`,
    ]);
  });
});

describe("plannedWorkspaces", () => {
  it("adds a world for the unnamed workspaces when default is named", () => {
    expect(plannedWorkspaces(new Set(["default", "prod"])).map((w) => w.name)).toEqual([
      "default",
      "prod",
      UNNAMED_WORKSPACE,
    ]);
  });

  it("plans none for a name a condition text cannot hold", () => {
    expect(plannedWorkspaces(new Set(["prod eu"]))).toEqual([]);
    expect(plannedWorkspaces(new Set(["not"]))).toEqual([]);
  });
});
