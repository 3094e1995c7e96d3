import { describe, expect, it } from "vitest";
import type {
  AclScope,
  Finding,
  FindingScope,
  IamScope,
  NetworkScope,
  ResourcePolicyScope,
} from "../model/types.js";
import { finding } from "../../test/app/findings.js";
import {
  cidrContains,
  conditionCovers,
  findingCovers,
  grantWidening,
  patternCovers,
  patternsOverlap,
  scopeCovers,
} from "./coverage.js";
import { diffFindings } from "./index.js";

/** An ingress scope from the internet over TCP, with what a test changes. */
type Network = NetworkScope & { when: string[] };

function network(overrides: Partial<Network> = {}): Network {
  return {
    kind: "network",
    direction: "ingress",
    protocol: "tcp",
    from: 22,
    to: 22,
    source: "0.0.0.0/0",
    when: [],
    ...overrides,
  };
}

/** A finding whose evidence is written from its scope, as lib/network.rego writes it. */
function exposure(scope: Partial<Network>, overrides: Partial<Finding> = {}): Finding {
  const full = network(scope);
  const ports =
    full.protocol === "all"
      ? "all"
      : `${full.protocol}/${full.from === full.to ? full.from : `${full.from}-${full.to}`}`;
  return finding({ evidence: `${ports} from ${full.source}`, scope: full, ...overrides });
}

const labels = (findings: Finding[]) => findings.map((f) => `${f.status}:${f.rule} ${f.evidence}`);

describe("cidrContains", () => {
  it("contains a block inside it of the same IP version", () => {
    expect(cidrContains("0.0.0.0/0", "10.1.0.0/16")).toBe(true);
    expect(cidrContains("10.0.0.0/8", "10.1.2.3/32")).toBe(true);
    expect(cidrContains("10.0.0.0/8", "11.0.0.0/16")).toBe(false);
    expect(cidrContains("10.1.0.0/16", "10.0.0.0/8")).toBe(false);
    expect(cidrContains("::/0", "2001:db8::/32")).toBe(true);
    expect(cidrContains("2001:db8::/32", "2001:db9::/48")).toBe(false);
  });

  it("keeps IPv4 and IPv6 apart", () => {
    expect(cidrContains("0.0.0.0/0", "::/0")).toBe(false);
    expect(cidrContains("::/0", "0.0.0.0/0")).toBe(false);
    expect(cidrContains("::/0", "::ffff:10.0.0.0/104")).toBe(true);
    expect(cidrContains("0.0.0.0/0", "::ffff:10.0.0.0/104")).toBe(false);
  });

  it("matches anything that is not a CIDR only by equal text", () => {
    expect(cidrContains("pl-123", "pl-123")).toBe(true);
    expect(cidrContains("0.0.0.0/0", "pl-123")).toBe(false);
    expect(cidrContains("0.0.0.0/0", "10.0.0.0/40")).toBe(false);
  });
});

describe("scopeCovers", () => {
  it("covers a narrower port range of the same protocol, or any protocol under all", () => {
    expect(scopeCovers(network({ from: 0, to: 65535 }), network())).toBe(true);
    expect(scopeCovers(network({ protocol: "all", from: 0, to: 65535 }), network())).toBe(true);
    expect(scopeCovers(network({ protocol: "udp", from: 0, to: 65535 }), network())).toBe(false);
    expect(scopeCovers(network(), network({ from: 22, to: 2222 }))).toBe(false);
    expect(scopeCovers(network({ from: 23, to: 65535 }), network())).toBe(false);
  });

  it("covers only the same direction", () => {
    const egress = network({ direction: "egress", protocol: "all", from: 0, to: 65535 });
    expect(scopeCovers(egress, network())).toBe(false);
  });

  it("covers a narrower source, never a wider one", () => {
    expect(scopeCovers(network(), network({ source: "203.0.113.0/24" }))).toBe(true);
    expect(scopeCovers(network({ source: "203.0.113.0/24" }), network())).toBe(false);
  });

  it("compares a network ACL rule's open ports when its earlier denies leave only some", () => {
    const allButRdp = network({ from: 0, to: 65535, ports: [22] });
    expect(scopeCovers(allButRdp, network({ ports: [22] }))).toBe(true);
    expect(scopeCovers(allButRdp, network({ from: 3389, to: 3389, ports: [3389] }))).toBe(false);
    expect(scopeCovers(allButRdp, network({ from: 0, to: 65535, ports: [22, 3389] }))).toBe(false);
  });

  it("covers only where the wider one holds whenever the narrower one does", () => {
    const wide = network({ from: 0, to: 65535 });
    expect(scopeCovers({ ...wide, when: ["IsProd"] }, network())).toBe(false);
    expect(scopeCovers({ ...wide, when: ["IsProd"] }, network({ when: ["IsProd"] }))).toBe(true);
    expect(scopeCovers(wide, network({ when: ["IsProd"] }))).toBe(true);
  });
});

describe("findingCovers", () => {
  const wide = exposure({ protocol: "all", from: 0, to: 65535 }, { rule: "TG-NET-005" });

  it("compares findings of one root, subject and category, whatever their rules", () => {
    expect(findingCovers(wide, exposure({}))).toBe(true);
    expect(findingCovers(wide, exposure({}, { resource: "aws_security_group.db" }))).toBe(false);
    expect(findingCovers(wide, exposure({}, { root: "envs/prod" }))).toBe(false);
    expect(findingCovers(wide, exposure({}, { category: "iam" }))).toBe(false);
  });

  it("compares a standalone rule by the group it opens", () => {
    const rule = exposure({}, { resource: "aws_security_group_rule.ssh" });
    expect(findingCovers(wide, { ...rule, subject: "aws_security_group.web" })).toBe(true);
    expect(findingCovers(wide, rule)).toBe(false);
  });

  it("never covers with or a finding without a scope, or a cannot-tell one", () => {
    expect(findingCovers(finding({ evidence: "tcp/0-65535 from 0.0.0.0/0" }), finding())).toBe(
      false,
    );
    expect(findingCovers(wide, finding())).toBe(false);
    expect(findingCovers({ ...wide, unknown: "var.cidr" }, exposure({}))).toBe(false);
    expect(findingCovers(wide, exposure({}, { unknown: "var.cidr" }))).toBe(false);
  });
});

describe("diffFindings with coverage", () => {
  it("calls a narrowed exposure existing and the wider rule's finding fixed (0-65535 to 22)", () => {
    const base = [exposure({ from: 0, to: 65535 }, { rule: "TG-NET-005" })];
    const head = [exposure({})];
    expect(labels(diffFindings(base, head))).toEqual([
      "existing:TG-NET-001 tcp/22 from 0.0.0.0/0",
      "fixed:TG-NET-005 tcp/0-65535 from 0.0.0.0/0",
    ]);
  });

  it("lists nothing fixed when a rule's own exposure is narrowed (SSH on 0-1024 to 22), and says so", () => {
    const base = [exposure({ from: 0, to: 1024 })];
    const labelled = diffFindings(base, [exposure({})]);
    expect(labels(labelled)).toEqual(["existing:TG-NET-001 tcp/22 from 0.0.0.0/0"]);
    expect(labelled[0]?.narrowed).toBe("now only tcp/22 from 0.0.0.0/0");
    // The wider one still open at head: nothing narrowed.
    const both = diffFindings(base, [exposure({}), ...base]);
    expect(both.map((f) => f.narrowed)).toEqual([undefined, undefined]);
    // Another rule's wider finding is fixed, which says it.
    const other = diffFindings(
      [exposure({ from: 0, to: 65535 }, { rule: "TG-NET-005" })],
      [exposure({})],
    );
    expect(other[0]?.narrowed).toBeUndefined();
  });

  it("calls a widened exposure new and the narrower one not fixed (22 to 22-2222)", () => {
    const head = [
      exposure({ from: 22, to: 2222 }),
      exposure({ from: 22, to: 2222 }, { rule: "TG-NET-003" }),
    ];
    expect(labels(diffFindings([exposure({})], head))).toEqual([
      "new:TG-NET-001 tcp/22-2222 from 0.0.0.0/0",
      "new:TG-NET-003 tcp/22-2222 from 0.0.0.0/0",
    ]);
  });

  it("calls a narrower source existing and a wider one new", () => {
    const office = exposure({ source: "203.0.113.0/24" });
    expect(labels(diffFindings([exposure({})], [office]))).toEqual([
      "existing:TG-NET-001 tcp/22 from 203.0.113.0/24",
    ]);
    expect(labels(diffFindings([office], [exposure({})]))).toEqual([
      "new:TG-NET-001 tcp/22 from 0.0.0.0/0",
    ]);
  });

  it("never lets IPv4 cover IPv6", () => {
    const base = [exposure({ from: 0, to: 65535 }, { rule: "TG-NET-005" })];
    expect(labels(diffFindings(base, [exposure({ source: "::/0" })]))).toEqual([
      "new:TG-NET-001 tcp/22 from ::/0",
      "fixed:TG-NET-005 tcp/0-65535 from 0.0.0.0/0",
    ]);
  });

  it("never lets one group's exposure cover another's, nor an unrelated port", () => {
    const base = [exposure({ from: 0, to: 1024 }, { resource: "aws_security_group.db" })];
    const head = [
      exposure({}),
      exposure({ from: 3389, to: 3389 }, { resource: "aws_security_group.db" }),
    ];
    expect(labels(diffFindings(base, head))).toEqual([
      "new:TG-NET-001 tcp/22 from 0.0.0.0/0",
      "new:TG-NET-001 tcp/3389 from 0.0.0.0/0",
      "fixed:TG-NET-001 tcp/0-1024 from 0.0.0.0/0",
    ]);
  });

  it("compares a base finding at the address the head's moved block gives its group", () => {
    const base = [
      exposure({ from: 0, to: 65535 }, { rule: "TG-NET-005", resource: "aws_security_group.old" }),
    ];
    const moves = [
      {
        root: "",
        from: "aws_security_group.old",
        to: "aws_security_group.web",
        whole: true,
        file: "main.tf",
        line: 1,
        column: 1,
      },
    ];
    expect(labels(diffFindings(base, [exposure({})], moves))).toEqual([
      "existing:TG-NET-001 tcp/22 from 0.0.0.0/0",
      "fixed:TG-NET-005 tcp/0-65535 from 0.0.0.0/0",
    ]);
  });

  it("keeps exact matching for findings without a scope", () => {
    const base = [finding({ evidence: "tcp/0-65535 from 0.0.0.0/0" })];
    expect(labels(diffFindings(base, [finding()]))).toEqual([
      "new:TG-NET-001 tcp/22 from 0.0.0.0/0",
      "fixed:TG-NET-001 tcp/0-65535 from 0.0.0.0/0",
    ]);
  });
});

describe("patternCovers", () => {
  it("covers what a wildcard spans, wildcards included, and nothing wider", () => {
    expect(patternCovers("*", "iam:*")).toBe(true);
    expect(patternCovers("iam:*", "iam:passrole")).toBe(true);
    expect(patternCovers("iam:*", "iam:pass*")).toBe(true);
    expect(patternCovers("iam:pass*", "iam:*")).toBe(false);
    expect(patternCovers("iam:?etrole", "iam:getrole")).toBe(true);
    expect(patternCovers("iam:?etrole", "iam:*etrole")).toBe(false);
    expect(patternCovers("iam:getrole", "iam:?etrole")).toBe(false);
    expect(patternCovers("s3:get*", "s3:putobject")).toBe(false);
    expect(patternCovers("arn:aws:s3:::logs/*", "arn:aws:s3:::logs/2024/*")).toBe(true);
    expect(patternCovers("arn:aws:s3:::logs/*", "arn:aws:s3:::logs")).toBe(false);
  });
});

describe("patternsOverlap", () => {
  it("finds a text both match, wildcards on either side", () => {
    expect(patternsOverlap("iam:*", "iam:passrole")).toBe(true);
    expect(patternsOverlap("iam:*", "i*")).toBe(true);
    expect(patternsOverlap("*:get*", "s3:*object")).toBe(true);
    expect(patternsOverlap("iam:?assrole", "iam:p*")).toBe(true);
    expect(patternsOverlap("*", "")).toBe(true);
    expect(patternsOverlap("iam:*", "s3:*")).toBe(false);
    expect(patternsOverlap("s3:get*", "s3:put*")).toBe(false);
    expect(patternsOverlap("*x", "*y")).toBe(false);
    expect(patternsOverlap("a?c", "ab")).toBe(false);
  });
});

describe("IAM coverage", () => {
  type Iam = IamScope & { when: string[] };
  const grant = (overrides: Partial<Iam> = {}): Iam => ({
    kind: "iam",
    effect: "Allow",
    actions: ["*"],
    resources: ["*"],
    condition: {},
    when: [],
    ...overrides,
  });

  it("covers actions its patterns match, whatever their case, on resources its patterns match", () => {
    expect(scopeCovers(grant(), grant({ actions: ["iam:PassRole"] }))).toBe(true);
    expect(scopeCovers(grant({ actions: ["IAM:*"] }), grant({ actions: ["iam:passrole"] }))).toBe(
      true,
    );
    expect(
      scopeCovers(grant({ actions: ["iam:Get*"] }), grant({ actions: ["iam:PassRole"] })),
    ).toBe(false);
    const roles = grant({ resources: ["arn:aws:iam::1:role/*"] });
    expect(scopeCovers(roles, grant({ resources: ["arn:aws:iam::1:role/ci"] }))).toBe(true);
    expect(scopeCovers(roles, grant())).toBe(false);
    expect(scopeCovers(roles, grant({ resources: ["arn:aws:iam::1:ROLE/ci"] }))).toBe(false);
  });

  it("covers a statement with the same conditions and more, never one with fewer", () => {
    const org = { StringEquals: { "aws:PrincipalOrgID": "o-1" } };
    const orgAndVpc = { StringEquals: { "aws:PrincipalOrgID": "o-1", "aws:SourceVpc": "vpc-1" } };
    expect(scopeCovers(grant(), grant({ condition: org }))).toBe(true);
    expect(scopeCovers(grant({ condition: org }), grant({ condition: orgAndVpc }))).toBe(true);
    expect(scopeCovers(grant({ condition: org }), grant())).toBe(false);
    const otherOrg = { StringEquals: { "aws:PrincipalOrgID": "o-2" } };
    expect(scopeCovers(grant({ condition: org }), grant({ condition: otherOrg }))).toBe(false);
  });

  it("covers NotAction only with every action or a NotAction excluding no more", () => {
    const allButIam = grant({ actions: undefined, notActions: ["iam:*"] });
    expect(scopeCovers(grant(), allButIam)).toBe(true);
    expect(scopeCovers(grant({ actions: ["s3:*"] }), allButIam)).toBe(false);
    const allButPassRole = grant({ actions: undefined, notActions: ["iam:PassRole"] });
    expect(scopeCovers(allButPassRole, allButIam)).toBe(true);
    expect(scopeCovers(allButIam, allButPassRole)).toBe(false);
  });

  it("covers with NotAction the actions none of its patterns can match", () => {
    const allButIam = grant({ actions: undefined, notActions: ["iam:*"] });
    expect(scopeCovers(allButIam, grant({ actions: ["s3:*"] }))).toBe(true);
    expect(scopeCovers(allButIam, grant({ actions: ["s3:GetObject", "ec2:Describe*"] }))).toBe(
      true,
    );
    // Negative cases: an action it excludes, in any case, or a pattern reaching into them.
    expect(scopeCovers(allButIam, grant({ actions: ["IAM:PassRole"] }))).toBe(false);
    expect(scopeCovers(allButIam, grant({ actions: ["*"] }))).toBe(false);
    expect(scopeCovers(allButIam, grant({ actions: ["i*"] }))).toBe(false);
    expect(scopeCovers(allButIam, grant({ actions: ["s3:GetObject", "iam:Get*"] }))).toBe(false);
  });

  it("covers NotResource as it covers NotAction, case-sensitively", () => {
    const allButSecrets = grant({ resources: [], notResources: ["arn:aws:s3:::secrets/*"] });
    expect(scopeCovers(allButSecrets, grant({ resources: ["arn:aws:s3:::logs/*"] }))).toBe(true);
    expect(scopeCovers(allButSecrets, grant({ resources: ["arn:aws:s3:::secrets/a"] }))).toBe(
      false,
    );
    expect(scopeCovers(allButSecrets, grant({ resources: ["arn:aws:s3:::*"] }))).toBe(false);
    expect(scopeCovers(allButSecrets, grant())).toBe(false);
    expect(scopeCovers(grant(), allButSecrets)).toBe(true);
    const allButAll = grant({ resources: [], notResources: ["arn:aws:s3:::*"] });
    expect(scopeCovers(allButSecrets, allButAll)).toBe(true);
    expect(scopeCovers(allButAll, allButSecrets)).toBe(false);
    expect(scopeCovers(grant({ resources: ["arn:aws:s3:::*"] }), allButSecrets)).toBe(false);
  });

  it("covers a resource it cannot know only by the same expression or every resource", () => {
    const logs = grant({ resources: [], unknownResources: ["aws_s3_bucket.logs.arn"] });
    const data = grant({ resources: [], unknownResources: ["aws_s3_bucket.data.arn"] });
    expect(scopeCovers(logs, logs)).toBe(true);
    expect(scopeCovers(grant(), logs)).toBe(true);
    expect(scopeCovers(logs, data)).toBe(false);
    expect(scopeCovers(logs, grant({ resources: ["arn:aws:s3:::logs"] }))).toBe(false);
    expect(scopeCovers(grant({ resources: ["arn:aws:s3:::*"] }), logs)).toBe(false);
    const allButSecrets = grant({ resources: [], notResources: ["arn:aws:s3:::secrets/*"] });
    expect(scopeCovers(allButSecrets, logs)).toBe(false);
  });

  it("covers with a statement beside a deny only one its resource denies too", () => {
    const denyDelete = JSON.stringify({ Effect: "Deny", Action: "s3:Delete*", Resource: "*" });
    const denyTls = JSON.stringify({
      Effect: "Deny",
      Action: "s3:*",
      Resource: "*",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    expect(scopeCovers(grant(), grant({ actions: ["s3:*"], denies: [denyDelete] }))).toBe(true);
    expect(scopeCovers(grant({ denies: [denyDelete] }), grant({ actions: ["s3:*"] }))).toBe(false);
    const both = grant({ actions: ["s3:*"], denies: [denyTls, denyDelete] });
    expect(scopeCovers(grant({ denies: [denyDelete] }), both)).toBe(true);
    // Denying s3:* only without TLS takes less than denying deletes always; always, more.
    expect(scopeCovers(grant({ denies: [denyDelete] }), grant({ denies: [denyTls] }))).toBe(false);
    const denyAll = JSON.stringify({ Effect: "Deny", Action: "s3:*", Resource: "*" });
    expect(scopeCovers(grant({ denies: [denyDelete] }), grant({ denies: [denyAll] }))).toBe(true);
  });

  it("calls a sensitive grant narrowed from * to every object of every bucket existing", () => {
    const policy = {
      category: "iam" as const,
      resource: "aws_iam_role_policy.worker",
      rule: "TG-IAM-003",
    };
    const star = grant({ actions: ["s3:GetObject"] });
    const objects = grant({ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::*/*"] });
    const templated = grant({
      actions: ["s3:GetObject"],
      resources: [],
      unknownResources: ["!Sub arn:${AWS::Partition}:s3:::*/*"],
    });
    const base = [finding({ ...policy, evidence: "s3:getobject on *", scope: star })];
    const head = (evidence: string, scope: Iam) => [finding({ ...policy, evidence, scope })];
    expect(labels(diffFindings(base, head("s3:getobject on arn:aws:s3:::*/*", objects)))).toEqual([
      "existing:TG-IAM-003 s3:getobject on arn:aws:s3:::*/*",
    ]);
    const subbed = "s3:getobject on !Sub arn:aws:s3:::*/*";
    expect(labels(diffFindings(base, head(subbed, templated)))[0]).toBe(
      `existing:TG-IAM-003 ${subbed}`,
    );
    // Widening every object to every resource is new, and the objects stay exposed.
    const widened = diffFindings(head("s3:getobject on arn:aws:s3:::*/*", objects), base);
    expect(labels(widened)).toEqual(["new:TG-IAM-003 s3:getobject on *"]);
  });

  it("calls a service wildcard whose resources a PR widened new, with an equal evidence", () => {
    const policy = {
      category: "iam" as const,
      resource: "aws_iam_role_policy.consumer",
      rule: "TG-IAM-001",
      evidence: "sqs:*",
    };
    const queue = grant({ actions: ["sqs:*"], resources: ["arn:aws:sqs:eu-west-1:1:jobs"] });
    const base = [finding({ ...policy, scope: queue })];
    const head = [finding({ ...policy, scope: grant({ actions: ["sqs:*"] }) })];
    // The queue's grant is inside the new one: not listed fixed, as 22 widened to 22-2222.
    expect(labels(diffFindings(base, head))).toEqual(["new:TG-IAM-001 sqs:*"]);
    expect(labels(diffFindings(head, base))).toEqual(["existing:TG-IAM-001 sqs:*"]);
    expect(labels(diffFindings(base, base))).toEqual(["existing:TG-IAM-001 sqs:*"]);
    // Another queue, both written out: the grant moved, so it is new and the first one fixed.
    const other = grant({ actions: ["sqs:*"], resources: ["arn:aws:sqs:eu-west-1:1:other"] });
    expect(labels(diffFindings(base, [finding({ ...policy, scope: other })]))).toEqual([
      "new:TG-IAM-001 sqs:*",
      "fixed:TG-IAM-001 sqs:*",
    ]);
    // Moved in part (queues a and b, then a and c): new, and the first not fixed, a being still
    // granted.
    const both = (...names: string[]) =>
      grant({ actions: ["sqs:*"], resources: names.map((n) => `arn:aws:sqs:eu-west-1:1:${n}`) });
    expect(
      labels(
        diffFindings(
          [finding({ ...policy, scope: both("a", "b") })],
          [finding({ ...policy, scope: both("a", "c") })],
        ),
      ),
    ).toEqual(["new:TG-IAM-001 sqs:*"]);
    // In doubt it stays matched: the other queue's ARN built from what Tollgate cannot know, or
    // from a policy variable. A condition written another way beside the move is no doubt: the
    // grant moved, as above.
    const unknown = grant({
      actions: ["sqs:*"],
      resources: [],
      unknownResources: ["aws_sqs_queue.other.arn"],
    });
    const perUser = grant({ ...other, resources: ["arn:aws:sqs:eu-west-1:1:${aws:username}"] });
    const conditioned = (value: unknown) =>
      grant({ ...other, condition: { Bool: { "aws:SecureTransport": value } } });
    expect(
      labels(
        diffFindings(
          [finding({ ...policy, scope: { ...queue, condition: conditioned("true").condition } })],
          [finding({ ...policy, scope: conditioned(["true"]) })],
        ),
      ),
    ).toEqual(["new:TG-IAM-001 sqs:*", "fixed:TG-IAM-001 sqs:*"]);
    for (const [earlier, later] of [
      [queue, unknown],
      [queue, perUser],
    ] as const) {
      expect(
        labels(
          diffFindings(
            [finding({ ...policy, scope: earlier })],
            [finding({ ...policy, scope: later })],
          ),
        ),
      ).toEqual(["existing:TG-IAM-001 sqs:*"]);
    }
  });

  it("says what a grant narrowed from every resource to one queue still grants, same identity", () => {
    const policy = {
      category: "iam" as const,
      resource: "aws_iam_role_policy.consumer",
      rule: "TG-IAM-001",
      evidence: "sqs:*",
    };
    const jobs = "arn:aws:sqs:eu-west-1:1:jobs";
    const everywhere = finding({ ...policy, scope: grant({ actions: ["sqs:*"] }) });
    const queue = finding({ ...policy, scope: grant({ actions: ["sqs:*"], resources: [jobs] }) });
    expect(diffFindings([everywhere], [queue])).toEqual([
      { ...queue, status: "existing", narrowed: `now only sqs:* on ${jobs}` },
    ]);
    // Its conditions narrowed too: both said.
    const ws = "terraform.workspace";
    const prod = {
      when: [`${ws} is prod`],
      choices: { parameters: { [ws]: ["prod", "qa"] }, conditions: {} },
    };
    const prodQueue = { ...queue, deployments: prod };
    expect(diffFindings([everywhere], [prodQueue])[0]?.narrowed).toBe(
      `now only sqs:* on ${jobs}, and only when ${ws} is prod`,
    );
    // Not provably narrower: the same grant written another way, one the head holds no less
    // widely, or a resource Tollgate cannot know.
    const reordered = grant({ actions: ["SQS:*", "sqs:*"], resources: [jobs, jobs] });
    const unknown = grant({
      actions: ["sqs:*"],
      resources: [],
      unknownResources: ["aws_sqs_queue.a.arn"],
    });
    for (const [earlier, later] of [
      [queue.scope, reordered],
      [queue.scope, everywhere.scope],
      [unknown, queue.scope],
    ] as const) {
      const [labelled] = diffFindings(
        [finding({ ...policy, scope: earlier })],
        [finding({ ...policy, scope: later })],
      );
      expect(labelled?.narrowed).toBeUndefined();
    }
  });

  it("calls a grant narrowed while a Condition entry is dropped new, never narrowed", () => {
    const policy = {
      category: "iam" as const,
      resource: "aws_iam_policy.p",
      rule: "TG-IAM-001",
      evidence: "sqs:*",
    };
    const queue = (name: string) => `arn:aws:sqs:eu-west-1:1:${name}`;
    const vpc = { StringEquals: { "aws:SourceVpc": "vpc-1" } };
    const at = (overrides: Partial<Iam>) =>
      finding({ ...policy, scope: grant({ actions: ["sqs:*"], ...overrides }) });
    const inVpc = at({ condition: vpc });
    // `*` from one VPC, then one queue from anywhere: the queue is granted where it was not.
    const jobs = at({ resources: [queue("jobs")] });
    expect(diffFindings([inVpc], [jobs])).toEqual([
      {
        ...jobs,
        status: "new",
        widened: "now under no Condition (was StringEquals aws:SourceVpc vpc-1)",
      },
    ]);
    // On another queue the VPC's grant is gone: fixed.
    expect(labels(diffFindings([at({ resources: [queue("a")], condition: vpc })], [jobs]))).toEqual(
      ["new:TG-IAM-001 sqs:*", "fixed:TG-IAM-001 sqs:*"],
    );
    // A Condition added while narrowing narrows: existing, and said.
    expect(diffFindings([at({})], [at({ resources: [queue("jobs")], condition: vpc })])).toEqual([
      {
        ...at({ resources: [queue("jobs")], condition: vpc }),
        status: "existing",
        narrowed: `now only sqs:* on ${queue("jobs")} under StringEquals aws:SourceVpc vpc-1`,
      },
    ]);
  });

  it("covers a Condition block admitting every request the other's does, and no other", () => {
    const vpc = (...ids: string[]) => ({ StringEquals: { "aws:SourceVpc": ids } });
    const ip = (...blocks: string[]) => ({ IpAddress: { "aws:SourceIp": blocks } });
    const arn = (operator: string, value: string) => ({ [operator]: { "aws:SourceArn": value } });
    const topic = "arn:aws:sns:eu-west-1:111122223333:alerts";
    for (const [wide, narrow] of [
      [vpc("vpc-1", "vpc-2"), vpc("vpc-2")],
      [ip("10.0.0.0/8"), ip("10.1.0.0/16", "10.2.3.4")],
      [ip("0.0.0.0/0"), ip("10.0.0.0/24")],
      [arn("ArnLike", "arn:aws:sns:*:111122223333:*"), arn("ArnEquals", topic)],
      [arn("StringLike", "arn:aws:sns:*"), arn("StringEquals", topic)],
      [{ StringEqualsIgnoreCase: { "aws:SourceVpc": "VPC-1" } }, vpc("vpc-1")],
      [{ StringEqualsIfExists: { "aws:SourceVpc": "vpc-1" } }, vpc("vpc-1")],
      // Negated: excluding less is wider.
      [
        { NotIpAddress: { "aws:SourceIp": "10.1.0.0/16" } },
        { NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
      ],
      [{ StringNotLike: { "s3:prefix": "home/*" } }, { StringNotLike: { "s3:prefix": "*" } }],
      [{}, vpc("vpc-1")],
      [vpc("vpc-1"), { ...vpc("vpc-1"), Bool: { "aws:SecureTransport": "true" } }],
    ] as const) {
      expect(conditionCovers(wide, narrow)).toBe(true);
      expect(conditionCovers(narrow, wide)).toBe(false);
    }
    // One condition written another way reads the same, both ways.
    for (const [one, other] of [
      [vpc("vpc-1"), { StringEquals: { "aws:sourcevpc": "vpc-1" } }],
      [{ Bool: { "aws:SecureTransport": true } }, { Bool: { "aws:SecureTransport": ["true"] } }],
      [arn("ArnEquals", topic), arn("ArnLike", topic)],
      [arn("StringEquals", topic), arn("StringLike", topic)],
      [ip("10.2.3.4"), ip("10.2.3.4/32")],
      [vpc("vpc-2", "vpc-1"), vpc("vpc-1", "vpc-1", "vpc-2")],
    ] as const) {
      expect(conditionCovers(one, other)).toBe(true);
      expect(conditionCovers(other, one)).toBe(true);
    }
    // Neither covers the other: another value, key, test family, qualifier or number.
    for (const [one, other] of [
      [vpc("vpc-1"), vpc("vpc-2")],
      [vpc("vpc-1"), { StringEquals: { "aws:SourceVpce": "vpc-1" } }],
      [arn("StringLike", topic), arn("ArnLike", topic)],
      [
        { "ForAnyValue:StringEquals": { "aws:TagKeys": "env" } },
        { "ForAllValues:StringEquals": { "aws:TagKeys": "env" } },
      ],
      [{ NumericLessThan: { "s3:max-keys": "10" } }, { NumericLessThan: { "s3:max-keys": "5" } }],
    ] as const) {
      expect(conditionCovers(one, other)).toBe(false);
      expect(conditionCovers(other, one)).toBe(false);
    }
    // A literal `*` is one character to StringEquals: the pattern covers it, not the other way.
    const prefix = (operator: string) => ({ [operator]: { "s3:prefix": "home/*" } });
    expect(conditionCovers(prefix("StringLike"), prefix("StringEquals"))).toBe(true);
    expect(conditionCovers(prefix("StringEquals"), prefix("StringLike"))).toBe(false);
  });

  it("tells each part of a grant the head provably widened, whatever it narrowed beside it", () => {
    const queue = (name: string) => `arn:aws:sqs:eu-west-1:1:${name}`;
    const vpc = (id: string) => ({ StringEquals: { "aws:SourceVpc": id } });
    const everywhere = grant({ actions: ["sqs:*"], condition: vpc("vpc-1") });
    const jobs = grant({ actions: ["sqs:*"], resources: [queue("jobs")] });
    // Last session's case: the resource narrowed, the Condition dropped.
    expect(grantWidening(jobs, everywhere)).toEqual([
      "under no Condition (was StringEquals aws:SourceVpc vpc-1)",
    ]);
    // The VPC changed: callers from vpc-2 are admitted where they were not, with or without a
    // narrower resource beside it.
    for (const later of [
      { ...everywhere, condition: vpc("vpc-2") },
      { ...jobs, condition: vpc("vpc-2") },
    ])
      expect(grantWidening(later, everywhere)).toEqual([
        "under StringEquals aws:SourceVpc vpc-2 (was StringEquals aws:SourceVpc vpc-1)",
      ]);
    // An address range widened; narrowed, nothing.
    const from = (cidr: string) =>
      grant({ actions: ["sqs:*"], condition: { IpAddress: { "aws:SourceIp": cidr } } });
    expect(grantWidening(from("0.0.0.0/0"), from("10.0.0.0/24"))).toEqual([
      "under IpAddress aws:SourceIp 0.0.0.0/0 (was IpAddress aws:SourceIp 10.0.0.0/24)",
    ]);
    expect(grantWidening(from("10.0.0.0/25"), from("10.0.0.0/24"))).toEqual([]);
    // Actions widened while the resource, or the Condition, narrowed.
    const send = grant({ actions: ["sqs:SendMessage"] });
    expect(grantWidening(jobs, send)).toEqual(["sqs:*"]);
    expect(grantWidening(everywhere, send)).toEqual(["sqs:*"]);
    expect(grantWidening(grant({ actions: undefined, notActions: ["iam:*"] }), send)).toEqual([
      "every action but iam:*",
    ]);
    // Resources moved, or to a queue of another case (ARNs are case-sensitive).
    expect(grantWidening(grant({ ...jobs, resources: [queue("other")] }), jobs)).toEqual([
      `on ${queue("other")}`,
    ]);
    expect(grantWidening(grant({ ...jobs, resources: [queue("JOBS")] }), jobs)).toEqual([
      `on ${queue("JOBS")}`,
    ]);
    // A Deny beside the base's gone, or rewritten: `sqs:*` denied outside vpc-1, then only
    // `sqs:DeleteQueue` on a queue nothing uses. Denies are compared as written, so any rewrite
    // counts; one added beside the base's takes nothing back.
    const outsideVpc = JSON.stringify({
      Effect: "Deny",
      Action: "sqs:*",
      Resource: "*",
      Condition: { StringNotEquals: { "aws:SourceVpc": "vpc-1" } },
    });
    const unusedQueue = JSON.stringify({
      Effect: "Deny",
      Action: "sqs:DeleteQueue",
      Resource: queue("unused"),
    });
    const denied = grant({ ...jobs, denies: [outsideVpc] });
    for (const later of [jobs, grant({ ...jobs, denies: [unusedQueue] })])
      expect(grantWidening(later, denied)).toEqual([
        "with a Deny the base had beside it gone or rewritten",
      ]);
    expect(grantWidening(grant({ ...jobs, denies: [unusedQueue, outsideVpc] }), denied)).toEqual(
      [],
    );
    // Nothing provably wider: the same grant written another way, narrower, or in doubt (a
    // resource Tollgate cannot know, a policy variable).
    for (const [later, earlier] of [
      [grant({ ...jobs, actions: ["SQS:*", "sqs:*"] }), jobs],
      [grant({ ...jobs, condition: vpc("vpc-1") }), jobs],
      [grant({ ...jobs, resources: [], unknownResources: ["aws_sqs_queue.x.arn"] }), jobs],
      [grant({ ...jobs, resources: [queue("${aws:username}")] }), jobs],
      [{ ...jobs, when: ["IsProd"] }, jobs],
    ] satisfies Array<[FindingScope, FindingScope]>)
      expect(grantWidening(later, earlier)).toEqual([]);
    // A resource policy's principal and containment are parts too.
    const toEveryone = { kind: "resource-policy" as const, principal: "*", contained: true };
    const contained = { ...jobs, ...toEveryone };
    const exposed = { ...contained, contained: false, actions: ["sqs:SendMessage"] };
    expect(grantWidening(exposed, contained)).toEqual([
      "no longer contained by Block Public Access",
    ]);
    expect(grantWidening(contained, { ...contained, principal: "AWS 1" })).toEqual(["to *"]);
    expect(grantWidening({ ...contained, principal: "AWS 1" }, contained)).toEqual([]);
    expect(grantWidening(jobs, network())).toBeUndefined();
    expect(grantWidening(contained, jobs)).toBeUndefined();
  });

  it("compares a Deny beside a grant by what it denies: written another way or wider, it holds", () => {
    const jobs = grant({ actions: ["sqs:*"], resources: ["arn:aws:sqs:eu-west-1:1:jobs"] });
    const statement = (parts: Record<string, unknown>) =>
      JSON.stringify({ Effect: "Deny", Resource: "*", ...parts });
    const outsideVpc = { StringNotEquals: { "aws:SourceVpc": "vpc-1" } };
    const base = statement({
      Action: ["sqs:DeleteQueue", "sqs:PurgeQueue"],
      Condition: outsideVpc,
    });
    const denied = grant({ ...jobs, denies: [base] });
    // The same Deny: its lists reordered or written as one item, a Sid, an action's case, a
    // Condition value as a list; or wider: more actions or patterns, every action but one, no
    // Condition (denied always).
    for (const later of [
      statement({
        Sid: "KeepQueues",
        Resource: ["*"],
        Action: ["SQS:PurgeQueue", "sqs:deletequeue"],
        Condition: { StringNotEquals: { "aws:sourcevpc": ["vpc-1"] } },
      }),
      statement({
        Action: ["sqs:Delete*", "sqs:Purge*", "sqs:SetQueueAttributes"],
        Condition: outsideVpc,
      }),
      statement({ Action: "sqs:*" }),
      statement({ NotAction: "sqs:SendMessage", Condition: outsideVpc }),
    ]) {
      expect(grantWidening(grant({ ...jobs, denies: [later] }), denied)).toEqual([]);
      expect(scopeCovers(denied, grant({ ...jobs, denies: [later] }))).toBe(true);
    }
    // Narrower: an action dropped, a resource named, a Condition that holds less often (not
    // from vpc-1 nor vpc-2 excludes more), another principal, an effect Tollgate cannot know.
    for (const later of [
      statement({ Action: "sqs:DeleteQueue", Condition: outsideVpc }),
      statement({ ...JSON.parse(base), Resource: "arn:aws:sqs:eu-west-1:1:other" }),
      statement({
        Action: ["sqs:DeleteQueue", "sqs:PurgeQueue"],
        Condition: { StringNotEquals: { "aws:SourceVpc": ["vpc-1", "vpc-2"] } },
      }),
      statement({ ...JSON.parse(base), Principal: { AWS: "arn:aws:iam::1:root" } }),
      JSON.stringify({ ...JSON.parse(base), Effect: { $unknown: "var.effect" } }),
    ]) {
      expect(grantWidening(grant({ ...jobs, denies: [later] }), denied)).toEqual([
        "with a Deny the base had beside it gone or rewritten",
      ]);
      expect(scopeCovers(denied, grant({ ...jobs, denies: [later] }))).toBe(false);
    }
    // A principal: everyone written `*` holds any; `{"AWS": "*"}` is read only as written.
    const toEveryone = (principal: unknown) =>
      grant({ ...jobs, denies: [statement({ ...JSON.parse(base), Principal: principal })] });
    expect(grantWidening(toEveryone("*"), toEveryone({ AWS: ["arn:aws:iam::1:root"] }))).toEqual(
      [],
    );
    expect(grantWidening(toEveryone({ AWS: "*" }), toEveryone("*"))).toHaveLength(1);
    expect(
      grantWidening(toEveryone({ AWS: ["b", "a"] }), toEveryone({ AWS: ["a", "b", "a"] })),
    ).toEqual([]);
    // A policy variable is compared as written: `${aws:username}` is no pattern.
    const home = (resource: string) =>
      grant({ ...jobs, denies: [statement({ Action: "s3:*", Resource: resource })] });
    expect(grantWidening(home("*"), home("arn:aws:s3:::b/${aws:username}/*"))).toHaveLength(1);
  });

  it("calls a grant whose Condition now admits other callers new, saying so; narrowed, existing", () => {
    const policy = {
      category: "iam" as const,
      resource: "aws_iam_policy.p",
      rule: "TG-IAM-001",
      evidence: "sqs:*",
    };
    const at = (condition: Record<string, unknown>) =>
      finding({ ...policy, scope: grant({ actions: ["sqs:*"], condition }) });
    const vpc1 = at({ StringEquals: { "aws:SourceVpc": "vpc-1" } });
    const vpc2 = at({ StringEquals: { "aws:SourceVpc": "vpc-2" } });
    // Another VPC: new, and the base's not fixed (its grant, sqs:* on *, is still there).
    expect(diffFindings([vpc1], [vpc2])).toEqual([
      {
        ...vpc2,
        status: "new",
        widened:
          "now under StringEquals aws:SourceVpc vpc-2 (was StringEquals aws:SourceVpc vpc-1)",
      },
    ]);
    const office = at({ IpAddress: { "aws:SourceIp": "10.0.0.0/24" } });
    const anywhere = at({ IpAddress: { "aws:SourceIp": "0.0.0.0/0" } });
    expect(labels(diffFindings([office], [anywhere]))).toEqual(["new:TG-IAM-001 sqs:*"]);
    expect(diffFindings([anywhere], [office])).toEqual([
      {
        ...office,
        status: "existing",
        narrowed: "now only sqs:* on * under IpAddress aws:SourceIp 10.0.0.0/24",
      },
    ]);
    // The same Condition written another way stays existing, with nothing said.
    const written = at({ StringEquals: { "aws:sourcevpc": ["vpc-1"] } });
    expect(diffFindings([vpc1], [written])).toEqual([{ ...written, status: "existing" }]);
  });

  it("never lets an IAM scope and a network one cover each other", () => {
    expect(scopeCovers(grant(), network())).toBe(false);
    expect(scopeCovers(network(), grant())).toBe(false);
  });

  it("calls privilege escalation kept from a narrowed admin grant existing, admin fixed", () => {
    const policy = { category: "iam" as const, resource: "aws_iam_role_policy.deployer" };
    const base = [finding({ ...policy, rule: "TG-IAM-002", evidence: "* on *", scope: grant() })];
    const head = [
      finding({
        ...policy,
        rule: "TG-IAM-006",
        evidence: "iam:PassRole on *",
        scope: grant({ actions: ["iam:PassRole"] }),
      }),
    ];
    expect(labels(diffFindings(base, head))).toEqual([
      "existing:TG-IAM-006 iam:PassRole on *",
      "fixed:TG-IAM-002 * on *",
    ]);
    const widened = [
      ...head,
      finding({
        ...policy,
        rule: "TG-IAM-006",
        evidence: "iam:CreateRole on *",
        scope: grant({ actions: ["iam:CreateRole"] }),
      }),
    ];
    expect(labels(diffFindings(head, widened))).toEqual([
      "existing:TG-IAM-006 iam:PassRole on *",
      "new:TG-IAM-006 iam:CreateRole on *",
    ]);
  });
});

describe("resource policy coverage", () => {
  type Public = ResourcePolicyScope & { when: string[] };
  const publicGrant = (overrides: Partial<Public> = {}): Public => ({
    kind: "resource-policy",
    effect: "Allow",
    actions: ["s3:GetObject", "s3:PutObject"],
    resources: [],
    unknownResources: ['"${aws_s3_bucket.site.arn}/*"'],
    condition: {},
    principal: "*",
    contained: false,
    when: [],
    ...overrides,
  });
  const policy = {
    category: "iam" as const,
    rule: "TG-IAM-010",
    resource: "aws_s3_bucket_policy.site",
  };
  const contained = " (contained by Block Public Access)";

  it("covers a contained grant with an exposed one, never the other way", () => {
    expect(scopeCovers(publicGrant(), publicGrant({ contained: true }))).toBe(true);
    expect(scopeCovers(publicGrant({ contained: true }), publicGrant())).toBe(false);
    expect(
      scopeCovers(
        publicGrant({ contained: true }),
        publicGrant({ contained: true, actions: ["s3:GetObject"] }),
      ),
    ).toBe(true);
  });

  it("covers fewer actions, a narrower principal and more conditions, never more actions", () => {
    expect(scopeCovers(publicGrant(), publicGrant({ actions: ["s3:GetObject"] }))).toBe(true);
    expect(scopeCovers(publicGrant({ actions: ["s3:GetObject"] }), publicGrant())).toBe(false);
    const anyAccount = publicGrant({ principal: "AWS arn:aws:iam::*:root" });
    expect(scopeCovers(publicGrant(), anyAccount)).toBe(true);
    expect(scopeCovers(anyAccount, publicGrant())).toBe(false);
    const fromOffice = { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } };
    expect(scopeCovers(publicGrant(), publicGrant({ condition: fromOffice }))).toBe(true);
    expect(scopeCovers(publicGrant({ condition: fromOffice }), publicGrant())).toBe(false);
  });

  it("never lets a resource policy's grant and an identity policy's cover each other", () => {
    const identity: IamScope & { when: string[] } = {
      kind: "iam",
      effect: "Allow",
      actions: ["*"],
      resources: ["*"],
      condition: {},
      when: [],
    };
    expect(scopeCovers(identity, publicGrant())).toBe(false);
    expect(scopeCovers(publicGrant({ actions: ["*"], resources: ["*"] }), identity)).toBe(false);
  });

  it("lists a contained grant the PR exposes neither fixed nor existing: the exposed one is new", () => {
    const base = [
      finding({
        ...policy,
        severity: "low",
        evidence: `Principal *: s3:getobject,s3:putobject${contained}`,
        scope: publicGrant({ contained: true }),
      }),
    ];
    const head = [
      finding({
        ...policy,
        severity: "critical",
        evidence: "Principal *: s3:getobject,s3:putobject",
        scope: publicGrant(),
      }),
    ];
    expect(labels(diffFindings(base, head))).toEqual([
      "new:TG-IAM-010 Principal *: s3:getobject,s3:putobject",
    ]);
    // Block Public Access added back: contained, nothing new; as a port range narrowed within its
    // rule, the exposed grant is not listed fixed, since the rule still reports it.
    expect(labels(diffFindings(head, base))).toEqual([
      `existing:TG-IAM-010 Principal *: s3:getobject,s3:putobject${contained}`,
    ]);
  });

  it("calls a grant narrowed to fewer actions existing and a widened one new", () => {
    const both = finding({
      ...policy,
      evidence: "Principal *: s3:getobject,s3:putobject",
      scope: publicGrant(),
    });
    const read = finding({
      ...policy,
      evidence: "Principal *: s3:getobject",
      scope: publicGrant({ actions: ["s3:GetObject"] }),
    });
    expect(labels(diffFindings([both], [read]))).toEqual([
      "existing:TG-IAM-010 Principal *: s3:getobject",
    ]);
    expect(labels(diffFindings([read], [both]))).toEqual([
      "new:TG-IAM-010 Principal *: s3:getobject,s3:putobject",
    ]);
  });
});

describe("bucket ACL coverage", () => {
  type Acl = AclScope & { when: string[] };
  const acl = (overrides: Partial<Acl> = {}): Acl => ({
    kind: "acl",
    grantee: "AllUsers",
    permissions: ["READ"],
    contained: false,
    when: [],
    ...overrides,
  });

  it("covers fewer permissions, authenticated users under everyone, and contained grants", () => {
    const readWrite = acl({ permissions: ["READ", "WRITE"] });
    expect(scopeCovers(readWrite, acl())).toBe(true);
    expect(scopeCovers(acl(), readWrite)).toBe(false);
    expect(scopeCovers(acl(), acl({ grantee: "AuthenticatedUsers" }))).toBe(true);
    expect(scopeCovers(acl({ grantee: "AuthenticatedUsers" }), acl())).toBe(false);
    expect(scopeCovers(acl(), acl({ contained: true }))).toBe(true);
    expect(scopeCovers(acl({ contained: true }), acl())).toBe(false);
  });

  it("calls an ACL Block Public Access no longer contains new, its contained one not fixed", () => {
    const bucketAcl = {
      category: "iam" as const,
      rule: "TG-IAM-017",
      resource: "aws_s3_bucket_acl.site",
    };
    const base = [
      finding({
        ...bucketAcl,
        evidence: "acl public-read (contained by Block Public Access)",
        scope: acl({ contained: true }),
      }),
    ];
    const head = [finding({ ...bucketAcl, evidence: "acl public-read", scope: acl() })];
    expect(labels(diffFindings(base, head))).toEqual(["new:TG-IAM-017 acl public-read"]);
  });
});
