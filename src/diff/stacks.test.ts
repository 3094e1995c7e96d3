import { describe, expect, it } from "vitest";
import type { ResourceAddress } from "../engine/types.js";
import { finding } from "../../test/app/findings.js";
import { diffScans } from "./index.js";
import { stackMoves } from "./stacks.js";

/** A CloudFormation resource of root `app.yaml` at `stackPath` ("" for the top template). */
const resource = (stackPath: string, logicalId: string, type: string): ResourceAddress => ({
  root: "app.yaml",
  address: stackPath === "" ? logicalId : `${stackPath}.${logicalId}`,
  stack: { path: stackPath, logicalId, type, file: "iam.yaml", line: 3, column: 3 },
});

const moved = (base: ResourceAddress[], head: ResourceAddress[]) =>
  stackMoves(base, head).map((move) => `${move.root}: ${move.from} -> ${move.to}`);

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

  it("moves nothing of another type, between sibling stacks, across roots, or still held", () => {
    expect(moved([user], [iam, resource("Iam", "User", "AWS::IAM::Role")])).toEqual([]);
    expect(
      moved(
        [resource("Net", "User", "AWS::IAM::User")],
        [resource("Iam", "User", "AWS::IAM::User")],
      ),
    ).toEqual([]);
    const otherRoot = { ...resource("Iam", "User", "AWS::IAM::User"), root: "other.yaml" };
    expect(moved([user], [otherRoot])).toEqual([]);
    expect(moved([user], [user, resource("Iam", "User", "AWS::IAM::User")])).toEqual([]);
    // Terraform resources have no stack.
    expect(
      moved([{ root: "app.yaml", address: "User" }], [{ root: "app.yaml", address: "Iam.User" }]),
    ).toEqual([]);
  });

  it("moves nothing when two stacks now hold the resource, or two held it", () => {
    const twice = [resource("Blue", "User", "AWS::IAM::User")];
    twice.push(resource("Green", "User", "AWS::IAM::User"));
    expect(moved([user], twice)).toEqual([]);
    expect(moved(twice, [user])).toEqual([]);
  });
});

describe("diffScans with a resource moved into a nested stack", () => {
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
});
