import { describe, expect, it } from "vitest";
import { finding } from "../../test/app/findings.js";
import { diffFindings, followRenames, renamesByContent } from "./index.js";

const statuses = (base: ReturnType<typeof finding>[], head: ReturnType<typeof finding>[]) =>
  diffFindings(base, head).map((f) => `${f.status}:${f.root}`);

describe("renamesByContent", () => {
  it("pairs a file gone at head with a new file of the same text, each once", () => {
    const base = [
      { path: "stack.yaml", text: "Resources: {}\n" },
      { path: "copy.yaml", text: "Resources: {}\n" },
      { path: "main.tf", text: "# kept\n" },
      { path: "old.tf", text: "# edited\n" },
    ];
    const head = [
      { path: "cfn/stack.yaml", text: "Resources: {}\n" },
      { path: "main.tf", text: "# kept\n" },
      { path: "new.tf", text: "# edited, and more\n" },
    ];
    expect(renamesByContent(base, head)).toEqual([{ from: "stack.yaml", to: "cfn/stack.yaml" }]);
  });
});

describe("followRenames", () => {
  it("keeps a renamed template's findings existing", () => {
    const base = [finding({ file: "stack.yaml", root: "stack.yaml", resource: "Group" })];
    const head = [finding({ file: "cfn/stack.yaml", root: "cfn/stack.yaml", resource: "Group" })];
    const renames = [{ from: "stack.yaml", to: "cfn/stack.yaml" }];
    expect(statuses(base, head)).toEqual(["new:cfn/stack.yaml", "fixed:stack.yaml"]);
    expect(statuses(followRenames(base, renames, ["cfn/stack.yaml"]), head)).toEqual([
      "existing:cfn/stack.yaml",
    ]);
  });

  it("follows a Terraform root folder whose files all moved to one other folder", () => {
    const base = [
      finding({ file: "envs/prod/main.tf", root: "envs/prod" }),
      finding({ file: "main.tf", root: "" }),
    ];
    const head = [
      finding({ file: "environments/prod/main.tf", root: "environments/prod" }),
      finding({ file: "infra/main.tf", root: "infra" }),
    ];
    const renames = [
      { from: "envs/prod/main.tf", to: "environments/prod/main.tf" },
      { from: "envs/prod/terraform.tfvars", to: "environments/prod/terraform.tfvars" },
      { from: "main.tf", to: "infra/main.tf" },
    ];
    const followed = followRenames(base, renames, [
      "environments/prod/main.tf",
      "environments/prod/terraform.tfvars",
      "infra/main.tf",
    ]);
    expect(statuses(followed, head)).toEqual(["existing:environments/prod", "existing:infra"]);
  });

  it("leaves a root alone when it keeps Terraform files at head or its files went to several folders", () => {
    const base = [
      finding({ file: "envs/prod/main.tf", root: "envs/prod" }),
      finding({ file: "envs/dev/main.tf", root: "envs/dev" }),
    ];
    const renames = [
      // One file of envs/prod moved into a module folder; envs/prod/main.tf stays.
      { from: "envs/prod/network.tf", to: "modules/network/main.tf" },
      // envs/dev split in two.
      { from: "envs/dev/main.tf", to: "envs/dev-a/main.tf" },
      { from: "envs/dev/iam.tf", to: "envs/dev-b/iam.tf" },
    ];
    const followed = followRenames(base, renames, [
      "envs/prod/main.tf",
      "modules/network/main.tf",
      "envs/dev-a/main.tf",
      "envs/dev-b/iam.tf",
    ]);
    expect(followed.map((f) => f.root)).toEqual(["envs/prod", "envs/dev"]);
  });
});
