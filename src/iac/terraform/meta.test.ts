import path from "node:path";
import { describe, expect, it } from "vitest";
import { corpusDir, readSources } from "../../../test/support/corpus.js";
import type { Resource } from "../../model/types.js";
import { locate } from "../../policy/findings.js";
import { loadTerraform } from "./index.js";

function resource(resources: Resource[], address: string): Resource {
  const found = resources.find((r) => r.address === address);
  if (!found) throw new Error(`no ${address} among ${resources.map((r) => r.address).join(", ")}`);
  return found;
}

function lineOf(r: Resource, pointer: string): string | undefined {
  const at = locate(r, pointer);
  return at && `${at.file}:${at.line}`;
}

describe("lifecycle and depends_on (meta)", () => {
  it("keeps terragoat's ignore_changes, located (corpus)", () => {
    const { resources } = loadTerraform(
      readSources(path.join(corpusDir, "real/terragoat/terraform/aws")),
    );
    const db = resource(resources, "aws_db_instance.default");
    expect(db.meta).toEqual({ lifecycle: { ignore_changes: ["password"] } });
    expect(lineOf(db, "/$meta/lifecycle/ignore_changes/0")).toBe("db-app.tf:40");
    expect(db.config.lifecycle).toBeUndefined();
  });

  it("keeps a local module's lifecycle in each instance (terraform-aws-s3-bucket examples/object)", () => {
    const { resources } = loadTerraform(
      readSources(path.join(corpusDir, "real/terraform-aws-s3-bucket")).filter(
        (file) =>
          file.path.startsWith("examples/object/") || file.path.startsWith("modules/object/"),
      ),
    );
    const objects = resources.filter((r) => r.type === "aws_s3_object");
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) {
      expect(object.meta).toEqual({
        lifecycle: { ignore_changes: ["object_lock_retain_until_date"] },
      });
      expect(lineOf(object, "/$meta/lifecycle/ignore_changes")).toBe("modules/object/main.tf:49");
    }
  });

  it("evaluates prevent_destroy and create_before_destroy, keeps references as text", () => {
    const { resources, errors } = loadTerraform([
      {
        path: "main.tf",
        text: `resource "aws_s3_bucket" "b" {}
resource "aws_db_instance" "db" {
  engine     = "postgres"
  depends_on = [aws_s3_bucket.b]
  lifecycle {
    prevent_destroy       = true
    create_before_destroy = false
    ignore_changes        = [tags["Name"], engine_version]
    replace_triggered_by  = [aws_s3_bucket.b.id]
  }
}
resource "aws_instance" "all" {
  lifecycle {
    ignore_changes = all
  }
}
`,
      },
    ]);
    expect(errors).toEqual([]);
    const db = resource(resources, "aws_db_instance.db");
    expect(db.meta).toEqual({
      lifecycle: {
        prevent_destroy: true,
        create_before_destroy: false,
        ignore_changes: ['tags["Name"]', "engine_version"],
        replace_triggered_by: ["aws_s3_bucket.b.id"],
      },
      depends_on: ["aws_s3_bucket.b"],
    });
    expect(db.config).toEqual({ engine: "postgres" });
    expect(lineOf(db, "/$meta/lifecycle/prevent_destroy")).toBe("main.tf:6");
    expect(lineOf(db, "/$meta/lifecycle/ignore_changes/1")).toBe("main.tf:8");
    expect(lineOf(db, "/$meta/depends_on/0")).toBe("main.tf:4");
    expect(resource(resources, "aws_instance.all").meta).toEqual({
      lifecycle: { ignore_changes: "all" },
    });
    expect(resource(resources, "aws_s3_bucket.b").meta).toBeUndefined();
  });

  it("reads an override file's lifecycle and a .tf.json one", () => {
    const { resources, errors } = loadTerraform([
      {
        path: "main.tf",
        text: `resource "aws_db_instance" "db" {
  engine = "postgres"
  lifecycle {
    prevent_destroy = false
  }
}
`,
      },
      {
        path: "main_override.tf",
        text: `resource "aws_db_instance" "db" {
  lifecycle {
    prevent_destroy = true
  }
}
`,
      },
      {
        path: "other.tf.json",
        text: `{"resource": {"aws_s3_bucket": {"j": {"lifecycle": {"prevent_destroy": true, "ignore_changes": ["tags"]}}}}}`,
      },
    ]);
    expect(errors).toEqual([]);
    const db = resource(resources, "aws_db_instance.db");
    expect(db.meta).toEqual({ lifecycle: { prevent_destroy: true } });
    expect(lineOf(db, "/$meta/lifecycle/prevent_destroy")).toBe("main_override.tf:3");
    expect(resource(resources, "aws_s3_bucket.j").meta).toEqual({
      lifecycle: { prevent_destroy: true, ignore_changes: ["tags"] },
    });
  });
});
