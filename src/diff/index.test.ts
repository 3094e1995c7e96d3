import { describe, expect, it } from "vitest";
import type { Finding } from "../model/types.js";
import { finding as baseFinding } from "../../test/app/findings.js";
import { diffFindings, findingIdentity } from "./index.js";

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
