import { describe, expect, it } from "vitest";
import type { Finding, Move } from "../model/types.js";
import { finding as baseFinding } from "../../test/app/findings.js";
import { diffFindings, diffScans, findingIdentity, movesInForce } from "./index.js";

const finding = baseFinding;

const statuses = (findings: Finding[]) => findings.map((f) => `${f.status}:${f.evidence}`);

describe("diffFindings", () => {
  it("keeps a finding existing when its code moves to other lines or files", () => {
    const result = diffFindings(
      [finding()],
      [finding({ line: 42, endLine: 60, file: "network.tf" })],
    );
    expect(result).toHaveLength(1);
    expect(result[0]).toMatchObject({ status: "existing", line: 42, file: "network.tf" });
  });

  it("tells the same address in two Terraform roots (or two templates) apart", () => {
    const base = [finding({ root: "examples/simple" })];
    const head = [finding({ root: "examples/simple" }), finding({ root: "examples/complete" })];
    expect(diffFindings(base, head).map((f) => `${f.status}:${f.root}`)).toEqual([
      "existing:examples/simple",
      "new:examples/complete",
    ]);
  });

  it("calls one more open port on an existing group new", () => {
    const head = [finding(), finding({ evidence: "tcp/3389 from 0.0.0.0/0" })];
    expect(statuses(diffFindings([finding()], head))).toEqual([
      "existing:tcp/22 from 0.0.0.0/0",
      "new:tcp/3389 from 0.0.0.0/0",
    ]);
  });

  it("calls a finding its conditions now hold in more deployments new, saying where, and keeps a narrowed one existing", () => {
    const ws = "terraform.workspace";
    const choices = (...names: string[]) => ({ parameters: { [ws]: names }, conditions: {} });
    const prod = finding({
      deployments: { when: [`${ws} is prod`], choices: choices("prod", "staging") },
    });
    const prodAndQa = finding({
      deployments: {
        when: [`${ws} is prod or ${ws} is qa`],
        choices: choices("prod", "qa", "staging"),
      },
    });
    expect(diffFindings([prod], [prodAndQa])).toEqual([
      { ...prodAndQa, status: "new", widened: `now also when ${ws} is qa` },
    ]);
    // Narrowed: still open, so existing, and said.
    expect(diffFindings([prodAndQa], [prod])).toEqual([
      { ...prod, status: "existing", narrowed: `now only when ${ws} is prod` },
    ]);
    // Unconditional at head, in every workspace: wider too.
    expect(diffFindings([prod], [finding()])[0]).toMatchObject({ status: "new" });
    expect(diffFindings([finding()], [prod])[0]).toMatchObject({
      status: "existing",
      narrowed: `now only when ${ws} is prod`,
    });
    expect(diffFindings([prod], [prod])[0]?.narrowed).toBeUndefined();
    // Two conditions that cannot be compared narrow nothing.
    const renamed = (name: string) => finding({ deployments: { when: [name] } });
    expect(diffFindings([renamed("IsProd")], [renamed("IsLive")])).toEqual([
      { ...renamed("IsLive"), status: "existing" },
    ]);
  });

  it("compares a CloudFormation condition redefined under its name by what it means at each side", () => {
    const isProd = (meaning: string) => ({ when: ["IsProd"], meanings: { IsProd: meaning } });
    const prod = finding({ deployments: isProd("Env is prod") });
    const wider = finding({ deployments: isProd("(Env is prod or Env is staging)") });
    expect(diffFindings([prod], [wider])).toEqual([
      {
        ...wider,
        status: "new",
        widened: "now also when Env is staging; IsProd now means Env is prod or Env is staging",
      },
    ]);
    expect(diffFindings([wider], [prod])).toEqual([
      {
        ...prod,
        status: "existing",
        narrowed: "now only when IsProd; IsProd now means Env is prod",
      },
    ]);
    expect(diffFindings([prod], [prod])).toEqual([{ ...prod, status: "existing" }]);
    // A finding of another rule the base's covered under the same name covers it no more.
    const all = {
      kind: "network" as const,
      direction: "ingress" as const,
      protocol: "all" as const,
    };
    const scoped = (rule: string, from: number, to: number, meaning: string) =>
      finding({
        rule,
        evidence: `${rule} ${from}-${to}`,
        scope: { ...all, from, to, source: "0.0.0.0/0", when: ["IsProd"] },
        deployments: isProd(meaning),
      });
    const allTraffic = scoped("TG-NET-005", 0, 65535, "Env is prod");
    const ssh = (meaning: string) => scoped("TG-NET-001", 22, 22, meaning);
    expect(diffFindings([allTraffic], [ssh("Env is prod")]).map((f) => f.status)).toEqual([
      "existing",
      "fixed",
    ]);
    expect(
      diffFindings([allTraffic], [ssh("(Env is prod or Env is staging)")]).map((f) => f.status),
    ).toEqual(["new", "fixed"]);
  });

  it("takes a finding of one workspace naming it for the same finding of several saying ${terraform.workspace}", () => {
    const ws = "terraform.workspace";
    const choices = (...names: string[]) => ({ parameters: { [ws]: names }, conditions: {} });
    const logs = (evidence: string, when: string, workspaces: string[], names: string[]) =>
      finding({
        rule: "TG-LOG-009",
        resource: "aws_cloudfront_distribution.cdn",
        evidence: `logging bucket ${evidence}`,
        deployments: { when: [when], choices: choices(...names), workspaces },
      });
    const prod = logs("prod-logs", `${ws} is prod`, ["prod"], ["prod", "staging"]);
    const qa = logs("qa-logs", `${ws} is qa`, ["qa"], ["prod", "qa", "staging"]);
    const both = logs(
      "${terraform.workspace}-logs",
      `${ws} is prod or ${ws} is qa`,
      ["prod", "qa"],
      ["prod", "qa", "staging"],
    );
    const label = (findings: Finding[]) =>
      findings.map((f) => `${f.status} ${f.evidence} ${f.widened ?? f.narrowed ?? "-"}`);
    // Widened to qa: new for qa, and prod's not fixed, as it is still there.
    expect(label(diffFindings([prod], [both]))).toEqual([
      `new logging bucket \${terraform.workspace}-logs now also when ${ws} is qa`,
    ]);
    // Narrowed back to prod: existing, narrowed.
    expect(label(diffFindings([both], [prod]))).toEqual([
      `existing logging bucket prod-logs now only when ${ws} is prod`,
    ]);
    // Moved from prod to qa: nothing shared, so new and prod's fixed.
    expect(label(diffFindings([prod], [qa]))).toEqual([
      "new logging bucket qa-logs -",
      "fixed logging bucket prod-logs -",
    ]);
    // A finding of several workspaces that does not hold in the one's is another finding.
    const stagingAndQa = {
      ...both,
      deployments: { ...both.deployments!, workspaces: ["qa", "staging"] },
    };
    expect(label(diffFindings([prod], [stagingAndQa])).map((line) => line.split(" ")[0])).toEqual([
      "new",
      "fixed",
    ]);
  });

  it("marks a finding on what a head import block adopts, saying where; new unless import_adopts: existing", () => {
    const adopted = [
      { root: "", address: "aws_security_group.legacy", file: "main.tf", line: 3 },
      { root: "", address: 'module.app["x"].aws_s3_bucket.b[*]', file: "main.tf", line: 9 },
    ];
    const head = [
      finding({ resource: "aws_security_group.legacy" }),
      finding({ resource: 'module.app["x"].aws_s3_bucket.b["logs"]' }),
      // A rule written elsewhere that opens the adopted group is new; so are other roots' and
      // other instances' findings.
      finding({
        resource: "aws_vpc_security_group_ingress_rule.ssh",
        subject: "aws_security_group.legacy",
      }),
      finding({ resource: "aws_security_group.legacy", root: "envs/prod" }),
      finding({ resource: 'module.app["y"].aws_s3_bucket.b["logs"]' }),
    ];
    const labels = (importAdopts?: "new" | "existing") =>
      diffFindings([], head, [], [], [], adopted, importAdopts).map(
        (f) => `${f.status} ${f.adopted ? `${f.adopted.file}:${f.adopted.line}` : "-"}`,
      );
    // Review finding 14 (session 21): any id in an import block the PR adds would otherwise turn
    // the gate off for the resource; the deployed object is not seen, and applying makes it so.
    expect(labels()).toEqual(["new main.tf:3", "new main.tf:9", "new -", "new -", "new -"]);
    expect(labels("existing")).toEqual([
      "existing main.tf:3",
      "existing main.tf:9",
      "new -",
      "new -",
      "new -",
    ]);
  });

  it("adopts through diffScans only what the base did not manage already", () => {
    const adopted = [{ root: "", address: "aws_security_group.web", file: "main.tf", line: 1 }];
    const head = {
      findings: [finding({ resource: "aws_security_group.web" })],
      errors: [],
      addresses: [{ root: "", address: "aws_security_group.web" }],
      adopted,
    };
    // New to the configuration: adopted, new by default, existing when the settings say so.
    const unmanaged = { findings: [], errors: [], addresses: [] };
    expect(diffScans(unmanaged, head)[0]).toMatchObject({
      status: "new",
      adopted: { file: "main.tf", line: 1 },
    });
    expect(diffScans(unmanaged, head, "existing")[0]).toMatchObject({
      status: "existing",
      adopted: { file: "main.tf", line: 1 },
    });
    // Managed at base (an applied import block kept, or one added beside it): what the pull
    // request opens on it is new.
    const managed = {
      findings: [],
      errors: [],
      addresses: [{ root: "", address: "aws_security_group.web" }],
    };
    expect(diffScans(managed, head, "existing")[0]).toMatchObject({ status: "new" });
    expect(diffScans(managed, head, "existing")[0]?.adopted).toBeUndefined();
  });

  it("reports base findings absent at head as fixed, with their base location", () => {
    const result = diffFindings([finding({ line: 3 })], []);
    expect(result).toEqual([{ ...finding({ line: 3 }), status: "fixed" }]);
  });

  it("treats duplicates as a multiset", () => {
    const twoAtBase = [finding(), finding()];
    expect(statuses(diffFindings(twoAtBase, [finding(), finding(), finding()]))).toEqual([
      "existing:tcp/22 from 0.0.0.0/0",
      "existing:tcp/22 from 0.0.0.0/0",
      "new:tcp/22 from 0.0.0.0/0",
    ]);
    expect(statuses(diffFindings(twoAtBase, [finding()]))).toEqual([
      "existing:tcp/22 from 0.0.0.0/0",
      "fixed:tcp/22 from 0.0.0.0/0",
    ]);
  });

  it("tells different resources and rules apart", () => {
    const result = diffFindings(
      [finding()],
      [finding({ resource: "aws_security_group.db" }), finding({ rule: "TG-NET-002" })],
    );
    expect(result.map((f) => f.status)).toEqual(["new", "new", "fixed"]);
  });

  it("does not confuse identities whose parts contain separators", () => {
    expect(findingIdentity({ rule: "a", resource: "b\u0000c", evidence: "" })).not.toBe(
      findingIdentity({ rule: "a", resource: "b", evidence: "c" }),
    );
  });

  it("does not change its inputs", () => {
    const base = [finding()];
    const head = [finding()];
    diffFindings(base, head);
    expect(base[0]?.status).toBeUndefined();
    expect(head[0]?.status).toBeUndefined();
  });
});

describe("diffFindings on a base finding the head reports as cannot tell", () => {
  const cannotTell = (overrides: Partial<Finding> = {}) =>
    finding({ evidence: "tcp/22 from var.allowed", unknown: "var.allowed", ...overrides });
  const made = (findings: Finding[]) =>
    findings.map((f) => `${f.status}:${f.resource}:${f.unknownAtHead?.join(", ") ?? "-"}`);

  it("says what decides it at head, whether the head reports the cannot-tell finding or not", () => {
    expect(made(diffFindings([finding()], [cannotTell()]))).toEqual([
      "new:aws_security_group.web:-",
      "fixed:aws_security_group.web:var.allowed",
    ]);
    const undecided = [
      cannotTell(),
      cannotTell({ evidence: "tcp/22 from var.extra", unknown: "var.extra" }),
    ];
    expect(
      made(
        diffScans({ findings: [finding()], errors: [] }, { findings: [], errors: [], undecided }),
      ),
    ).toEqual(["fixed:aws_security_group.web:var.allowed, var.extra"]);
  });

  it("matches the rule, root and resource, the resource where the head's moves put it", () => {
    const base = [
      finding({ resource: "aws_security_group.old" }),
      finding({ rule: "TG-NET-002" }),
      finding({ root: "prod" }),
      finding({ resource: "aws_security_group.db" }),
    ];
    const moves: Move[] = [
      {
        root: "",
        from: "aws_security_group.old",
        to: "aws_security_group.web",
        whole: true,
        file: "moved.tf",
        line: 1,
        column: 1,
      },
    ];
    expect(made(diffFindings(base, [], moves, [cannotTell()]))).toEqual([
      "fixed:aws_security_group.old:var.allowed",
      "fixed:aws_security_group.web:-",
      "fixed:aws_security_group.web:-",
      "fixed:aws_security_group.db:-",
    ]);
  });

  it("leaves a base cannot-tell finding fixed when another expression decides at head", () => {
    const base = [cannotTell({ evidence: "tcp/22 from var.old", unknown: "var.old" })];
    expect(made(diffFindings(base, [cannotTell()]))).toEqual([
      "new:aws_security_group.web:-",
      "fixed:aws_security_group.web:-",
    ]);
  });
});

describe("diffFindings on a security group's rules moved into rule resources", () => {
  // The rule is written in its own resource at head; the finding is about the group it opens.
  const ruleOn = (group: string, resource: string, evidence = "tcp/22 from 0.0.0.0/0") =>
    finding({ resource, subject: group, evidence, file: "rules.tf" });
  const labels = (findings: Finding[]) =>
    findings.map((f) => `${f.status}:${f.resource}:${f.evidence}`);

  it("keeps an inline rule existing when it becomes a rule resource of the same group", () => {
    const base = [finding()];
    const head = [ruleOn("aws_security_group.web", "aws_vpc_security_group_ingress_rule.ssh")];
    expect(labels(diffFindings(base, head))).toEqual([
      "existing:aws_vpc_security_group_ingress_rule.ssh:tcp/22 from 0.0.0.0/0",
    ]);
    // And back again: a rule resource folded into the group's block.
    expect(labels(diffFindings(head, base))).toEqual([
      "existing:aws_security_group.web:tcp/22 from 0.0.0.0/0",
    ]);
  });

  it("keeps IPv4 and IPv6 halves of one inline rule existing as two rule resources", () => {
    const base = [finding(), finding({ evidence: "tcp/22 from ::/0" })];
    const head = [
      ruleOn("aws_security_group.web", "aws_vpc_security_group_ingress_rule.ssh_ipv4"),
      ruleOn(
        "aws_security_group.web",
        "aws_vpc_security_group_ingress_rule.ssh_ipv6",
        "tcp/22 from ::/0",
      ),
    ];
    expect(diffFindings(base, head).map((f) => f.status)).toEqual(["existing", "existing"]);
  });

  it("counts rules on one group as a multiset, wherever each is written", () => {
    const base = [finding(), finding()];
    const head = [
      finding(),
      ruleOn("aws_security_group.web", "aws_security_group_rule.a"),
      ruleOn("aws_security_group.web", "aws_security_group_rule.b"),
    ];
    expect(diffFindings(base, head).map((f) => f.status)).toEqual(["existing", "existing", "new"]);
  });

  it("calls a rule opening another port, or the same port on another group, new", () => {
    const head = [
      ruleOn("aws_security_group.web", "aws_vpc_security_group_ingress_rule.ssh"),
      ruleOn(
        "aws_security_group.web",
        "aws_vpc_security_group_ingress_rule.rdp",
        "tcp/3389 from 0.0.0.0/0",
      ),
      ruleOn("aws_security_group.db", "aws_vpc_security_group_ingress_rule.db_ssh"),
    ];
    expect(labels(diffFindings([finding()], head))).toEqual([
      "existing:aws_vpc_security_group_ingress_rule.ssh:tcp/22 from 0.0.0.0/0",
      "new:aws_vpc_security_group_ingress_rule.rdp:tcp/3389 from 0.0.0.0/0",
      "new:aws_vpc_security_group_ingress_rule.db_ssh:tcp/22 from 0.0.0.0/0",
    ]);
  });

  it("identifies a rule whose group is not resolved by the rule resource itself", () => {
    const unresolved = finding({ resource: "aws_vpc_security_group_ingress_rule.ssh" });
    expect(labels(diffFindings([finding()], [unresolved]))).toEqual([
      "new:aws_vpc_security_group_ingress_rule.ssh:tcp/22 from 0.0.0.0/0",
      "fixed:aws_security_group.web:tcp/22 from 0.0.0.0/0",
    ]);
    expect(diffFindings([unresolved], [unresolved]).map((f) => f.status)).toEqual(["existing"]);
  });

  it("does not call an inline rule fixed that a rule resource of its group opens to an unknown source", () => {
    const cannotTell = finding({
      resource: "aws_vpc_security_group_ingress_rule.ssh",
      subject: "aws_security_group.web",
      evidence: "tcp/22 from var.admin_cidr",
      unknown: "var.admin_cidr",
    });
    const fixed = (findings: Finding[]) =>
      findings.filter((f) => f.status === "fixed").map((f) => f.unknownAtHead);
    expect(fixed(diffFindings([finding()], [cannotTell]))).toEqual([["var.admin_cidr"]]);
    expect(fixed(diffFindings([finding()], [], [], [cannotTell]))).toEqual([["var.admin_cidr"]]);
    const otherGroup = { ...cannotTell, subject: "aws_security_group.db" };
    expect(fixed(diffFindings([finding()], [otherGroup]))).toEqual([undefined]);
  });

  it("follows the group's moved block, not the rule's", () => {
    const moves: Move[] = [
      {
        root: "",
        from: "aws_security_group.web",
        to: "aws_security_group.app",
        whole: true,
        file: "moved.tf",
        line: 1,
        column: 1,
      },
    ];
    const base = [ruleOn("aws_security_group.web", "aws_security_group_rule.ssh")];
    const head = [ruleOn("aws_security_group.app", "aws_vpc_security_group_ingress_rule.ssh")];
    expect(diffFindings(base, head, moves).map((f) => f.status)).toEqual(["existing"]);
    expect(diffFindings(base, head).map((f) => f.status)).toEqual(["new", "fixed"]);
  });
});

describe("diffFindings across Terraform moved blocks", () => {
  const move = (from: string, to: string, whole = true, root = ""): Move => ({
    root,
    from,
    to,
    whole,
    file: "moved.tf",
    line: 1,
    column: 1,
  });
  const labels = (findings: Finding[]) => findings.map((f) => `${f.status}:${f.resource}`);

  it("keeps a finding existing on a renamed resource, and new when its evidence is new", () => {
    const head = [
      finding({ resource: "aws_security_group.app" }),
      finding({ resource: "aws_security_group.app", evidence: "tcp/3389 from 0.0.0.0/0" }),
    ];
    const moves = [move("aws_security_group.web", "aws_security_group.app")];
    expect(statuses(diffFindings([finding()], head, moves))).toEqual([
      "existing:tcp/22 from 0.0.0.0/0",
      "new:tcp/3389 from 0.0.0.0/0",
    ]);
    expect(statuses(diffFindings([finding()], head))).toEqual([
      "new:tcp/22 from 0.0.0.0/0",
      "new:tcp/3389 from 0.0.0.0/0",
      "fixed:tcp/22 from 0.0.0.0/0",
    ]);
  });

  it("moves every instance of a renamed resource, keeping its key", () => {
    const base = [finding({ resource: 'aws_security_group.web["a"]' })];
    const head = [finding({ resource: 'aws_security_group.app["a"]' })];
    const moves = [move("aws_security_group.web", "aws_security_group.app")];
    expect(labels(diffFindings(base, head, moves))).toEqual([
      'existing:aws_security_group.app["a"]',
    ]);
  });

  it("follows a resource into a module, and a renamed module call with everything in it", () => {
    const intoModule = [move("aws_security_group.web", "module.network.aws_security_group.web")];
    const head = [finding({ resource: "module.network.aws_security_group.web" })];
    expect(labels(diffFindings([finding()], head, intoModule))).toEqual([
      "existing:module.network.aws_security_group.web",
    ]);
    const renamed = [move("module.net", "module.network")];
    const base = [
      finding({ resource: 'module.net["eu"].aws_security_group.web' }),
      finding({ resource: "module.net", rule: "TG-NET-009" }),
      finding({ resource: "module.netbox.aws_security_group.web" }),
    ];
    expect(
      labels(
        diffFindings(
          base,
          [
            finding({ resource: 'module.network["eu"].aws_security_group.web' }),
            finding({ resource: "module.network", rule: "TG-NET-009" }),
          ],
          renamed,
        ),
      ),
    ).toEqual([
      'existing:module.network["eu"].aws_security_group.web',
      "existing:module.network",
      "fixed:module.netbox.aws_security_group.web",
    ]);
  });

  it("moves single instances from count to for_each, and the instance without a key to [0]", () => {
    const base = [
      finding({ resource: "aws_security_group.web[0]" }),
      finding({ resource: "aws_security_group.web[1]" }),
      finding({ resource: "aws_security_group.db" }),
    ];
    const head = [
      finding({ resource: 'aws_security_group.web["public"]' }),
      finding({ resource: "aws_security_group.web[1]" }),
      finding({ resource: "aws_security_group.db[0]" }),
    ];
    const moves = [
      move("aws_security_group.web[0]", 'aws_security_group.web["public"]', false),
      move("aws_security_group.db", "aws_security_group.db[0]", false),
    ];
    expect(labels(diffFindings(base, head, moves))).toEqual([
      'existing:aws_security_group.web["public"]',
      "existing:aws_security_group.web[1]",
      "existing:aws_security_group.db[0]",
    ]);
    // A move of the instance without a key leaves keyed ones alone.
    expect(
      labels(diffFindings([finding({ resource: "aws_security_group.db[1]" })], [], moves)),
    ).toEqual(["fixed:aws_security_group.db[1]"]);
  });

  it("follows chains and a module rename before a move inside the module", () => {
    const chain = [
      move("aws_security_group.b", "aws_security_group.c"),
      move("aws_security_group.a", "aws_security_group.b"),
    ];
    const head = [finding({ resource: "aws_security_group.c" })];
    expect(
      labels(diffFindings([finding({ resource: "aws_security_group.a" })], head, chain)),
    ).toEqual(["existing:aws_security_group.c"]);
    const nested = [
      move("module.old", "module.new"),
      move("module.new.aws_security_group.web", "module.new.aws_security_group.app"),
    ];
    const base = [finding({ resource: "module.old.aws_security_group.web" })];
    expect(
      labels(
        diffFindings(base, [finding({ resource: "module.new.aws_security_group.app" })], nested),
      ),
    ).toEqual(["existing:module.new.aws_security_group.app"]);
  });

  it("applies a root's moves to that root only, and keeps a fixed finding's base address", () => {
    const moves = [move("aws_security_group.web", "aws_security_group.app", true, "infra/prod")];
    const base = [finding({ root: "infra/staging" }), finding({ root: "infra/prod", line: 3 })];
    const result = diffFindings(base, [finding({ root: "infra/staging" })], moves);
    expect(result.map((f) => `${f.status}:${f.root}:${f.resource}:${f.line}`)).toEqual([
      "existing:infra/staging:aws_security_group.web:10",
      "fixed:infra/prod:aws_security_group.web:3",
    ]);
  });

  it("moves nothing along a chain that comes back on itself", () => {
    const cycle = [
      move("aws_security_group.web", "aws_security_group.app"),
      move("aws_security_group.app", "aws_security_group.web"),
    ];
    const head = [finding({ resource: "aws_security_group.app" })];
    expect(labels(diffFindings([finding()], head, cycle))).toEqual([
      "new:aws_security_group.app",
      "fixed:aws_security_group.web",
    ]);
  });

  it("does not move onto what the base already holds, as Terraform does not", () => {
    const moves = [move("aws_security_group.web", "aws_security_group.app")];
    const inForce = movesInForce(moves, [
      { root: "", address: "aws_security_group.web" },
      { root: "", address: "aws_security_group.app" },
    ]);
    expect(inForce).toEqual([]);
    expect(movesInForce(moves, [{ root: "other", address: "aws_security_group.app" }])).toEqual(
      moves,
    );
    // The base's open group is gone and the head opens the group that was closed: that is new.
    const result = diffScans(
      {
        findings: [finding()],
        errors: [],
        addresses: [
          { root: "", address: "aws_security_group.web" },
          { root: "", address: "aws_security_group.app" },
        ],
      },
      { findings: [finding({ resource: "aws_security_group.app" })], errors: [], moves },
    );
    expect(labels(result)).toEqual(["new:aws_security_group.app", "fixed:aws_security_group.web"]);
  });

  it("leaves a move alone when its destination may be held in a base root gone at head", () => {
    const moves = [move("aws_security_group.web", "aws_security_group.app", true, "prod")];
    // infra/ became prod/ in this PR (followRenames gave the finding its head root already).
    const result = diffScans(
      {
        findings: [finding({ root: "prod" })],
        errors: [],
        addresses: [
          { root: "infra", address: "aws_security_group.web" },
          { root: "infra", address: "aws_security_group.app" },
        ],
      },
      {
        findings: [finding({ root: "prod", resource: "aws_security_group.app" })],
        errors: [],
        moves,
        addresses: [{ root: "prod", address: "aws_security_group.app" }],
      },
    );
    expect(labels(result)).toEqual(["new:aws_security_group.app", "fixed:aws_security_group.web"]);
  });
});
