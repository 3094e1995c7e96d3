// Where `tollgate diff` puts a new CloudFormation finding whose own lines the pull request left
// alone (session 11's r07, r11): on the changed line that decided it, a YAML alias a new resource
// names, or the `Fn::ForEach` collection item that made a new resource, as Terraform's are on the
// count or for_each that made a new instance.
import { describe, expect, it } from "vitest";
import { diffArgs, jsonFindings, runOnFiles } from "./support/cli.js";

interface JsonFinding {
  rule: string;
  status: string;
  resource: string;
  file: string;
  line: number;
  readBy?: string;
  foundAt?: { file: string; line: number };
}

/** Resource, line, readBy and the line the finding is written at, of each new finding. */
async function newFindings(base: string, head: string) {
  const files = { "base/t.yaml": base, "head/t.yaml": head };
  const { code, stdout } = await runOnFiles("cfn-placement", files, (dir) =>
    diffArgs(dir, "--format", "json"),
  );
  return {
    code,
    placed: jsonFindings<JsonFinding>(stdout)
      // AppSG keeps AWS's default egress (TG-NET-007), which these tests are not about.
      .filter((finding) => finding.status === "new" && finding.rule !== "TG-NET-007")
      .map((finding) => [finding.resource, finding.line, finding.readBy, finding.foundAt?.line]),
  };
}

/** WebSG writes its SSH rule under an anchor (lines 6-10); `extra` follows it from line 11. */
const anchored = (fromPort: number, extra: string[]) =>
  [
    "Resources:", // 1
    "  WebSG:", // 2
    "    Type: AWS::EC2::SecurityGroup", // 3
    "    Properties:", // 4
    "      GroupDescription: web", // 5
    "      SecurityGroupIngress: &open_rules", // 6
    "        - IpProtocol: tcp", // 7
    `          FromPort: ${fromPort}`, // 8
    `          ToPort: ${fromPort}`, // 9
    "          CidrIp: 0.0.0.0/0", // 10
    ...extra,
    "",
  ].join("\n");
const appGroup = [
  "  AppSG:", // 11
  "    Type: AWS::EC2::SecurityGroup", // 12
  "    Properties:", // 13
  "      GroupDescription: app", // 14
  "      SecurityGroupIngress: *open_rules", // 15
];

describe("tollgate diff on a CloudFormation YAML alias", { timeout: 120_000 }, () => {
  it("puts a new resource's finding on the alias it adds, not on the anchor in another resource", async () => {
    const { code, placed } = await newFindings(anchored(22, []), anchored(22, appGroup));
    expect(code).toBe(1);
    expect(placed).toEqual([["AppSG", 15, "the resource's SecurityGroupIngress", 10]]);
  });

  it("puts the finding of an unchanged alias on the anchor's changed line", async () => {
    const { placed } = await newFindings(anchored(80, appGroup), anchored(22, appGroup));
    // AppSG reads the changed lines through the alias; WebSG's own block holds them, and its finding
    // is on the one nearest its CidrIp, as the app annotates it.
    expect(placed).toEqual([
      ["AppSG", 8, "the resource's SecurityGroupIngress", 10],
      ["WebSG", 9, undefined, 10],
    ]);
  });
});

describe("tollgate diff on a CloudFormation Fn::ForEach", { timeout: 120_000 }, () => {
  /** An ingress open to all per port of the collection (line 8 without `parameters`). */
  const loop = (collection: string, parameters: string[] = []) =>
    [
      "Transform: AWS::LanguageExtensions", // 1
      ...parameters,
      "Resources:", // 2
      "  SG:", // 3
      "    Type: AWS::EC2::SecurityGroup", // 4
      "    Properties: {GroupDescription: web}", // 5
      "  Fn::ForEach::Ports:", // 6
      "    - Port", // 7
      `    - ${collection}`, // 8
      "    - Ingress${Port}:", // 9
      "        Type: AWS::EC2::SecurityGroupIngress", // 10
      "        Properties:", // 11
      "          GroupId: !GetAtt SG.GroupId", // 12
      "          IpProtocol: tcp", // 13
      "          FromPort: !Ref Port", // 14
      "          ToPort: !Ref Port", // 15
      "          CidrIp: 0.0.0.0/0", // 16
      "",
    ].join("\n");

  it("puts the new instance's finding on the item the pull request adds to the collection", async () => {
    const { code, placed } = await newFindings(loop('["80", "443"]'), loop('["80", "443", "22"]'));
    expect(code).toBe(1);
    expect(placed).toEqual([["Ingress22", 8, "the resource's Fn::ForEach", 16]]);
  });

  it("puts it on the list parameter's Default when the collection is a !Ref", async () => {
    const ports = (list: string) => [
      "Parameters:", // 2
      `  Ports: {Type: CommaDelimitedList, Default: "${list}"}`, // 3
    ];
    const { placed } = await newFindings(
      loop("!Ref Ports", ports("80,443")),
      loop("!Ref Ports", ports("80,443,22")),
    );
    expect(placed).toEqual([["Ingress22", 3, "the resource's Fn::ForEach", 18]]);
  });
});
