// `tollgate diff` between two git refs when a pull request moves CloudFormation resources between
// nested stacks without changing them: from one child template to its sibling, with the top
// template renamed (and edited, so no rename pairs it), or with a template that was scanned on its
// own now nested under a parent. Their findings stay existing; what the move changes is new.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { jsonFindings, runCli } from "./support/cli.js";
import { withTempDir, writeFiles } from "./support/tempDir.js";

interface JsonFinding {
  rule: string;
  status: string;
  root?: string;
  resource: string;
}

/**
 * Commits `base`, then `head` (files to write; a path given `null` is removed), and runs
 * `tollgate diff` between the two commits: "status rule root resource" of each finding, sorted,
 * and the exit code.
 */
async function diffCommits(
  base: Record<string, string>,
  head: Record<string, string | null>,
): Promise<{ statuses: string[]; code: number }> {
  return withTempDir("cfn-moves", async (dir) => {
    const git = (...args: string[]) =>
      execFileSync(
        "git",
        ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args],
        { encoding: "utf8" },
      );
    git("init", "-q", "-b", "main");
    await writeFiles(dir, base);
    git("add", ...Object.keys(base));
    git("commit", "-qm", "base");
    const written = Object.entries(head).filter(
      (entry): entry is [string, string] => entry[1] !== null,
    );
    await writeFiles(dir, Object.fromEntries(written));
    for (const [file, text] of Object.entries(head))
      if (text === null) await rm(path.join(dir, file));
    git("add", "-A", ".");
    git("commit", "-qm", "head");
    const args = ["diff", "--base", "main~1", "--head", "main", "--format", "json"];
    const { code, stdout, stderr } = await runCli(args, dir);
    expect(stderr).toBe("");
    return {
      statuses: jsonFindings<JsonFinding>(stdout)
        .map((f) => `${f.status} ${f.rule} ${f.root} ${f.resource}`)
        .sort(),
      code,
    };
  });
}

/** A parent template nesting each stack of `stacks` (logical id to `TemplateURL`), after `extra`. */
const parent = (stacks: Record<string, string>, extra: string[] = []) =>
  [
    'AWSTemplateFormatVersion: "2010-09-09"',
    ...extra,
    "Resources:",
    ...Object.entries(stacks).flatMap(([logicalId, url]) => [
      `  ${logicalId}:`,
      "    Type: AWS::CloudFormation::Stack",
      "    Properties:",
      `      TemplateURL: ${url}`,
    ]),
    "",
  ].join("\n");

/** A child template declaring `resources` (YAML lines under `Resources:`). */
const child = (...resources: string[][]) =>
  ['AWSTemplateFormatVersion: "2010-09-09"', "Resources:", ...resources.flat(), ""].join("\n");

/** Egress to the private network only, so no group keeps AWS's default egress (TG-NET-007). */
const privateEgress = [
  "      SecurityGroupEgress:",
  "        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}",
];

/** A security group named `logicalId` opening `ports` to the internet. */
const openGroup = (logicalId: string, description: string, ports: number[]) => [
  `  ${logicalId}:`,
  "    Type: AWS::EC2::SecurityGroup",
  "    Properties:",
  `      GroupDescription: ${description}`,
  "      VpcId: vpc-0a1b2c3d",
  "      SecurityGroupIngress:",
  ...ports.map(
    (port) => `        - {IpProtocol: tcp, FromPort: ${port}, ToPort: ${port}, CidrIp: 0.0.0.0/0}`,
  ),
  ...privateEgress,
];

/** A security group open to the private network only: no finding. */
const privateGroup = [
  "  DbSG:",
  "    Type: AWS::EC2::SecurityGroup",
  "    Properties:",
  "      GroupDescription: database",
  "      VpcId: vpc-0a1b2c3d",
  "      SecurityGroupIngress:",
  "        - {IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: 10.0.0.0/8}",
  ...privateEgress,
];

const sshOpen = openGroup("WebSG", "web servers", [22]);

describe(
  "tollgate diff when a resource moves from a nested stack to its sibling",
  { timeout: 120_000 },
  () => {
    const stacks = { Network: "./network.yaml", Edge: "./edge.yaml" };
    const base = {
      "app.yaml": parent(stacks),
      "network.yaml": child(sshOpen, privateGroup),
      "edge.yaml": child(privateGroup),
    };

    it("keeps its findings existing", async () => {
      const head = {
        "network.yaml": child(privateGroup),
        "edge.yaml": child(privateGroup, sshOpen),
      };
      expect(await diffCommits(base, head)).toEqual({
        statuses: ["existing TG-NET-001 app.yaml Edge.WebSG"],
        code: 0,
      });
    });

    it("reports what it opens more as new", async () => {
      const widened = openGroup("WebSG", "web servers", [22, 3389]);
      const head = {
        "network.yaml": child(privateGroup),
        "edge.yaml": child(privateGroup, widened),
      };
      expect(await diffCommits(base, head)).toEqual({
        statuses: ["existing TG-NET-001 app.yaml Edge.WebSG", "new TG-NET-002 app.yaml Edge.WebSG"],
        code: 1,
      });
    });

    it("reports an unrelated resource of the same logical id there as new", async () => {
      const other = [
        "  WebSG:",
        "    Type: AWS::EC2::SecurityGroup",
        "    Properties:",
        "      GroupDescription: partner SFTP drop",
        "      VpcId: vpc-9f8e7d6c",
        "      Tags: [{Key: team, Value: partners}]",
        "      SecurityGroupIngress:",
        "        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}",
        ...privateEgress,
      ];
      const head = { "network.yaml": child(privateGroup), "edge.yaml": child(privateGroup, other) };
      expect(await diffCommits(base, head)).toEqual({
        statuses: ["fixed TG-NET-001 app.yaml Network.WebSG", "new TG-NET-001 app.yaml Edge.WebSG"],
        code: 1,
      });
    });
  },
);

describe(
  "tollgate diff when the top template is renamed and its nested stacks stay",
  { timeout: 120_000 },
  () => {
    const base = {
      "stacks/app.yaml": parent({ Network: "./network.yaml" }),
      "stacks/network.yaml": child(sshOpen),
    };
    // Moved out of stacks/ and given parameters and another stack: too changed to pair as a rename.
    const renamed = parent({ Network: "../stacks/network.yaml", Dns: "../stacks/dns.yaml" }, [
      "Description: The platform, one stack per team",
      "Parameters:",
      "  Environment: {Type: String, AllowedValues: [dev, prod], Default: dev}",
      "  Owner: {Type: String, Default: platform-team}",
    ]);
    const dns = child([
      "  Zone:",
      "    Type: AWS::Route53::HostedZone",
      "    Properties:",
      "      Name: example.com",
    ]);

    it("keeps the nested stacks' findings existing", async () => {
      const head = {
        "stacks/app.yaml": null,
        "deploy/platform.yaml": renamed,
        "stacks/dns.yaml": dns,
      };
      expect(await diffCommits(base, head)).toEqual({
        statuses: ["existing TG-NET-001 deploy/platform.yaml Network.WebSG"],
        code: 0,
      });
    });
  },
);

describe(
  "tollgate diff when the top template is split into a parent and a child git pairs with it",
  { timeout: 120_000 },
  () => {
    it("keeps the findings of both existing", async () => {
      const topic = [
        "  Alerts:",
        "    Type: AWS::SNS::Topic",
        "    Properties:",
        "      TopicName: alerts",
      ];
      const base = { "app.yaml": child(sshOpen, topic) };
      const head = {
        "app.yaml": null,
        "main.yaml": child(
          [
            "  Network:",
            "    Type: AWS::CloudFormation::Stack",
            "    Properties:",
            "      TemplateURL: ./network.yaml",
          ],
          topic,
        ),
        "network.yaml": child(sshOpen),
      };
      expect(await diffCommits(base, head)).toEqual({
        statuses: [
          "existing TG-ENC-008 main.yaml Alerts",
          "existing TG-NET-001 main.yaml Network.WebSG",
        ],
        code: 0,
      });
    });
  },
);

describe(
  "tollgate diff when a template scanned on its own is nested under a new parent",
  { timeout: 120_000 },
  () => {
    const network = (cidr: string) =>
      [
        'AWSTemplateFormatVersion: "2010-09-09"',
        "Parameters:",
        `  AdminCidr: {Type: String, Default: ${cidr}}`,
        "Resources:",
        ...sshOpen,
        ...privateGroup,
        "  AdminSG:",
        "    Type: AWS::EC2::SecurityGroup",
        "    Properties:",
        "      GroupDescription: admin",
        "      SecurityGroupIngress:",
        "        - {IpProtocol: tcp, FromPort: 3389, ToPort: 3389, CidrIp: !Ref AdminCidr}",
        ...privateEgress,
        "",
      ].join("\n");
    const base = { "network.yaml": network("10.0.0.0/8") };

    it("keeps its findings existing, in the parent's root", async () => {
      // network.yaml, deployed on its own at base, is judged on its own at head too (a parent the
      // pull request adds does not stop its own stack): both readings are existing.
      const head = { "app.yaml": parent({ Network: "./network.yaml" }) };
      expect(await diffCommits(base, head)).toEqual({
        statuses: [
          "existing TG-NET-001 app.yaml Network.WebSG",
          "existing TG-NET-001 network.yaml WebSG",
        ],
        code: 0,
      });
    });

    it("keeps them existing when the template moves to another folder too", async () => {
      const head = {
        "network.yaml": null,
        "stacks/network.yaml": network("10.0.0.0/8"),
        "app.yaml": parent({ Network: "./stacks/network.yaml" }),
      };
      expect(await diffCommits(base, head)).toEqual({
        statuses: ["existing TG-NET-001 app.yaml Network.WebSG"],
        code: 0,
      });
    });

    it("reports what the parent's parameters open as new", async () => {
      const opening = parent({ Network: "./network.yaml" }).replace(
        "      TemplateURL: ./network.yaml",
        "      TemplateURL: ./network.yaml\n      Parameters: {AdminCidr: 0.0.0.0/0}",
      );
      expect(await diffCommits(base, { "app.yaml": opening })).toEqual({
        statuses: [
          "existing TG-NET-001 app.yaml Network.WebSG",
          "existing TG-NET-001 network.yaml WebSG",
          "new TG-NET-002 app.yaml Network.AdminSG",
        ],
        code: 1,
      });
    });
  },
);

describe(
  "tollgate diff when a nested stack moves to another top template, renamed",
  { timeout: 120_000 },
  () => {
    // The bastion moves from the network's top template to the application's, as `Jumpbox`, and
    // takes the VPC from the network stack's export instead of a `!Ref` it can no longer make.
    const bastionStack = (logicalId: string, parameters: string[]) => [
      `  ${logicalId}:`,
      "    Type: AWS::CloudFormation::Stack",
      "    Properties:",
      "      TemplateURL: ./stacks/bastion.yaml",
      "      Parameters:",
      ...parameters.map((line) => `        ${line}`),
    ];
    const vpc = [
      "  Vpc:",
      "    Type: AWS::EC2::VPC",
      "    Properties:",
      "      CidrBlock: 10.20.0.0/16",
    ];
    const service = [
      "  Service:",
      "    Type: AWS::CloudFormation::Stack",
      "    Properties:",
      "      TemplateURL: ./stacks/service.yaml",
    ];
    const bastion = [
      'AWSTemplateFormatVersion: "2010-09-09"',
      "Parameters:",
      "  VpcId: {Type: String}",
      "  AdminCidr: {Type: String, Default: 10.0.0.0/8}",
      "Resources:",
      "  HostSG:",
      "    Type: AWS::EC2::SecurityGroup",
      "    Properties:",
      "      GroupDescription: bastion hosts",
      "      VpcId: !Ref VpcId",
      "      SecurityGroupIngress:",
      "        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}",
      ...privateEgress,
      "  AdminSG:",
      "    Type: AWS::EC2::SecurityGroup",
      "    Properties:",
      "      GroupDescription: remote desktop for admins",
      "      VpcId: !Ref VpcId",
      "      SecurityGroupIngress:",
      "        - {IpProtocol: tcp, FromPort: 3389, ToPort: 3389, CidrIp: !Ref AdminCidr}",
      ...privateEgress,
      "  Audit:",
      "    Type: AWS::CloudFormation::Stack",
      "    Properties:",
      "      TemplateURL: ./audit.yaml",
      "      Parameters: {VpcId: !Ref VpcId}",
      "",
    ].join("\n");
    // Nested by the bastion's template: a grandchild of the top template.
    const audit = [
      'AWSTemplateFormatVersion: "2010-09-09"',
      "Parameters:",
      "  VpcId: {Type: String}",
      "Resources:",
      "  CollectorSG:",
      "    Type: AWS::EC2::SecurityGroup",
      "    Properties:",
      "      GroupDescription: log collector",
      "      VpcId: !Ref VpcId",
      "      SecurityGroupIngress:",
      "        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}",
      ...privateEgress,
      "",
    ].join("\n");
    const base = {
      "network.yaml": child(
        vpc,
        bastionStack("Bastion", ["VpcId: !Ref Vpc", "AdminCidr: 203.0.113.0/24"]),
      ),
      "app.yaml": child(service),
      "stacks/bastion.yaml": bastion,
      "stacks/audit.yaml": audit,
      "stacks/service.yaml": child(privateGroup),
    };
    const moved = (adminCidr: string) => ({
      "network.yaml": child(vpc),
      "app.yaml": child(
        service,
        bastionStack("Jumpbox", ["VpcId: !ImportValue network-VpcId", `AdminCidr: ${adminCidr}`]),
      ),
    });

    it("keeps the findings of its resources and its nested stack's existing", async () => {
      expect(await diffCommits(base, moved("203.0.113.0/24"))).toEqual({
        statuses: [
          "existing TG-LOG-005 network.yaml Vpc",
          "existing TG-NET-001 app.yaml Jumpbox.Audit.CollectorSG",
          "existing TG-NET-001 app.yaml Jumpbox.HostSG",
        ],
        code: 0,
      });
    });

    it("reports what its new parameters open as new", async () => {
      expect(await diffCommits(base, moved("0.0.0.0/0"))).toEqual({
        statuses: [
          "existing TG-LOG-005 network.yaml Vpc",
          "existing TG-NET-001 app.yaml Jumpbox.Audit.CollectorSG",
          "existing TG-NET-001 app.yaml Jumpbox.HostSG",
          "new TG-NET-002 app.yaml Jumpbox.AdminSG",
        ],
        code: 1,
      });
    });
  },
);
