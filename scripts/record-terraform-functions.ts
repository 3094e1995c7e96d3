// Records what a real Terraform makes of each expression in the built-in functions table
// (src/iac/terraform/fixtures/terraform-functions.json), so that the tests compare our evaluator
// with Terraform without Terraform on the test machine. Each expression runs in its own
// `terraform console` (the console stops at the first error); a row's `differs` note is kept.
// Usage: npx tsx scripts/record-terraform-functions.ts [more-expressions.txt]
//   (with a text file, one expression a line, only those not yet in the table are added and recorded)

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { format } from "prettier";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One row of the table, as src/iac/terraform/terraform-functions.test.ts reads it. */
interface FunctionRow {
  expression: string;
  /** Terraform's value, its error, or `unknown` where the console prints (known after apply). */
  terraform: { value: Json } | { error: string } | { unknown: true };
  /** Why Tollgate's result differs from Terraform's (a limit or a difference left). */
  differs?: string;
}

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const tablePath = path.join(root, "src/iac/terraform/fixtures/terraform-functions.json");

function record(expression: string, directory: string): FunctionRow["terraform"] {
  // base64 keeps the console's own quoting of strings out of the way.
  const run = spawnSync("terraform", ["console", "-no-color"], {
    cwd: directory,
    input: `base64encode(jsonencode(${expression}))\n`,
    encoding: "utf8",
    env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", TF_IN_AUTOMATION: "1" },
  });
  const printed = run.stdout.trim();
  if (run.status === 0 && printed === "(known after apply)") return { unknown: true };
  if (run.status === 0 && /^"[A-Za-z0-9+/=]*"$/.test(printed))
    return { value: JSON.parse(Buffer.from(printed.slice(1, -1), "base64").toString("utf8")) };
  const text = `${run.stdout}\n${run.stderr}`;
  const summary = /Error: (.*)/.exec(text)?.[1] ?? "failed";
  const detail = text
    .split("\n")
    .slice(text.split("\n").findIndex((line) => line.includes("(source code not available)")) + 1)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join(" ");
  return { error: `${summary}: ${detail}` };
}

const version = execFileSync("terraform", ["version"], {
  encoding: "utf8",
  env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null" },
}).split("\n")[0];
const rows = JSON.parse(readFileSync(tablePath, "utf8")) as FunctionRow[];
const extra = process.argv[2];
const added: FunctionRow[] = [];
if (extra !== undefined) {
  const known = new Set(rows.map((row) => row.expression));
  for (const expression of readFileSync(extra, "utf8").split("\n"))
    if (expression.trim() !== "" && !known.has(expression)) {
      known.add(expression);
      added.push({ expression, terraform: { error: "not recorded" } });
    }
}
const directory = mkdtempSync(path.join(tmpdir(), "tollgate-terraform-functions-"));
try {
  for (const row of extra === undefined ? rows : added)
    row.terraform = record(row.expression, directory);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
const table = [...rows, ...added];
writeFileSync(tablePath, await format(JSON.stringify(table, null, 2), { parser: "json" }));
console.log(
  `${extra === undefined ? table.length : added.length} expressions recorded with ${version}`,
);
