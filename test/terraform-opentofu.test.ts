// OpenTofu's own files (`.tofu`, `.tofu.json`) are not read; review finding 13 (session 21): a PR
// could add `main.tofu` (what OpenTofu deploys, in place of `main.tf`) beside a benign `main.tf`
// (what Tollgate judged) and pass with no word. Each is now a located error: the scan is incomplete.
import { describe, expect, it } from "vitest";
import { runOnFiles } from "./support/cli.js";

const openSsh = `resource "aws_security_group" "ssh" {
  name = "ssh"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;

describe("tollgate scan on OpenTofu files", () => {
  it("reports each .tofu and .tofu.json file as a located error, failing closed", async () => {
    const run = await runOnFiles(
      "opentofu",
      {
        "main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n',
        "main.tofu": openSsh,
        "net/extra.tofu.json": '{"resource": {}}\n',
      },
      (dir) => ["scan", dir, "--format", "json"],
    );
    const { errors } = JSON.parse(run.stdout) as {
      errors: Array<{ file: string; line: number; code: string; message: string }>;
    };
    expect(
      errors.map((e) => `${e.file.replace(/^.*opentofu[^/]*\//, "")}:${e.line} ${e.code}`),
    ).toEqual(["main.tofu:1 opentofu-unread", "net/extra.tofu.json:1 opentofu-unread"]);
    expect(errors[0]?.message).toContain("in place of");
    expect(run.code).toBe(1);
  });
});
