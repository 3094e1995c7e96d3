import { describe, expect, it } from "vitest";
import type { Resource } from "../model/types.js";
import { ruleMetadata } from "./metadata.js";
import { toFindings, toWorldFindings } from "./findings.js";

const group: Resource = {
  address: "aws_security_group.web",
  type: "aws_security_group",
  name: "web",
  mode: "managed",
  source: "terraform",
  module: "",
  file: "main.tf",
  line: 10,
  column: 1,
  endLine: 30,
  config: { ingress: [{ from_port: 22, to_port: 22, cidr_blocks: ["10.0.0.0/8", "0.0.0.0/0"] }] },
  references: [],
  locations: {
    "/ingress": { file: "main.tf", line: 12, column: 3, endLine: 17, endColumn: 4 },
    "/ingress/0": { file: "main.tf", line: 12, column: 3, endLine: 17, endColumn: 4 },
    "/ingress/0/cidr_blocks": { file: "main.tf", line: 15, column: 5, endLine: 15, endColumn: 50 },
  },
};

const meta = ruleMetadata("tollgate/rules/network/open_ssh/deny", [
  {
    scope: "package",
    title: "SSH open to the internet",
    custom: {
      id: "TG-NET-001",
      severity: "high",
      category: "network",
      remediation: "Restrict the CIDR.",
    },
  },
]);

describe("rule metadata", () => {
  it("merges package and rule scope, rule scope winning", () => {
    const merged = ruleMetadata("p/deny", [
      { scope: "rule", custom: { severity: "critical" } },
      { scope: "package", title: "T", custom: { id: "X-1", severity: "low", category: "iam" } },
    ]);
    expect(merged).toEqual({
      ok: true,
      rule: { id: "X-1", title: "T", severity: "critical", category: "iam", entrypoint: "p/deny" },
    });
  });

  it("says which field is wrong", () => {
    const bad = ruleMetadata("p/deny", [
      { custom: { id: "X-1", severity: "severe", category: "iam" } },
    ]);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/p\/deny: METADATA custom.severity/);
    // A field left out is named as missing, with what it holds.
    const missing = ruleMetadata("p/deny", [{ custom: { category: "tagging" } }]);
    expect(!missing.ok && missing.problems).toEqual([
      "p/deny: METADATA custom.id is missing: add `id: ...` under `custom:`, the rule's stable id (ACME-TAG-001), which settings and waivers name",
      "p/deny: METADATA custom.severity is missing: add `severity: ...` under `custom:`, one of critical, high, medium, low, info",
    ]);
  });

  it("takes a category of the rule's own, a lowercase name, besides the built-in four", () => {
    const category = (name: string) => {
      const result = ruleMetadata("tollgate/rules/tagging/required/deny", [
        { custom: { id: "ACME-TAG-001", severity: "medium", category: name } },
      ]);
      return result.ok ? result.rule.category : result.message;
    };
    expect(["tagging", "supply-chain", "cost2", "iam"].map(category)).toEqual([
      "tagging",
      "supply-chain",
      "cost2",
      "iam",
    ]);
    for (const name of ["Tagging", "supply chain", "x", "-cost", "a".repeat(32), "<b>"])
      expect(category(name)).toBe(
        "tollgate/rules/tagging/required/deny: METADATA custom.category: a category is iam, network, encryption, logging or a name of your own such as tagging (2 to 31 characters: lowercase letters, digits and '-', starting with a letter)",
      );
  });
});

describe("findings from rule results", () => {
  it("puts a finding on the most specific recorded line of its path", () => {
    if (!meta.ok) throw new Error(meta.message);
    const { findings, errors } = toFindings(
      meta.rule,
      [
        {
          resource: "aws_security_group.web",
          message: "SSH open",
          path: ["ingress", 0, "cidr_blocks", 1],
          evidence: "tcp/22 from 0.0.0.0/0",
        },
      ],
      new Map([[group.address, group]]),
    );
    expect(errors).toEqual([]);
    expect(findings).toEqual([
      expect.objectContaining({
        rule: "TG-NET-001",
        file: "main.tf",
        line: 15,
        endLine: 15,
        evidence: "tcp/22 from 0.0.0.0/0",
        severity: "high",
      }),
    ]);
  });

  it("takes what decides the resource's own instance, then the module calls creating it, then the attribute", () => {
    if (!meta.ok) throw new Error(meta.message);
    const place = (file: string, line: number) => ({
      file,
      line,
      column: 1,
      endLine: line,
      endColumn: 9,
    });
    const nested: Resource = {
      ...group,
      address: 'module.app["eu"].module.net.aws_security_group.web[0]',
      readFrom: {
        ingress: [place("terraform.tfvars", 3)],
        'module.app["eu"].module.net.count': [place("modules/app/main.tf", 4)],
        "module.app.for_each": [place("locals.tf", 2)],
        count: [place("modules/net/variables.tf", 7)],
        description: [place("terraform.tfvars", 5)],
      },
    };
    const { findings } = toFindings(
      meta.rule,
      [{ resource: nested.address, message: "SSH open", path: ["ingress", 0, "cidr_blocks", 1] }],
      new Map([[nested.address, nested]]),
    );
    expect(findings[0]?.readFrom).toEqual([
      { by: "count", file: "modules/net/variables.tf", line: 7, endLine: 7 },
      {
        by: "count",
        call: 'module.app["eu"].module.net',
        file: "modules/app/main.tf",
        line: 4,
        endLine: 4,
      },
      { by: "for_each", call: "module.app", file: "locals.tf", line: 2, endLine: 2 },
      { by: "ingress", file: "terraform.tfvars", line: 3, endLine: 3 },
    ]);
  });

  it("takes what chose a CloudFormation value only for a finding on it, around it or inside it", () => {
    if (!meta.ok) throw new Error(meta.message);
    const place = (line: number) => ({
      file: "stack.yaml",
      line,
      column: 7,
      endLine: line,
      endColumn: 20,
    });
    const stack: Resource = {
      ...group,
      address: "SG",
      type: "AWS::EC2::SecurityGroup",
      source: "cloudformation",
      file: "stack.yaml",
      readFrom: {
        Condition: [place(6)],
        "/SecurityGroupIngress/0/CidrIp": [place(7), place(5)],
        "/SecurityGroupIngress/1": [place(8)],
        "/SecurityGroupIngressX": [place(9)],
      },
    };
    const readFrom = (path: Array<string | number>) =>
      toFindings(
        meta.rule,
        [{ resource: "SG", message: "open", path }],
        new Map([[stack.address, stack]]),
      ).findings[0]?.readFrom?.map((read) => `${read.by}:${read.line}`);
    const condition = "Condition:6";
    const cidr = ["SecurityGroupIngress/0/CidrIp:7", "SecurityGroupIngress/0/CidrIp:5"];
    expect(readFrom(["SecurityGroupIngress", 0, "CidrIp"])).toEqual([condition, ...cidr]);
    expect(readFrom(["SecurityGroupIngress", 0])).toEqual([condition, ...cidr]);
    expect(readFrom(["SecurityGroupIngress"])).toEqual([
      condition,
      ...cidr,
      "SecurityGroupIngress/1:8",
    ]);
    expect(readFrom(["SecurityGroupIngress", 1, "FromPort"])).toEqual([
      condition,
      "SecurityGroupIngress/1:8",
    ]);
    expect(readFrom(["SecurityGroupIngress", 0, "FromPort"])).toEqual([condition]);
    expect(readFrom([])).toEqual([condition]);
  });

  it("takes a place recorded under a branch's conditions only for a finding holding under them", () => {
    if (!meta.ok) throw new Error(meta.message);
    const place = (line: number, when?: string[]) => ({
      file: "stack.yaml",
      line,
      column: 7,
      endLine: line,
      endColumn: 20,
      ...(when ? { when } : {}),
    });
    const template: Resource = {
      ...group,
      address: "Template",
      type: "AWS::EC2::LaunchTemplate",
      source: "cloudformation",
      file: "stack.yaml",
      config: { LaunchTemplateData: { MetadataOptions: { $unknown: "!If [Undecided, ...]" } } },
      locations: {},
      readFrom: {
        "/LaunchTemplateData/MetadataOptions/HttpTokens": [place(8, ["Undecided"]), place(3)],
      },
    };
    const readFrom = (when?: string) =>
      toFindings(
        meta.rule,
        [
          {
            resource: "Template",
            message: "IMDSv1",
            path: "/LaunchTemplateData/MetadataOptions/HttpTokens",
            ...(when !== undefined ? { when } : {}),
          },
        ],
        new Map([[template.address, template]]),
      ).findings[0]?.readFrom?.map((read) => read.line);
    const by = "LaunchTemplateData/MetadataOptions/HttpTokens";
    expect(readFrom("Undecided")).toEqual([8, 3]);
    expect(readFrom("Undecided and not IsStrict")).toEqual([8, 3]);
    // The other branch, or every deployment: line 8 did not choose that value.
    expect(readFrom("not Undecided")).toEqual([3]);
    expect(readFrom("Undecided or Other")).toEqual([3]);
    expect(readFrom()).toEqual([3]);
    expect(
      toFindings(
        meta.rule,
        [{ resource: "Template", message: "IMDSv1", path: `/${by}`, when: "Undecided" }],
        new Map([[template.address, template]]),
      ).findings[0]?.readFrom?.[0],
    ).toEqual({ by, file: "stack.yaml", line: 8, endLine: 8 });
  });

  it("takes the places a Terraform value passed through after what its attribute read, named by that attribute", () => {
    if (!meta.ok) throw new Error(meta.message);
    const place = (line: number, through?: string) => ({
      file: "main.tf",
      line,
      column: 3,
      endLine: line,
      endColumn: 30,
      ...(through !== undefined ? { through } : {}),
    });
    const web: Resource = {
      ...group,
      readFrom: {
        ingress: [place(2)],
        "/ingress/0/cidr_blocks/0": [place(6, "aws_vpc.v's cidr_block"), place(3, "local.chosen")],
        "/ingress/1/cidr_blocks/0": [place(9, "module.m's output cidr")],
      },
    };
    const readFrom = (path: Array<string | number>) =>
      toFindings(
        meta.rule,
        [{ resource: web.address, message: "open", path }],
        new Map([[web.address, web]]),
      ).findings[0]?.readFrom;
    expect(readFrom(["ingress", 0, "cidr_blocks", 0])).toEqual([
      { by: "ingress", file: "main.tf", line: 2, endLine: 2 },
      { by: "ingress", through: "aws_vpc.v's cidr_block", file: "main.tf", line: 6, endLine: 6 },
      { by: "ingress", through: "local.chosen", file: "main.tf", line: 3, endLine: 3 },
    ]);
    // Another ingress rule's value passed elsewhere: its places are not this finding's.
    expect(readFrom(["ingress", 1, "from_port"])).toEqual([
      { by: "ingress", file: "main.tf", line: 2, endLine: 2 },
    ]);
  });

  it("falls back to the resource's first line and reports malformed results and unknown resources", () => {
    if (!meta.ok) throw new Error(meta.message);
    const { findings, errors } = toFindings(
      meta.rule,
      [
        { resource: "aws_security_group.web", message: "no description" },
        { resource: "aws_nope.x", message: "m" },
        { message: 3 },
      ],
      new Map([[group.address, group]]),
    );
    expect(findings.map((f) => [f.line, f.evidence])).toEqual([[10, ""]]);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/reported resource 'aws_nope.x'/),
      expect.stringMatching(/malformed finding/),
    ]);
  });

  it("says which field of a malformed finding is wrong and what a finding is, and cuts the value cleanly", () => {
    if (!meta.ok) throw new Error(meta.message);
    const contract =
      "a finding is an object with resource (an address in input.resources) and message, and " +
      "optionally evidence, path, severity, unknown, when, subject and scope (policies/README.md)";
    const messages = (values: unknown[]) =>
      toFindings(meta.rule, values, new Map([[group.address, group]])).errors.map((e) => e.message);
    const [missing, path] = messages([
      { message: "m", evidence: "e" },
      { resource: group.address, message: "m", path: 3 },
    ]);
    expect(missing).toBe(
      `rule TG-NET-001 returned a malformed finding (resource is missing): ${contract}; it returned {"message":"m","evidence":"e"}`,
    );
    expect(path).toMatch(
      /^rule TG-NET-001 returned a malformed finding \(path is a number, not a string or an array\): a finding is/,
    );
    // A string past 200 characters of JSON, with escapes 2 and 6 long (\", \\, \u0007) and a
    // surrogate pair, shifted so that the cut falls at each place of its 23-character period.
    const prefix = `rule TG-NET-001 returned a malformed finding (a string, not an object): ${contract}; it returned `;
    for (const pad of Array.from({ length: 23 }, (_, n) => "x".repeat(n))) {
      const text = pad + 'say "é" \\ \u0007 😀 '.repeat(20);
      const [message = ""] = messages([text]);
      expect(message.startsWith(prefix), pad).toBe(true);
      const shown = message.slice(prefix.length);
      expect(shown.endsWith("…"), pad).toBe(true);
      expect(shown.length, pad).toBeLessThanOrEqual(201);
      expect(shown.length, pad).toBeGreaterThan(194);
      // Whole escapes and characters only: closed with a quote, it reads back as the text's start.
      const read = JSON.parse(`${shown.slice(0, -1)}"`) as string;
      expect(text.startsWith(read), pad).toBe(true);
      expect(/\p{Cs}/u.test(read), pad).toBe(false);
    }
  });

  it("keeps the subject a rule names when it is not the resource, and reports one not in the input", () => {
    if (!meta.ok) throw new Error(meta.message);
    const rule: Resource = {
      ...group,
      address: "aws_vpc_security_group_ingress_rule.ssh",
      type: "aws_vpc_security_group_ingress_rule",
      name: "ssh",
      file: "rules.tf",
      locations: {},
    };
    const resources = new Map([
      [group.address, group],
      [rule.address, rule],
    ]);
    const open = { message: "SSH open", evidence: "tcp/22 from 0.0.0.0/0" };
    const { findings, errors } = toFindings(
      meta.rule,
      [
        { ...open, resource: rule.address, subject: group.address },
        { ...open, resource: group.address, subject: group.address },
        { ...open, resource: rule.address, subject: "aws_security_group.gone" },
      ],
      resources,
    );
    expect(findings.map((f) => [f.resource, f.subject, f.file])).toEqual([
      [rule.address, group.address, "rules.tf"],
      [group.address, undefined, "main.tf"],
    ]);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/reported subject 'aws_security_group.gone'/),
    ]);
  });

  it("keeps a rule's scope with the conditions the finding holds under, and rejects a malformed one", () => {
    if (!meta.ok) throw new Error(meta.message);
    const scope = {
      kind: "network",
      direction: "ingress",
      protocol: "tcp",
      from: 22,
      to: 22,
      source: "0.0.0.0/0",
    };
    const conditionalGroup: Resource = { ...group, conditional: { "/ingress/0": "IsPublic" } };
    const result = (extra: object) => ({
      resource: "aws_security_group.web",
      message: "SSH open",
      path: ["ingress", 0, "cidr_blocks", 1],
      evidence: "tcp/22 from 0.0.0.0/0",
      ...extra,
    });
    const { findings, errors } = toFindings(
      meta.rule,
      [
        result({ scope }),
        result({ scope: { ...scope, from: "22" } }),
        result({ scope: { ...scope, protocol: "icmp" } }),
        result({ scope: { ...scope, port: 22 } }),
      ],
      new Map([[group.address, conditionalGroup]]),
    );
    expect(findings.map((f) => f.scope)).toEqual([{ ...scope, when: ["IsPublic"] }]);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/malformed finding \(scope\.from is a string, not a number\)/),
      expect.stringMatching(
        /malformed finding \(scope\.protocol is "icmp", not one of "all", "tcp", "udp"\)/,
      ),
      expect.stringMatching(/malformed finding \(scope has "port", which it does not take\)/),
    ]);
    const grant = { kind: "iam", effect: "Allow", resources: ["*"], condition: {} };
    const unknownArn = { resources: [], unknownResources: ["aws_s3_bucket.site.arn"] };
    const publicGrant = {
      kind: "resource-policy",
      actions: ["s3:GetObject"],
      principal: "*",
      contained: true,
    };
    const acl = { kind: "acl", grantee: "AllUsers", permissions: ["READ"], contained: false };
    const other = toFindings(
      meta.rule,
      [
        result({}),
        result({ scope: null, evidence: "null" }),
        result({ scope: { ...grant, actions: ["iam:PassRole"] }, evidence: "actions" }),
        result({ scope: { ...grant, notActions: ["iam:*"] }, evidence: "not" }),
        result({ scope: { ...grant, actions: [] }, evidence: "empty" }),
        result({ scope: { ...grant, effect: "Deny", actions: ["s3:*"] }, evidence: "deny" }),
        result({ scope: { ...grant, actions: ["s3:*"], notActions: ["iam:*"] }, evidence: "both" }),
        result({ scope: { ...grant, actions: ["s3:*"], resources: [] }, evidence: "nowhere" }),
        result({ scope: { ...grant, actions: ["s3:*"], ...unknownArn }, evidence: "unknown" }),
        result({ scope: { ...grant, ...publicGrant }, evidence: "public" }),
        result({ scope: acl, evidence: "acl" }),
        result({ scope: { ...acl, permissions: ["FULL_CONTROL"] }, evidence: "full" }),
      ],
      new Map([[group.address, group]]),
    );
    expect(other.findings.map((f) => [f.evidence, f.scope])).toEqual([
      ["tcp/22 from 0.0.0.0/0", undefined],
      ["null", undefined],
      ["actions", { ...grant, actions: ["iam:PassRole"], when: [] }],
      ["not", { ...grant, notActions: ["iam:*"], when: [] }],
      ["unknown", { ...grant, actions: ["s3:*"], ...unknownArn, when: [] }],
      ["public", { ...grant, ...publicGrant, when: [] }],
      ["acl", { ...acl, when: [] }],
    ]);
    expect(other.errors.map((e) => e.message.slice(0, e.message.indexOf(")") + 1))).toEqual([
      "rule TG-NET-001 returned a malformed finding (scope.actions is empty)",
      'rule TG-NET-001 returned a malformed finding (scope.effect is "Deny", not "Allow")',
      "rule TG-NET-001 returned a malformed finding (scope: exactly one of actions and notActions, and resources or notResources)",
      "rule TG-NET-001 returned a malformed finding (scope: exactly one of actions and notActions, and resources or notResources)",
      'rule TG-NET-001 returned a malformed finding (scope.permissions.0 is "FULL_CONTROL", not one of "READ", "WRITE", "READ_ACP", "WRITE_ACP")',
    ]);
  });

  it("weighs at most 32 alternatives of one finding, then reports it in every deployment", () => {
    if (!meta.ok) throw new Error(meta.message);
    // A custom rule is untrusted: pruning 2,000 alternatives pair by pair took 185 s on the main
    // thread, after the worker's deadline.
    const alternatives = (count: number) =>
      Array.from({ length: count }, (_, index) => ({
        resource: "Web",
        message: "SSH open.",
        when: `Region${index}`,
      }));
    const web = new Map([["Web", { ...group, address: "Web" }]]);
    const weighed = toFindings(meta.rule, alternatives(32), web);
    expect(weighed.findings.map((f) => f.message)).toEqual([
      `SSH open. Only when ${alternatives(32)
        .map((result) => result.when)
        .sort()
        .join(" or ")}.`,
    ]);
    const many = toFindings(meta.rule, alternatives(200), web);
    expect(many.errors).toEqual([]);
    expect(many.findings.map((f) => f.message)).toEqual(["SSH open."]);
  });

  it("says when a finding's path, or the alternative it judged, exists only under undecided conditions", () => {
    if (!meta.ok) throw new Error(meta.message);
    const conditionalGroup: Resource = {
      ...group,
      address: "Web",
      source: "cloudformation",
      conditional: { "": "IsDeployed", "/ingress/0": "IsPublic", "/ingress/01": "Unrelated" },
    };
    const results = [
      {
        resource: "Web",
        message: "SSH open.",
        path: ["ingress", 0, "cidr_blocks", 1],
        evidence: "e",
      },
      { resource: "Web", message: "No description.", path: "/description", evidence: "d" },
    ];
    const { findings } = toFindings(meta.rule, results, new Map([["Web", conditionalGroup]]));
    expect(findings.map((f) => [f.message, f.evidence, f.line])).toEqual([
      ["SSH open. Only when IsDeployed and IsPublic.", "e", 15],
      ["No description. Only when IsDeployed.", "d", 10],
    ]);
    const alternative = toFindings(
      meta.rule,
      [
        { ...results[0], when: "not HasVpn" },
        { ...results[1], when: "" },
      ],
      new Map([["Web", { ...group, address: "Web" }]]),
    );
    expect(alternative.findings.map((f) => [f.message, f.evidence])).toEqual([
      ["SSH open. Only when not HasVpn.", "e"],
      ["No description.", "d"],
    ]);
    const branches = toFindings(
      meta.rule,
      [
        { ...results[0], when: "HasVpn" },
        { ...results[0], when: "not HasVpn" },
        { ...results[1], when: "IsA" },
        { ...results[1], when: "IsB" },
      ],
      new Map([["Web", { ...group, address: "Web" }]]),
    );
    expect(branches.findings.map((f) => [f.message, f.evidence])).toEqual([
      ["SSH open.", "e"],
      ["No description. Only when IsA or IsB.", "d"],
    ]);
    const nested = toFindings(
      meta.rule,
      [
        { ...results[0], when: "IsPublic" },
        { ...results[0], path: ["ingress", 0, "cidr_blocks", 0], when: "not IsPublic" },
      ],
      new Map([["Web", conditionalGroup]]),
    );
    expect(nested.findings.map((f) => [f.message, f.evidence])).toEqual([
      ["SSH open. Only when IsDeployed and IsPublic.", "e"],
    ]);
    const compound = toFindings(
      meta.rule,
      [
        { ...results[0], when: "IsPublic and not IsDeployed" },
        { ...results[0], path: ["ingress", 0, "cidr_blocks", 0], when: "IsDeployed and HasVpn" },
      ],
      new Map([["Web", conditionalGroup]]),
    );
    expect(compound.findings.map((f) => [f.message, f.evidence])).toEqual([
      ["SSH open. Only when IsPublic and IsDeployed and HasVpn.", "e"],
    ]);
    const absorbed = toFindings(
      meta.rule,
      [
        { ...results[0], when: "IsA" },
        { ...results[0], when: "IsA and IsB" },
        { ...results[1], when: "IsA and IsB" },
        { ...results[1], when: "IsA and not IsB" },
        { ...results[1], when: "not IsA" },
      ],
      new Map([["Web", { ...group, address: "Web" }]]),
    );
    expect(absorbed.findings.map((f) => [f.message, f.evidence])).toEqual([
      ["SSH open. Only when IsA.", "e"],
      ["No description.", "d"],
    ]);
    const plainer = toFindings(
      meta.rule,
      [
        { ...results[0], when: "not (HasLogs and IsProd) and not (HasLogs and not IsProd)" },
        { ...results[1], when: "not (HasKey and IsProd and not HasKey)" },
      ],
      new Map([["Web", conditionalGroup]]),
    );
    expect(plainer.findings.map((f) => [f.message, f.evidence])).toEqual([
      ["SSH open. Only when IsDeployed and IsPublic and not HasLogs.", "e"],
      ["No description. Only when IsDeployed.", "d"],
    ]);
    const plain = toFindings(meta.rule, results, new Map([["Web", { ...group, address: "Web" }]]));
    expect(plain.findings.map((f) => [f.message, f.evidence])).toEqual([
      ["SSH open.", "e"],
      ["No description.", "d"],
    ]);
  });

  it("says when a finding's Terraform block comes from a for_each it cannot know", () => {
    if (!meta.ok) throw new Error(meta.message);
    const dynamicGroup: Resource = {
      ...group,
      unknownForEach: { "/ingress/0": "var.rules", "/ingress/01": "var.other" },
    };
    const results = [
      {
        resource: group.address,
        message: "SSH open.",
        path: ["ingress", 0, "cidr_blocks", 1],
        evidence: "e",
      },
      { resource: group.address, message: "On the block.", path: "/ingress/0", evidence: "b" },
      { resource: group.address, message: "No description.", path: "/description", evidence: "d" },
      { resource: group.address, message: "Not on it.", path: "/ingress/01", evidence: "o" },
    ];
    const { findings } = toFindings(meta.rule, results, new Map([[group.address, dynamicGroup]]));
    expect(findings.map((f) => [f.message, f.evidence])).toEqual([
      ["SSH open. Only when var.rules is not empty.", "e"],
      ["On the block. Only when var.rules is not empty.", "b"],
      ["No description.", "d"],
      ["Not on it. Only when var.other is not empty.", "o"],
    ]);
  });
});

describe("findings over Terraform workspaces", () => {
  const ws = "terraform.workspace";
  const names = ["default", "prod", "staging"];
  const choices = { parameters: { [ws]: ["(unnamed)", "prod", "staging"] }, conditions: {} };
  const world = (name: string) => {
    const when =
      name === "default" ? `not ${ws} is prod and not ${ws} is staging` : `${ws} is ${name}`;
    const resource: Resource = { ...group, workspace: when, workspaceName: name, choices };
    return { resource, when, resources: new Map([[group.address, resource]]) };
  };
  const logs = (bucket: string) => ({
    resource: group.address,
    message: `Logs go to ${bucket}.`,
    evidence: `logging bucket ${bucket}`,
  });

  it("merges what each world says of its own workspace's name into one finding", () => {
    const worlds = names.map((name) => ({
      ...world(name),
      results: [logs(`${name}-logs`)],
    }));
    if (!meta.ok) throw new Error(meta.message);
    const { findings } = toWorldFindings(meta.rule, worlds);
    expect(findings.map((f) => [f.evidence, f.message])).toEqual([
      ["logging bucket ${terraform.workspace}-logs", "Logs go to ${terraform.workspace}-logs."],
    ]);
  });

  it("keeps a name one world alone holds, and one that is not a whole word, as written", () => {
    const worlds = names.map((name) => ({
      ...world(name),
      results:
        name === "prod"
          ? [logs("prod-logs"), logs("production")]
          : name === "staging"
            ? [logs("production")]
            : [],
    }));
    if (!meta.ok) throw new Error(meta.message);
    const { findings } = toWorldFindings(meta.rule, worlds);
    expect(findings.map((f) => `${f.evidence} | ${f.message}`)).toEqual([
      "logging bucket prod-logs | Logs go to prod-logs. Only when terraform.workspace is prod.",
      "logging bucket production | Logs go to production. Only when terraform.workspace is prod or terraform.workspace is staging.",
    ]);
  });
});
