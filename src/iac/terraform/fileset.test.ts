import { describe, expect, it } from "vitest";
import { listFileset } from "./fileset.js";
import { loadTerraform } from "./index.js";

const listing = (files: string[], unlisted: string[] = [], folders = [""]) => ({
  folders,
  files,
  unlisted,
});

describe("listFileset", () => {
  const files = [
    "m/main.tf",
    "m/policies/admin.json",
    "m/policies/reader.json",
    "m/policies/.hidden.json",
    "m/policies/notes.txt",
    "m/policies/deep/ops.json",
    "m/policies/{1..3}.json",
    "m/policies/2.json",
    "other/x.json",
  ];

  // Expected as Terraform's doublestar (v1) matches: `*` takes a leading dot, `**` crosses folders,
  // alternatives and classes stay within a segment, the result is relative and sorted.
  it.each([
    [
      "m/policies",
      "*.json",
      [".hidden.json", "2.json", "admin.json", "reader.json", "{1..3}.json"],
    ],
    [
      "m",
      "policies/*.json",
      [
        "policies/.hidden.json",
        "policies/2.json",
        "policies/admin.json",
        "policies/reader.json",
        "policies/{1..3}.json",
      ],
    ],
    [
      "m/policies",
      "**/*.json",
      [".hidden.json", "2.json", "admin.json", "deep/ops.json", "reader.json", "{1..3}.json"],
    ],
    ["m/policies", "{admin,reader}.json", ["admin.json", "reader.json"]],
    ["m/policies", "[a-m]*.json", ["admin.json"]],
    ["m/policies", "[^a]*.json", [".hidden.json", "2.json", "reader.json", "{1..3}.json"]],
    ["m/policies", "?.json", ["2.json"]],
    [
      "m/policies",
      "*",
      [".hidden.json", "2.json", "admin.json", "notes.txt", "reader.json", "{1..3}.json"],
    ],
    ["m/policies", "*.yaml", []],
    ["m/missing", "*", []],
  ])("fileset(%j, %j)", (directory, pattern, expected) => {
    expect(listFileset(listing(files), directory, pattern)).toEqual({ files: expected });
  });

  it.each([
    ["{1..3}.json", "`..` inside `{...}`"],
    ["(admin|reader).json", "parentheses"],
    ["[[:alpha:]]*.json", "POSIX class"],
    ["[!a]*.json", "`[!...]`"],
    ["{a,{b,c}}.json", "nested"],
    ["{deep/ops,admin}.json", "a `/` inside"],
    ["../*.json", "climbs out"],
  ])("leaves %j unknown rather than match it unlike Terraform", (pattern, reason) => {
    const result = listFileset(listing(files), "m/policies", pattern);
    expect(result).toEqual({ unknown: expect.stringContaining(reason) });
  });

  it("is unknown for a folder the listing does not cover whole", () => {
    expect(listFileset(undefined, "m", "*.json")).toHaveProperty("unknown");
    expect(listFileset(listing(files, [], ["other"]), "m", "*.json")).toHaveProperty("unknown");
    expect(listFileset(listing(files, [], ["m"]), "m/policies", "*.json")).toHaveProperty("files");
  });

  it("is unknown when an unlisted path (skipped folder, link, submodule) may hold a match", () => {
    const skipped = listing(files, ["m/policies/node_modules", "m/.terraform"]);
    expect(listFileset(skipped, "m/policies", "**/*.json")).toHaveProperty("unknown");
    expect(listFileset(skipped, "m/policies", "*/x.json")).toHaveProperty("unknown");
    expect(listFileset(skipped, "m/policies/node_modules/a", "*")).toHaveProperty("unknown");
    // No match can lie below them: known.
    expect(listFileset(skipped, "m/policies", "*.json")).toHaveProperty("files");
    expect(listFileset(skipped, "m", "policies/*.json")).toHaveProperty("files");
    expect(listFileset(skipped, "m", "p*/**/*.json")).toHaveProperty("unknown");
    expect(listFileset(skipped, "m", "o*/**/*.json")).toHaveProperty("files");
  });
});

describe("fileset() in the loader", () => {
  const files = [
    {
      path: "envs/prod/main.tf",
      text: `resource "aws_iam_policy" "p" {
  for_each = fileset("\${path.module}/policies", "*.json")
  policy   = file("\${path.module}/policies/\${each.value}")
}
resource "aws_iam_policy" "q" {
  for_each = fileset(path.module, "policies/r*.json")
  policy   = file("\${path.module}/\${each.value}")
}
resource "aws_iam_policy" "literal" {
  for_each = fileset("policies", "*.json")
  name     = each.key
}
`,
    },
    { path: "envs/prod/policies/admin.json", text: '{"Statement": [{"Effect": "Allow"}]}' },
    {
      path: "envs/prod/policies/reader.json",
      text: '{\n  "Statement": [\n    {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}\n  ]\n}\n',
    },
  ];
  const listed = listing([...files.map((file) => file.path), "envs/prod/policies/README.md"]);

  it("lists the files Terraform would, and file() reads each, located in the JSON file", () => {
    const { resources, errors } = loadTerraform(files, { listing: listed });
    expect(errors).toEqual([]);
    expect(resources.map((r) => r.address)).toEqual([
      'aws_iam_policy.p["admin.json"]',
      'aws_iam_policy.p["reader.json"]',
      'aws_iam_policy.q["policies/reader.json"]',
      'aws_iam_policy.literal["admin.json"]',
      'aws_iam_policy.literal["reader.json"]',
    ]);
    const reader = resources[1];
    expect(reader?.config.policy).toContain('"iam:*"');
    expect(reader?.locations["/policy/Statement/0/Action"]).toMatchObject({
      file: "envs/prod/policies/reader.json",
      line: 3,
    });
  });

  it("is unknown with a located warning when the files were not listed", () => {
    const { resources, errors } = loadTerraform(files);
    expect(errors).toEqual([
      expect.objectContaining({
        file: "envs/prod/main.tf",
        line: 2,
        code: "terraform-fileset",
        level: "warning",
      }),
      expect.objectContaining({ line: 6, code: "terraform-fileset" }),
      expect.objectContaining({ line: 10, code: "terraform-fileset" }),
    ]);
    expect(resources[0]?.config.for_each).toEqual({
      $unknown: 'fileset("${path.module}/policies", "*.json")',
    });
  });

  it("is unknown when a path from elsewhere names two folders that both exist", () => {
    const { errors } = loadTerraform(
      [
        {
          path: "envs/prod/main.tf",
          text: `locals {
  dir = "policies"
}
resource "aws_iam_policy" "p" {
  for_each = fileset(local.dir, "*.json")
  name     = each.key
}
`,
        },
      ],
      { listing: listing(["envs/prod/policies/a.json", "policies/b.json", "envs/prod/main.tf"]) },
    );
    expect(errors).toEqual([
      expect.objectContaining({
        line: 5,
        code: "terraform-fileset",
        message: expect.stringContaining("both folders exist"),
      }),
    ]);
  });
});
