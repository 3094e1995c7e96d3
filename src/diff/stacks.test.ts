import { describe, expect, it } from "vitest";
import type { ResourceAddress } from "../engine/types.js";
import type { Resource } from "../model/types.js";
import { finding } from "../../test/app/findings.js";
import { diffScans } from "./index.js";
import { stackMoves } from "./stacks.js";

/**
 * A CloudFormation resource of root `app.yaml` (or `root`) at `stackPath` ("" for the top
 * template), written in `iam.yaml` (or `file`), deploying `config`.
 */
const resource = (
  stackPath: string,
  logicalId: string,
  type: string,
  { root = "app.yaml", file = "iam.yaml", config = {} as Resource["config"] } = {},
): ResourceAddress => ({
  root,
  address: stackPath === "" ? logicalId : `${stackPath}.${logicalId}`,
  stack: { path: stackPath, logicalId, type, file, line: 3, column: 3, config },
});

const moved = (base: ResourceAddress[], head: ResourceAddress[]) =>
  stackMoves(base, head).map(
    (move) => `${move.root}: ${move.from} -> ${move.toRoot ? `${move.toRoot}: ` : ""}${move.to}`,
  );

describe("stackMoves", () => {
  const user = resource("", "User", "AWS::IAM::User");
  const policy = resource("", "UserPolicy", "AWS::IAM::Policy");
  const iam = resource("", "Iam", "AWS::CloudFormation::Stack");

  it("moves a resource into a stack its template nests, and back out", () => {
    const split = [iam, resource("Iam", "User", "AWS::IAM::User")];
    split.push(resource("Iam", "UserPolicy", "AWS::IAM::Policy"));
    expect(moved([user, policy], split)).toEqual([
      "app.yaml: User -> Iam.User",
      "app.yaml: UserPolicy -> Iam.UserPolicy",
    ]);
    expect(moved(split, [user, policy])).toEqual([
      "app.yaml: Iam.User -> User",
      "app.yaml: Iam.UserPolicy -> UserPolicy",
    ]);
    // Two levels down, from a child into its own child.
    expect(
      moved(
        [iam, resource("Iam", "User", "AWS::IAM::User")],
        [iam, resource("Iam.Users", "User", "AWS::IAM::User")],
      ),
    ).toEqual(["app.yaml: Iam.User -> Iam.Users.User"]);
  });

  it("moves nothing of another type, across roots from another file deploying other values, or still held", () => {
    expect(moved([user], [iam, resource("Iam", "User", "AWS::IAM::Role")])).toEqual([]);
    const named = (place: ResourceAddress, userName: string): ResourceAddress => ({
      ...place,
      stack: place.stack && { ...place.stack, config: { UserName: userName } },
    });
    const inOther = (stackPath: string, userName: string) =>
      named(
        resource(stackPath, "User", "AWS::IAM::User", { root: "other.yaml", file: "other.yaml" }),
        userName,
      );
    expect(moved([named(user, "deploy")], [inOther("Iam", "ci")])).toEqual([]);
    // Unless it deploys every value it did.
    expect(moved([named(user, "deploy")], [inOther("Iam", "deploy")])).toEqual([
      "app.yaml: User -> other.yaml: Iam.User",
    ]);
    expect(moved([user], [user, resource("Iam", "User", "AWS::IAM::User")])).toEqual([]);
    // Terraform resources have no stack.
    expect(
      moved([{ root: "app.yaml", address: "User" }], [{ root: "app.yaml", address: "Iam.User" }]),
    ).toEqual([]);
  });

  it("moves a resource to a sibling stack when it deploys what it did, not an unrelated one", () => {
    const group = (description: string, port: number) =>
      resource("Net", "WebSG", "AWS::EC2::SecurityGroup", {
        file: "net.yaml",
        config: {
          GroupDescription: description,
          SecurityGroupIngress: [{ IpProtocol: "tcp", FromPort: port, ToPort: port }],
        },
      });
    const inApp = (place: ResourceAddress) => ({
      ...place,
      address: place.address.replace("Net.", "App."),
      stack: place.stack && { ...place.stack, path: "App", file: "app-stack.yaml" },
    });
    expect(moved([group("web servers", 22)], [inApp(group("web servers", 22))])).toEqual([
      "app.yaml: Net.WebSG -> App.WebSG",
    ]);
    // Moved with a value added; not with one changed.
    const widened = inApp(group("web servers", 22));
    if (widened.stack?.config.SecurityGroupIngress instanceof Array)
      widened.stack.config.SecurityGroupIngress.push({ IpProtocol: "tcp", FromPort: 3389 });
    expect(moved([group("web servers", 22)], [widened])).toEqual([
      "app.yaml: Net.WebSG -> App.WebSG",
    ]);
    expect(moved([group("web servers", 22)], [inApp(group("web servers", 3389))])).toEqual([]);
    // Another group that only shares the logical id and type.
    const other = resource("App", "WebSG", "AWS::EC2::SecurityGroup", {
      file: "app-stack.yaml",
      config: { GroupDescription: "load balancer", VpcId: "vpc-0a1b2c3d" },
    });
    expect(moved([group("web servers", 22)], [other])).toEqual([]);
  });

  it("moves a resource into another root with its template file", () => {
    // The top template renamed: the nested template and the stack path stay.
    const inIam = (root: string) => resource("Iam", "User", "AWS::IAM::User", { root });
    expect(moved([inIam("app.yaml")], [inIam("platform/main.yaml")])).toEqual([
      "app.yaml: Iam.User -> platform/main.yaml: Iam.User",
    ]);
    // A template scanned on its own, now nested by a parent; then no longer nested.
    const alone = resource("", "User", "AWS::IAM::User", { root: "iam.yaml" });
    expect(moved([alone], [inIam("app.yaml")])).toEqual(["iam.yaml: User -> app.yaml: Iam.User"]);
    expect(moved([inIam("app.yaml")], [alone])).toEqual(["app.yaml: Iam.User -> iam.yaml: User"]);
    const deeper = resource("Platform.Iam", "User", "AWS::IAM::User", { root: "main.yaml" });
    expect(moved([inIam("app.yaml")], [deeper])).toEqual([
      "app.yaml: Iam.User -> main.yaml: Platform.Iam.User",
    ]);
    // Not when the stack paths part (another stack nests the file); nested twice, to the first.
    const asNet = resource("Net", "User", "AWS::IAM::User", { root: "main.yaml" });
    expect(moved([inIam("app.yaml")], [asNet])).toEqual([]);
    const twice = resource("Iam2", "User", "AWS::IAM::User");
    expect(moved([alone], [inIam("app.yaml"), twice])).toEqual([
      "iam.yaml: User -> app.yaml: Iam.User",
    ]);
  });

  it("moves a resource two stacks now hold to the first deploying all it did, and back", () => {
    const named = (stackPath: string, userName: string) =>
      resource(stackPath, "User", "AWS::IAM::User", { config: { UserName: userName } });
    const twice = [named("Blue", "ops"), named("Green", "ops")];
    // One copy continues it, the other is new: not both new and the base's fixed.
    expect(moved([named("", "ops")], twice)).toEqual(["app.yaml: User -> Blue.User"]);
    expect(moved(twice, [named("", "ops")])).toEqual(["app.yaml: Blue.User -> User"]);
    // The copy deploying what it deployed, whichever comes first; none, no move.
    expect(moved([named("", "ops")], [named("Blue", "dev"), named("Green", "ops")])).toEqual([
      "app.yaml: User -> Green.User",
    ]);
    expect(moved([named("", "ops")], [named("Blue", "dev"), named("Green", "qa")])).toEqual([]);
  });
});

describe("stackMoves with a template nested once at base and twice at head", () => {
  const stack = (logicalId: string) =>
    resource("", logicalId, "AWS::CloudFormation::Stack", {
      file: "app.yaml",
      config: { TemplateURL: "./sg.yaml" },
    });
  const group = (stackPath: string) =>
    resource(stackPath, "SG", "AWS::EC2::SecurityGroup", { file: "sg.yaml" });

  it("takes the stack renamed beside a new copy to the first copy, with what it holds", () => {
    const base = [stack("Net"), group("Net")];
    const head = [stack("First"), group("First"), stack("Second"), group("Second")];
    expect(moved(base, head)).toEqual(["app.yaml: Net -> First", "app.yaml: Net.SG -> First.SG"]);
    expect(moved(head, base)).toEqual(["app.yaml: First -> Net", "app.yaml: First.SG -> Net.SG"]);
    // A copy given other Parameters is not the one it continues.
    const port = (placed: ResourceAddress, Port: number): ResourceAddress => ({
      ...placed,
      stack: placed.stack && {
        ...placed.stack,
        config: { ...placed.stack.config, Parameters: { Port } },
      },
    });
    expect(
      moved(
        [port(stack("Net"), 22), group("Net")],
        [port(stack("First"), 3389), group("First"), port(stack("Second"), 22), group("Second")],
      ),
    ).toEqual(["app.yaml: Net -> Second", "app.yaml: Net.SG -> Second.SG"]);
  });
});

describe("stackMoves with a nested stack moved", () => {
  // `Bastion` of network.yaml nests bastion.yaml, which nests audit.yaml as `Audit`.
  const bastion = (root: string, stackPath: string, extra: Resource["config"] = {}) => {
    const at = (path: string) => (path === "" ? stackPath : `${stackPath}.${path}`);
    const parentPath = stackPath.split(".").slice(0, -1).join(".");
    const logicalId = stackPath.split(".").at(-1) ?? stackPath;
    return [
      resource(parentPath, logicalId, "AWS::CloudFormation::Stack", { root, file: root }),
      resource(at(""), "HostSG", "AWS::EC2::SecurityGroup", {
        root,
        file: "bastion.yaml",
        config: { GroupDescription: "bastion", ...extra },
      }),
      resource(at(""), "Audit", "AWS::CloudFormation::Stack", { root, file: "bastion.yaml" }),
      resource(at("Audit"), "CollectorSG", "AWS::EC2::SecurityGroup", {
        root,
        file: "audit.yaml",
      }),
    ];
  };

  it("carries it with what its template and the templates below declare, renamed, into another root", () => {
    // VpcId differs: on its own, HostSG would deploy other values and move nowhere.
    expect(
      moved(
        bastion("network.yaml", "Bastion", { VpcId: "vpc-1" }),
        bastion("app.yaml", "Jumpbox", { VpcId: "vpc-2" }),
      ),
    ).toEqual([
      "network.yaml: Bastion -> app.yaml: Jumpbox",
      "network.yaml: Bastion.HostSG -> app.yaml: Jumpbox.HostSG",
      "network.yaml: Bastion.Audit -> app.yaml: Jumpbox.Audit",
      "network.yaml: Bastion.Audit.CollectorSG -> app.yaml: Jumpbox.Audit.CollectorSG",
    ]);
    // In the same root, under a new parent.
    expect(
      moved(bastion("app.yaml", "Bastion"), [
        resource("", "Access", "AWS::CloudFormation::Stack", { file: "app.yaml" }),
        ...bastion("app.yaml", "Access.Jumpbox"),
      ]),
    ).toEqual([
      "app.yaml: Bastion -> Access.Jumpbox",
      "app.yaml: Bastion.HostSG -> Access.Jumpbox.HostSG",
      "app.yaml: Bastion.Audit -> Access.Jumpbox.Audit",
      "app.yaml: Bastion.Audit.CollectorSG -> Access.Jumpbox.Audit.CollectorSG",
    ]);
  });

  it("carries only what the head declares there, of its type", () => {
    const head = bastion("app.yaml", "Jumpbox").filter(
      (entry) => entry.stack?.logicalId !== "CollectorSG",
    );
    head.push(resource("Jumpbox.Audit", "CollectorSG", "AWS::EC2::Instance", { root: "app.yaml" }));
    expect(moved(bastion("network.yaml", "Bastion"), head)).toEqual([
      "network.yaml: Bastion -> app.yaml: Jumpbox",
      "network.yaml: Bastion.HostSG -> app.yaml: Jumpbox.HostSG",
      "network.yaml: Bastion.Audit -> app.yaml: Jumpbox.Audit",
    ]);
  });

  it("pairs stacks of one template by logical id when several moved, else none", () => {
    const base = [...bastion("network.yaml", "Bastion"), ...bastion("network.yaml", "Spare")];
    const head = [...bastion("app.yaml", "Bastion"), ...bastion("app.yaml", "Jumpbox")];
    expect(moved(base, head).filter((move) => move.includes("HostSG"))).toEqual([
      "network.yaml: Bastion.HostSG -> app.yaml: Bastion.HostSG",
    ]);
    const renamedBoth = [...bastion("app.yaml", "Jumpbox"), ...bastion("app.yaml", "Relay")];
    expect(moved(base, renamedBoth).filter((move) => move.includes("HostSG"))).toEqual([]);
  });
});

describe("diffScans with a resource moved between stacks", () => {
  const starOn = (resourceAddress: string, action: string) =>
    finding({
      rule: "TG-IAM-001",
      root: "app.yaml",
      resource: resourceAddress,
      evidence: action,
    });
  const scan = (addresses: ResourceAddress[], findings: ReturnType<typeof finding>[]) => ({
    findings,
    errors: [],
    addresses,
  });

  it("keeps its findings existing, and what the move adds new", () => {
    const base = scan(
      [resource("", "UserPolicy", "AWS::IAM::Policy")],
      [starOn("UserPolicy", "ec2:*"), starOn("UserPolicy", "s3:*")],
    );
    const head = scan(
      [
        resource("", "Iam", "AWS::CloudFormation::Stack"),
        resource("Iam", "UserPolicy", "AWS::IAM::Policy"),
      ],
      [starOn("Iam.UserPolicy", "ec2:*"), starOn("Iam.UserPolicy", "iam:*")],
    );
    expect(diffScans(base, head).map((f) => `${f.status} ${f.resource} ${f.evidence}`)).toEqual([
      "existing Iam.UserPolicy ec2:*",
      "new Iam.UserPolicy iam:*",
      "fixed UserPolicy s3:*",
    ]);
  });

  it("compares a template newly nested under a parent in the parent's root", () => {
    const rootedOn = (root: string, resourceAddress: string, action: string) => ({
      ...starOn(resourceAddress, action),
      root,
    });
    const base = scan(
      [
        resource("", "UserPolicy", "AWS::IAM::Policy", { root: "iam.yaml" }),
        resource("", "Logs", "AWS::S3::Bucket", { root: "app.yaml", file: "app.yaml" }),
      ],
      [rootedOn("iam.yaml", "UserPolicy", "ec2:*"), rootedOn("iam.yaml", "UserPolicy", "s3:*")],
    );
    const head = scan(
      [
        resource("", "Logs", "AWS::S3::Bucket", { root: "app.yaml", file: "app.yaml" }),
        resource("", "Iam", "AWS::CloudFormation::Stack", { file: "app.yaml" }),
        resource("Iam", "UserPolicy", "AWS::IAM::Policy"),
      ],
      [
        rootedOn("app.yaml", "Iam.UserPolicy", "ec2:*"),
        rootedOn("app.yaml", "Iam.UserPolicy", "iam:*"),
      ],
    );
    expect(
      diffScans(base, head).map((f) => `${f.status} ${f.root} ${f.resource} ${f.evidence}`),
    ).toEqual([
      "existing app.yaml Iam.UserPolicy ec2:*",
      "new app.yaml Iam.UserPolicy iam:*",
      "fixed iam.yaml UserPolicy s3:*",
    ]);
  });
});
