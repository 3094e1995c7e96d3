// Terraform's built-in functions against what Terraform v1.11 itself gives for the same literal
// inputs, recorded in fixtures/terraform-functions.json by scripts/record-terraform-functions.ts.
// A row marked `differs` says why Tollgate's result is not Terraform's (a limit or a difference
// left); it must still differ, so that fixing it means removing the mark.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { containsUnknown } from "../../model/values.js";
import type { Value } from "../../model/types.js";
import { loadTerraform } from "./index.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface FunctionRow {
  expression: string;
  terraform: { value: Json } | { error: string } | { unknown: true };
  differs?: string;
}

type Outcome = { value: Value } | { error: string } | { unknown: true };

const here = path.dirname(fileURLToPath(import.meta.url));
const rows = JSON.parse(
  readFileSync(path.join(here, "fixtures/terraform-functions.json"), "utf8"),
) as FunctionRow[];

/** What Tollgate makes of `expression` as a resource argument. */
function tollgateOutcome(expression: string): Outcome {
  const { resources, errors } = loadTerraform([
    { path: "main.tf", text: `resource "null_resource" "r" {\n  v = ${expression}\n}\n` },
  ]);
  const failure = errors.find((error) => error.level === undefined);
  if (failure) return { error: `${failure.code}: ${failure.message}` };
  const value = resources[0]?.config.v ?? null;
  return containsUnknown(value) ? { unknown: true } : { value };
}

/** JSON text with object keys sorted, as Terraform's jsonencode writes an object. */
function canonical(value: Value): string {
  return JSON.stringify(value, (_key, field: unknown) => {
    if (field === null || typeof field !== "object" || Array.isArray(field)) return field;
    const object = field as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(object)
        .sort()
        .map((key) => [key, object[key]]),
    );
  });
}

function agrees(terraform: FunctionRow["terraform"], tollgate: Outcome): boolean {
  if ("error" in terraform) return "error" in tollgate;
  if ("unknown" in terraform) return "unknown" in tollgate;
  return "value" in tollgate && canonical(tollgate.value) === canonical(terraform.value);
}

describe("built-in functions as Terraform v1.11 computes them", () => {
  it("has recorded rows", () => {
    expect(rows.length).toBeGreaterThan(300);
  });

  it.each(rows.filter((row) => row.differs === undefined))("$expression", (row) => {
    const tollgate = tollgateOutcome(row.expression);
    expect(agrees(row.terraform, tollgate), JSON.stringify(tollgate)).toBe(true);
  });

  it.each(rows.filter((row) => row.differs !== undefined))(
    "$expression differs: $differs",
    (row) => {
      expect(agrees(row.terraform, tollgateOutcome(row.expression))).toBe(false);
    },
  );
});
