// Nested stacks: a local `TemplateURL` loads the child template as an instance of its parent, with
// the parent's parameters, located at the parent's lines; the child is not scanned on its own; and
// every way of naming a child that cannot be loaded is a located error.
import { describe, expect, it } from "vitest";
import type { Resource } from "../../model/types.js";
import { qualifiedAddress } from "../../model/types.js";
import { loadModel } from "../index.js";
import { nestedTemplatePaths } from "./index.js";

const parent = `AWSTemplateFormatVersion: "2010-09-09"
Description: Web tier, packaged with aws cloudformation package
Parameters:
  AdminCidr:
    Type: String
    Default: 0.0.0.0/0
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.20.0.0/16
  Network:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./nested/network.yaml
      Parameters:
        VpcId: !Ref Vpc
        SshCidr: !Ref AdminCidr
        RdpCidr: 192.0.2.0/24
`;

const network = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  VpcId:
    Type: AWS::EC2::VPC::Id
  SshCidr:
    Type: String
    Default: 10.0.0.0/8
  RdpCidr:
    Type: String
  HttpCidr:
    Type: String
    Default: 0.0.0.0/0
Resources:
  WebSG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web servers
      VpcId: !Ref VpcId
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: !Ref SshCidr
        - IpProtocol: tcp
          FromPort: 3389
          ToPort: 3389
          CidrIp: !Ref RdpCidr
        - IpProtocol: tcp
          FromPort: 80
          ToPort: 80
          CidrIp: !Ref HttpCidr
`;

const byAddress = (resources: Resource[]) =>
  Object.fromEntries(
    resources.map((r) => [r.module === "" ? r.address : `${r.module}.${r.address}`, r]),
  );

describe("nested stacks with a local TemplateURL", () => {
  const model = loadModel([
    { path: "stacks/web.yaml", text: parent },
    { path: "stacks/nested/network.yaml", text: network },
  ]);
  const resources = byAddress(model.resources);
  const group = resources["Network.WebSG"];

  it("loads the child template as an instance of its parent, never on its own", () => {
    expect(model.errors).toEqual([]);
    expect(Object.keys(resources).sort()).toEqual(["Network", "Network.WebSG", "Vpc"]);
    expect(group).toMatchObject({
      address: "WebSG",
      name: "WebSG",
      module: "Network",
      root: "stacks/web.yaml",
      file: "stacks/nested/network.yaml",
      line: 14,
    });
  });

  it("takes the parent's values, located where the parent writes them", () => {
    expect(group?.config.SecurityGroupIngress).toEqual([
      { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "0.0.0.0/0" },
      { IpProtocol: "tcp", FromPort: 3389, ToPort: 3389, CidrIp: "192.0.2.0/24" },
      { IpProtocol: "tcp", FromPort: 80, ToPort: 80, CidrIp: "0.0.0.0/0" },
    ]);
    // SshCidr: the parent passes its own parameter, which takes its Default.
    expect(group?.locations["/SecurityGroupIngress/0/CidrIp"]).toMatchObject({
      file: "stacks/web.yaml",
      line: 6,
    });
    expect(group?.readAt?.["/SecurityGroupIngress/0/CidrIp"]).toMatchObject({
      file: "stacks/nested/network.yaml",
      line: 23,
    });
    // RdpCidr: written in the parent's Parameters entry.
    expect(group?.locations["/SecurityGroupIngress/1/CidrIp"]).toMatchObject({
      file: "stacks/web.yaml",
      line: 19,
    });
    // HttpCidr: not passed, the child's Default.
    expect(group?.locations["/SecurityGroupIngress/2/CidrIp"]).toMatchObject({
      file: "stacks/nested/network.yaml",
      line: 12,
    });
  });

  it("keeps what the parent cannot know unknown", () => {
    expect(group?.config.VpcId).toEqual({ $unknown: "!Ref Vpc" });
  });

  it("loads a template nested twice as two stacks, each with its own values", () => {
    const twice = parent.replace(
      "\n  Network:",
      "\n  Admin:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: nested/network.yaml\n      Parameters:\n        SshCidr: 198.51.100.0/24\n  Network:",
    );
    const both = byAddress(
      loadModel([
        { path: "stacks/web.yaml", text: twice },
        { path: "stacks/nested/network.yaml", text: network },
      ]).resources,
    );
    const ssh = (r: Resource | undefined) =>
      (r?.config.SecurityGroupIngress as { CidrIp: unknown }[])[0]?.CidrIp;
    expect(ssh(both["Admin.WebSG"])).toBe("198.51.100.0/24");
    expect(ssh(both["Network.WebSG"])).toBe("0.0.0.0/0");
  });

  it("nests further down, the stack path naming each level", () => {
    const middle = `Resources:
  Rules:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ../rules/sg.json
      Parameters:
        Cidr: !Ref Cidr
Parameters:
  Cidr:
    Type: String
`;
    const rules = JSON.stringify(
      {
        Parameters: { Cidr: { Type: "String" } },
        Resources: {
          Ingress: {
            Type: "AWS::EC2::SecurityGroupIngress",
            Properties: { GroupId: "sg-1", IpProtocol: "-1", CidrIp: { Ref: "Cidr" } },
          },
        },
      },
      null,
      2,
    );
    const top = `Resources:
  App:
    Type: AWS::Serverless::Application
    Properties:
      Location: app/middle.yaml
      Parameters:
        Cidr: 0.0.0.0/0
Transform: AWS::Serverless-2016-10-31
`;
    const loaded = loadModel([
      { path: "top.yaml", text: top },
      { path: "app/middle.yaml", text: middle },
      { path: "rules/sg.json", text: rules },
    ]);
    expect(loaded.errors).toEqual([]);
    const ingress = byAddress(loaded.resources)["App.Rules.Ingress"];
    expect(ingress).toMatchObject({ module: "App.Rules", root: "top.yaml" });
    expect(ingress?.config.CidrIp).toBe("0.0.0.0/0");
    expect(ingress?.locations["/CidrIp"]).toMatchObject({ file: "top.yaml", line: 7 });
  });

  it("gives a stack created under an undecided condition that condition", () => {
    const conditional = parent
      .replace("Resources:", "Conditions:\n  IsProd: !Equals [!Ref Stage, prod]\nResources:")
      .replace("Parameters:\n  AdminCidr:", "Parameters:\n  Stage:\n    Type: String\n  AdminCidr:")
      .replace(
        "    Type: AWS::CloudFormation::Stack\n",
        "    Type: AWS::CloudFormation::Stack\n    Condition: IsProd\n",
      );
    const loaded = byAddress(
      loadModel([
        { path: "stacks/web.yaml", text: conditional },
        { path: "stacks/nested/network.yaml", text: network },
      ]).resources,
    );
    expect(loaded["Network.WebSG"]?.conditional).toEqual({ "": "IsProd" });
  });

  it("leaves a remote TemplateURL as it is, and scans a template no local path nests on its own", () => {
    const remote = parent.replace(
      "./nested/network.yaml",
      "https://s3.amazonaws.com/acme-templates/network.yaml",
    );
    const loaded = loadModel([
      { path: "stacks/web.yaml", text: remote },
      { path: "stacks/nested/network.yaml", text: network },
    ]);
    expect(loaded.errors).toEqual([]);
    expect(byAddress(loaded.resources)["WebSG"]).toMatchObject({
      root: "stacks/nested/network.yaml",
      module: "",
    });
    expect(byAddress(loaded.resources)["Network"]?.config.TemplateURL).toBe(
      "https://s3.amazonaws.com/acme-templates/network.yaml",
    );
  });

  it("lists the templates a template nests, for readers of part of a repository", () => {
    expect(nestedTemplatePaths({ path: "stacks/web.yaml", text: parent })).toEqual([
      "stacks/nested/network.yaml",
    ]);
    expect(nestedTemplatePaths({ path: "stacks/nested/network.yaml", text: network })).toEqual([]);
  });
});

describe("nested stacks given a parameter with several AllowedValues", () => {
  const top = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
    Default: dev
Mappings:
  EnvCidrs:
    dev:
      Admin: 10.0.0.0/8
    prod:
      Admin: 0.0.0.0/0
Resources:
  Net:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: nested/middle.yaml
      Parameters:
        Stage: !Ref Env
        Cidr: !FindInMap [EnvCidrs, !Ref Env, Admin]
`;
  const middle = `Parameters:
  Stage:
    Type: String
  Cidr:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Equals [!Ref Stage, dev]
Resources:
  Mapped:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: mapped
      SecurityGroupIngress:
        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref Cidr }
  Chosen:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: open in prod
      SecurityGroupIngress:
        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !If [IsProd, 0.0.0.0/0, 10.1.0.0/16] }
  DevOnly:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: reads Cidr in dev only, where it is 10.0.0.0/8
      SecurityGroupIngress:
        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !If [IsDev, !Ref Cidr, 10.1.0.0/16] }
  Inner:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: leaf.yaml
      Parameters:
        Tier: !Sub "\${Stage}-web"
`;
  const leaf = `Parameters:
  Tier:
    Type: String
Conditions:
  IsProdWeb: !Equals [!Ref Tier, prod-web]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Condition: IsProdWeb
`;
  const model = loadModel([
    { path: "top.yaml", text: top },
    { path: "nested/middle.yaml", text: middle },
    { path: "nested/leaf.yaml", text: leaf },
  ]);
  const resources = byAddress(model.resources);
  const cidrs = (address: string) =>
    resources[address]?.alternatives?.["/SecurityGroupIngress/0/CidrIp"];

  it("takes each value the parent's deployments pass, under the parent's texts", () => {
    expect(model.errors).toEqual([]);
    expect(cidrs("Net.Mapped")).toEqual([
      { condition: "Env is dev", value: "10.0.0.0/8" },
      { condition: "Env is prod", value: "0.0.0.0/0" },
    ]);
    // Where the parent decides it: its Parameters entry, and the mapping entry prod reads.
    expect(
      resources["Net.Mapped"]?.readFrom?.["/SecurityGroupIngress/0/CidrIp"]
        ?.filter((place) => place.when?.includes("Env is prod"))
        .map((place) => place.line),
    ).toEqual(expect.arrayContaining([20, 12]));
  });

  it("decides the child's conditions by the parent's deployments, its names qualified", () => {
    expect(cidrs("Net.Chosen")).toEqual([
      { condition: "Net.IsProd", value: "0.0.0.0/0" },
      { condition: "not Net.IsProd", value: "10.1.0.0/16" },
    ]);
    expect(resources["Net.Chosen"]?.choices).toEqual({
      parameters: { Env: ["dev", "prod"] },
      conditions: { "Net.IsProd": "Env is prod", "Net.IsDev": "Env is dev" },
    });
  });

  it("keeps values passed from one parameter together: Cidr is 0.0.0.0/0 only when not dev", () => {
    expect(cidrs("Net.DevOnly")).toEqual([
      { condition: "Net.IsDev and Env is dev", value: "10.0.0.0/8" },
      { condition: "not Net.IsDev", value: "10.1.0.0/16" },
    ]);
  });

  it("passes the deployments further down", () => {
    expect(resources["Net.Inner.Bucket"]).toMatchObject({
      conditional: { "": "Net.Inner.IsProdWeb" },
      choices: { conditions: { "Net.Inner.IsProdWeb": "Env is prod" } },
    });
  });

  it("leaves a value as passed when the child names a parameter of its own as the parent's", () => {
    const clashing = middle.replace("Parameters:\n", "Parameters:\n  Env:\n    Type: String\n");
    const loaded = byAddress(
      loadModel([
        { path: "top.yaml", text: top },
        { path: "nested/middle.yaml", text: clashing },
        { path: "nested/leaf.yaml", text: leaf },
      ]).resources,
    );
    expect(loaded["Net.Mapped"]?.config.SecurityGroupIngress).toEqual([
      { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "10.0.0.0/8" },
    ]);
    expect(loaded["Net.Mapped"]?.alternatives).toBeUndefined();
  });
});

describe("a nested stack's parameters its parent does not pass", () => {
  const parentPassing = (parameters: string) =>
    `Resources:\n  Net:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: net.yaml\n${parameters}`;
  const child = `Parameters:
  Cidr:
    Type: String
    AllowedValues: [10.0.0.0/8, 0.0.0.0/0]
    Default: 10.0.0.0/8
Resources:
  SG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: admin
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref Cidr}
`;
  const cidrOf = (resource: Resource | undefined) =>
    (resource?.config.SecurityGroupIngress as { CidrIp: unknown }[])[0]?.CidrIp;

  it("takes the child's Default alone, as AWS creates the stack with it", () => {
    const loaded = loadModel([
      { path: "a.yaml", text: parentPassing("") },
      { path: "net.yaml", text: child },
    ]);
    expect(loaded.errors).toEqual([]);
    const group = byAddress(loaded.resources)["Net.SG"];
    expect(cidrOf(group)).toBe("10.0.0.0/8");
    expect(group?.alternatives).toBeUndefined();
    expect(group?.choices).toBeUndefined();
    expect(group?.locations["/SecurityGroupIngress/0/CidrIp"]).toMatchObject({
      file: "net.yaml",
      line: 5,
    });
  });

  it("still takes each AllowedValue of a template deployed alone", () => {
    const [group] = loadModel([{ path: "net.yaml", text: child }]).resources;
    expect(group?.alternatives?.["/SecurityGroupIngress/0/CidrIp"]).toEqual([
      { condition: "Cidr is 10.0.0.0/8", value: "10.0.0.0/8" },
      { condition: "Cidr is 0.0.0.0/0", value: "0.0.0.0/0" },
    ]);
  });

  it("takes each AllowedValue of a value passed unknown or replaceable, under the child's name", () => {
    const parent = `Parameters:
  Stage:
    Type: String
  Tier:
    Type: String
    Default: 10.0.0.0/8
  Pinned:
    Type: String
    Default: 10.0.0.0/8
    AllowedValues: [10.0.0.0/8]
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Unknown:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: net.yaml
      Parameters: {Cidr: !Ref Stage}
  Attribute:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: net.yaml
      Parameters: {Cidr: !GetAtt Queue.QueueName}
  Replaceable:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: net.yaml
      Parameters: {Cidr: !Ref Tier}
  Given:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: net.yaml
      Parameters: {Cidr: !Ref Pinned}
`;
    const loaded = byAddress(
      loadModel([
        { path: "a.yaml", text: parent },
        { path: "net.yaml", text: child },
      ]).resources,
    );
    const each = [
      { condition: "Cidr is 10.0.0.0/8", value: "10.0.0.0/8" },
      { condition: "Cidr is 0.0.0.0/0", value: "0.0.0.0/0" },
    ];
    for (const stack of ["Unknown", "Attribute"]) {
      const group = loaded[`${stack}.SG`];
      expect(group?.alternatives?.["/SecurityGroupIngress/0/CidrIp"]).toEqual(each);
      expect(cidrOf(group)).toMatchObject({ $unknown: expect.any(String) });
    }
    const replaceable = loaded["Replaceable.SG"];
    expect(replaceable?.alternatives?.["/SecurityGroupIngress/0/CidrIp"]).toEqual(each);
    expect(cidrOf(replaceable)).toBe("10.0.0.0/8");
    expect(loaded["Given.SG"]?.alternatives).toBeUndefined();
  });

  it("fans out a grandchild likewise: a value its parent passes unknown, or a child's own fan-out", () => {
    // Top passes Stage (unknown) to the middle's Relay (no AllowedValues), which passes it on.
    const top = `Parameters:\n  Stage: {Type: String}\nResources:\n  Mid:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: mid.yaml\n      Parameters: {Relay: !Ref Stage, Picked: !Ref Stage}\n`;
    const middle = `Parameters:\n  Relay: {Type: String}\n  Picked: {Type: String, AllowedValues: [10.0.0.0/8, 0.0.0.0/0]}\nResources:\n  Relayed:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: net.yaml\n      Parameters: {Cidr: !Ref Relay}\n  Chosen:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: leaf.yaml\n      Parameters: {Open: !Ref Picked}\n`;
    const leaf = child
      .replace(
        "Cidr:\n    Type: String\n    AllowedValues: [10.0.0.0/8, 0.0.0.0/0]\n    Default: 10.0.0.0/8",
        "Open: {Type: String}",
      )
      .replace("!Ref Cidr", "!Ref Open");
    const loaded = loadModel([
      { path: "a.yaml", text: top },
      { path: "mid.yaml", text: middle },
      { path: "net.yaml", text: child },
      { path: "leaf.yaml", text: leaf },
    ]);
    expect(loaded.errors).toEqual([]);
    const resources = byAddress(loaded.resources);
    const cidrs = (address: string) =>
      resources[address]?.alternatives?.["/SecurityGroupIngress/0/CidrIp"];
    expect(cidrs("Mid.Relayed.SG")).toEqual([
      { condition: "Cidr is 10.0.0.0/8", value: "10.0.0.0/8" },
      { condition: "Cidr is 0.0.0.0/0", value: "0.0.0.0/0" },
    ]);
    expect(cidrs("Mid.Chosen.SG")).toEqual([
      { condition: "Picked is 10.0.0.0/8", value: "10.0.0.0/8" },
      { condition: "Picked is 0.0.0.0/0", value: "0.0.0.0/0" },
    ]);
  });

  it("warns at the stack when a parameter without a Default is not passed: the stack fails to create", () => {
    const noDefault = child.replace("    Default: 10.0.0.0/8\n", "");
    const loaded = loadModel([
      { path: "a.yaml", text: parentPassing("      Parameters:\n        Other: x\n") },
      {
        path: "net.yaml",
        text: noDefault.replace("Parameters:\n", "Parameters:\n  Other: {Type: String}\n"),
      },
    ]);
    expect(loaded.errors).toEqual([
      {
        file: "a.yaml",
        line: 6,
        column: 7,
        code: "cfn-missing-parameter",
        message:
          "nested stack Net: passes no value for Cidr, which net.yaml declares without a Default; CloudFormation fails to create the stack",
        level: "warning",
      },
    ]);
    const group = byAddress(loaded.resources)["Net.SG"];
    expect(cidrOf(group)).toEqual({ $unknown: "!Ref Cidr" });
    expect(group?.alternatives).toBeUndefined();
    // Without Parameters, at the resource.
    const bare = loadModel([
      { path: "a.yaml", text: parentPassing("") },
      { path: "net.yaml", text: noDefault },
    ]);
    expect(bare.errors.map((e) => [e.file, e.line, e.code])).toEqual([
      ["a.yaml", 2, "cfn-missing-parameter"],
    ]);
  });
});

describe("nested stacks that cannot be loaded", () => {
  const stack = (logicalId: string, url: string) =>
    `Resources:\n  ${logicalId}:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ${url}\n`;

  it("reports a TemplateURL naming no file read, or a file that is not a template, at its line", () => {
    const loaded = loadModel([
      {
        path: "a.yaml",
        text: stack("Missing", "./gone.yaml") + stack("Data", "./data.yaml").slice(11),
      },
      { path: "data.yaml", text: "colors: [red, green]\n" },
    ]);
    expect(loaded.errors).toEqual([
      expect.objectContaining({
        file: "a.yaml",
        line: 5,
        code: "cfn-nested-stack",
        message:
          'nested stack Missing: TemplateURL "./gone.yaml" names gone.yaml, which is not among the files read',
      }),
      expect.objectContaining({
        file: "a.yaml",
        line: 9,
        message:
          'nested stack Data: TemplateURL "./data.yaml" names data.yaml, which is not a CloudFormation template',
      }),
    ]);
  });

  it("reports a path out of the files read", () => {
    const loaded = loadModel([{ path: "a.yaml", text: stack("Up", "../../shared/net.yaml") }]);
    expect(loaded.errors).toEqual([
      expect.objectContaining({
        file: "a.yaml",
        line: 5,
        message: expect.stringContaining("leaves the files that were read"),
      }),
    ]);
  });

  it("loads a child of a template named above the working folder, and reports one above that", () => {
    const loaded = loadModel([
      {
        path: "../x/a.yaml",
        text: stack("Net", "nested/net.yaml") + stack("Up", "../../y.yaml").slice(11),
      },
      { path: "../x/nested/net.yaml", text: "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n" },
    ]);
    expect(loaded.errors).toEqual([
      expect.objectContaining({
        file: "../x/a.yaml",
        line: 9,
        message:
          'nested stack Up: TemplateURL "../../y.yaml" leaves the files that were read (the repository, or the folders given to the CLI)',
      }),
    ]);
    expect(loaded.resources.map((r) => [r.root, r.module, r.address])).toEqual([
      ["../x/a.yaml", "", "Net"],
      ["../x/a.yaml", "Net", "Topic"],
      ["../x/a.yaml", "", "Up"],
    ]);
    expect(
      nestedTemplatePaths({ path: "../x/a.yaml", text: stack("Net", "nested/net.yaml") }),
    ).toEqual(["../x/nested/net.yaml"]);
  });

  it("reports a cycle once and loads each template in it once", () => {
    const loaded = loadModel([
      { path: "a.yaml", text: stack("B", "./b.yaml") },
      { path: "b.yaml", text: stack("A", "./a.yaml") },
    ]);
    expect(loaded.errors).toEqual([
      expect.objectContaining({
        file: "b.yaml",
        line: 5,
        message:
          "nested stack B.A: a.yaml nests itself (a.yaml > b.yaml > a.yaml); it is not loaded again",
      }),
    ]);
    expect(loaded.resources.map((r) => [r.root, r.module, r.address])).toEqual([
      ["a.yaml", "", "B"],
      ["a.yaml", "B", "A"],
    ]);
  });

  it("reports a cycle below the top at the stack that closes it", () => {
    const loaded = loadModel([
      { path: "top.yaml", text: stack("A", "./a.yaml") },
      { path: "a.yaml", text: stack("B", "./b.yaml") },
      { path: "b.yaml", text: stack("C", "./c.yaml") },
      { path: "c.yaml", text: stack("A", "./a.yaml") },
    ]);
    expect(loaded.errors).toEqual([
      expect.objectContaining({
        file: "c.yaml",
        line: 5,
        code: "cfn-nested-stack",
        message:
          "nested stack A.B.C.A: a.yaml nests itself (a.yaml > b.yaml > c.yaml > a.yaml); it is not loaded again",
      }),
    ]);
    expect(loaded.resources.map(qualifiedAddress)).toEqual(["A", "A.B", "A.B.C", "A.B.C.A"]);
  });

  it("stops past the depth limit, at the stack that goes too deep", () => {
    const chain = Array.from({ length: 12 }, (_, level) => ({
      path: `t${String(level).padStart(2, "0")}.yaml`,
      text:
        level === 11
          ? "Resources:\n  Leaf:\n    Type: AWS::SNS::Topic\n"
          : stack(`L${level + 1}`, `./t${String(level + 1).padStart(2, "0")}.yaml`),
    }));
    const loaded = loadModel(chain);
    expect(loaded.errors).toEqual([
      expect.objectContaining({
        file: "t08.yaml",
        line: 5,
        message: expect.stringMatching(
          /^nested stack L1\.L2\.L3\.L4\.L5\.L6\.L7\.L8\.L9: more than 8 levels of nested stacks below t00\.yaml; t09\.yaml is not loaded here$/,
        ),
      }),
    ]);
    expect(loaded.resources.every((r) => r.root === "t00.yaml")).toBe(true);
  });

  it("reports a child that does not parse, in the child and at the parent", () => {
    const loaded = loadModel([
      { path: "a.yaml", text: stack("Net", "./net.yaml") },
      {
        path: "net.yaml",
        text: "Resources:\n  Web:\n    Type: AWS::EC2::SecurityGroup\n   bad: [\n",
      },
    ]);
    expect(loaded.errors.map((e) => [e.file, e.line, e.code])).toEqual([
      ["a.yaml", 5, "cfn-nested-stack"],
      ["net.yaml", 4, "yaml-syntax"],
      ["net.yaml", 5, "yaml-syntax"],
    ]);
    expect(loaded.errors[0]?.message).toBe(
      "nested stack Net: net.yaml does not parse (its errors say where); its resources are left out",
    );
  });
});

describe("nested stacks beside their parents' conditions, loops and Parameters", () => {
  const sshFrom = (cidr: string) =>
    `      GroupDescription: admin\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: ${cidr}}\n`;
  /** Net exists only when the parent's IsProd holds; `env` is what it passes as Env. */
  const parentOf = (env: string) =>
    `Parameters:\n  Env: {Type: String}\n  Other: {Type: String}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n  Net:\n    Type: AWS::CloudFormation::Stack\n    Condition: IsProd\n    Properties:\n      TemplateURL: net.yaml\n      Parameters:\n        Tier: !Ref Other\n        Env: ${env}\n`;
  /** SSH is open from anywhere unless the child's IsProd holds. */
  const childOf = (condition: string) =>
    `Parameters:\n  Env: {Type: String}\n  Tier: {Type: String}\nConditions:\n  IsProd: ${condition}\nResources:\n  SG:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n${sshFrom("!If [IsProd, 10.0.0.0/8, 0.0.0.0/0]")}`;
  const conditionsOf = (env: string, condition: string) => {
    const loaded = loadModel([
      { path: "a.yaml", text: parentOf(env) },
      { path: "net.yaml", text: childOf(condition) },
    ]);
    expect(loaded.errors).toEqual([]);
    const group = byAddress(loaded.resources)["Net.SG"];
    return [
      group?.conditional?.[""],
      group?.alternatives?.["/SecurityGroupIngress/0/CidrIp"]?.map((a) => a.condition),
    ];
  };

  it("keeps a child's condition apart from the parent's of the same name", () => {
    // The child's IsProd tests its own Tier: read as the parent's, "IsProd and not IsProd" would
    // hold nowhere and the open rule would be dropped.
    expect(conditionsOf("!Ref Env", "!Equals [!Ref Tier, locked]")).toEqual([
      "IsProd",
      ["Net.IsProd", "not Net.IsProd"],
    ]);
    // Written alike, but testing a value the parent passes from elsewhere.
    expect(conditionsOf("!Ref Other", "!Equals [!Ref Env, prod]")).toEqual([
      "IsProd",
      ["Net.IsProd", "not Net.IsProd"],
    ]);
  });

  it("takes a child's condition for the parent's when both test what the parent passes alike", () => {
    expect(conditionsOf("!Ref Env", "!Equals [!Ref Env, prod]")).toEqual([
      "IsProd",
      ["IsProd", "not IsProd"],
    ]);
  });

  it("finds a child nested by a stack Fn::ForEach generates, and loads it only as those stacks", () => {
    const loops = `Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::Stacks:\n    - Name\n    - [A, B]\n    - Net\${Name}:\n        Type: AWS::CloudFormation::Stack\n        Properties:\n          TemplateURL: net.yaml\n          Parameters: {Cidr: 10.0.0.0/8}\n`;
    const child = `Transform: AWS::LanguageExtensions\nParameters:\n  Cidr: {Type: String, Default: 0.0.0.0/0}\nResources:\n  Fn::ForEach::Groups:\n    - Id\n    - [Admin]\n    - \${Id}SG:\n        Type: AWS::EC2::SecurityGroup\n        Properties:\n${sshFrom("!Ref Cidr").replaceAll("      ", "          ")}`;
    expect(nestedTemplatePaths({ path: "a.yaml", text: loops })).toEqual(["net.yaml"]);
    const loaded = loadModel([
      { path: "a.yaml", text: loops },
      { path: "net.yaml", text: child },
    ]);
    expect(loaded.errors).toEqual([]);
    expect(
      loaded.resources
        .filter((r) => r.type === "AWS::EC2::SecurityGroup")
        .map((r) => [qualifiedAddress(r), r.root, JSON.stringify(r.config.SecurityGroupIngress)]),
    ).toEqual([
      ["NetA.AdminSG", "a.yaml", expect.stringContaining('"CidrIp":"10.0.0.0/8"')],
      ["NetB.AdminSG", "a.yaml", expect.stringContaining('"CidrIp":"10.0.0.0/8"')],
    ]);
  });

  it("leaves every child parameter unknown when the parent's Parameters as a whole are", () => {
    const undecided = `Parameters:\n  Env: {Type: String}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n  Net:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: net.yaml\n      Parameters: !If [IsProd, {Cidr: 10.0.0.0/8}, {Cidr: 0.0.0.0/0}]\n`;
    const child = `Parameters:\n  Cidr: {Type: String, Default: 10.1.0.0/16}\nResources:\n  SG:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n${sshFrom("!Ref Cidr")}`;
    const loaded = loadModel([
      { path: "a.yaml", text: undecided },
      { path: "net.yaml", text: child },
    ]);
    expect(loaded.errors).toEqual([]);
    const group = byAddress(loaded.resources)["Net.SG"];
    expect(group?.config.SecurityGroupIngress).toEqual([
      expect.objectContaining({
        CidrIp: { $unknown: '!If [IsProd, {Cidr: "10.0.0.0/8"}, {Cidr: "0.0.0.0/0"}]' },
      }),
    ]);
    // Located at the parent's Parameters, which decide it.
    expect(group?.locations["/SecurityGroupIngress/0/CidrIp"]).toMatchObject({
      file: "a.yaml",
      line: 10,
    });
  });
});
