// Variable values for root modules: `terraform.tfvars`, `*.auto.tfvars` (and their `.json`
// forms) in Terraform's order, plus files named by options. Only constants are allowed there.
import { parseHcl, type ScopeTraversalExpr } from "../hcl/index.js";
import type { LoadError } from "../../model/types.js";
import type { SourceFile } from "../source.js";
import type { EvaluationHost, ExpressionEvaluator, Resolution, Scope } from "./evaluate.js";
import { directoryOf } from "./modules.js";
import { plainValue, rangeOf, readJson, type JsonNode } from "../json/index.js";
import { MAX_JSON_DEPTH } from "./json.js";
import { at, type Evaluated, type Origin } from "./origin.js";
import { EvaluationError } from "./values.js";

const AUTO_VARIABLES =
  /(^|\/)(terraform\.tfvars|terraform\.tfvars\.json|[^/]+\.auto\.tfvars|[^/]+\.auto\.tfvars\.json)$/;

/** tfvars may hold only constants: any name is an error. */
const constantsOnly: Pick<EvaluationHost, "resolve" | "readFile"> = {
  resolve(traversal: ScopeTraversalExpr): Resolution | undefined {
    throw new EvaluationError(
      `variable files cannot refer to ${traversal.root}; only constant values are allowed`,
      "terraform-tfvars",
    );
  },
  readFile: () => undefined,
};

export function readVariableFile(
  file: SourceFile,
  evaluator: ExpressionEvaluator,
  report: (error: LoadError) => void,
): Map<string, Evaluated> {
  const values = new Map<string, Evaluated>();
  if (file.path.endsWith(".json")) return readJsonVariableFile(file, report);
  const parsed = parseHcl(file.text, file.path);
  parsed.errors.forEach(report);
  const host: EvaluationHost = { ...constantsOnly, report };
  const scope: Scope = { file: file.path, text: file.text, iteration: new Map(), host };
  for (const item of parsed.body.items) {
    if (item.kind === "Attribute")
      values.set(item.name, evaluator.evaluateReported(item.expr, scope));
    else
      report({
        file: file.path,
        line: item.line,
        column: item.column,
        message: `variable files hold only "name = value" assignments, not a ${item.type} block`,
        code: "terraform-tfvars",
      });
  }
  return values;
}

/** The variable files Terraform reads by itself for a root module in `directory`, in its order. */
export function automaticVariableFiles(
  files: readonly SourceFile[],
  directory: string,
): SourceFile[] {
  return files
    .filter((file) => directoryOf(file.path) === directory && AUTO_VARIABLES.test(file.path))
    .sort((a, b) => rank(a.path) - rank(b.path) || (a.path < b.path ? -1 : 1));
}

/** Terraform reads terraform.tfvars, then terraform.tfvars.json, then *.auto.tfvars(.json) in name order. */
function rank(path: string): number {
  if (path.endsWith("terraform.tfvars")) return 0;
  if (path.endsWith("terraform.tfvars.json")) return 1;
  return 2;
}

/** `*.tfvars.json`: one object of values, each element located where it is written. */
function readJsonVariableFile(
  file: SourceFile,
  report: (error: LoadError) => void,
): Map<string, Evaluated> {
  const values = new Map<string, Evaluated>();
  const json = readJson(file.text, MAX_JSON_DEPTH);
  if ("error" in json) {
    const { line, column, message } = json.error;
    report({ file: file.path, line, column, message, code: "terraform-tfvars" });
    return values;
  }
  const { root } = json;
  if (root.kind !== "object") {
    report({
      file: file.path,
      line: root.line,
      column: root.column,
      message: "a .tfvars.json file must hold one JSON object of variable values",
      code: "terraform-tfvars",
    });
    return values;
  }
  const originOf = (node: JsonNode): Origin => {
    const origin = at(file.path, rangeOf(node));
    if (node.kind === "object")
      origin.items = new Map(
        node.members.map((member) => [member.key.value, originOf(member.value)]),
      );
    else if (node.kind === "array")
      origin.items = new Map(node.elements.map((element, i) => [String(i), originOf(element)]));
    return origin;
  };
  for (const { key, value } of root.members)
    values.set(key.value, { value: plainValue(value), origin: originOf(value) });
  return values;
}
