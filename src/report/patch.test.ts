import { describe, expect, it } from "vitest";
import { changedLinesByFile, parsePatchChangedLines } from "./patch.js";

// A real-shaped GitHub `patch`: two hunks, a modified line, an added line and a deletion.
const PATCH = [
  "@@ -1,4 +1,5 @@",
  ' resource "aws_security_group" "web" {',
  '-  name = "web"',
  '+  name = "web-public"',
  '+  description = "public web"',
  "   vpc_id = var.vpc_id",
  " }",
  '@@ -20,3 +21,3 @@ resource "aws_s3_bucket" "logs" {',
  '   bucket = "logs"',
  '-  acl = "private"',
  '+  acl = "public-read"',
  " }",
  "\\ No newline at end of file",
].join("\n");

describe("parsePatchChangedLines", () => {
  it("returns head-side added lines across hunks", () => {
    expect([...parsePatchChangedLines(PATCH)]).toEqual([2, 3, 22]);
  });

  it("handles hunk headers without counts and new files", () => {
    expect([...parsePatchChangedLines("@@ -0,0 +1 @@\n+only line")]).toEqual([1]);
    expect([...parsePatchChangedLines("@@ -1,2 +0,0 @@\n-a\n-b")]).toEqual([]);
  });

  it("ignores text before the first hunk", () => {
    expect([...parsePatchChangedLines("+not a hunk\n@@ -5 +5 @@\n+x")]).toEqual([5]);
  });
});

describe("changedLinesByFile", () => {
  it("maps files, leaves out removed ones and marks patchless files as all lines", () => {
    const map = changedLinesByFile([
      { path: "a.tf", status: "modified", patch: PATCH },
      { path: "gone.tf", status: "removed", patch: "@@ -1 +0,0 @@\n-x" },
      { path: "huge.tf", status: "added" },
    ]);
    expect([...map.keys()]).toEqual(["a.tf", "huge.tf"]);
    expect(map.get("huge.tf")).toBe("all");
  });
});
