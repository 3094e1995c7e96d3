// Variable values for root modules: `terraform.tfvars`, `*.auto.tfvars` (and their `.json`
// forms) in Terraform's order, plus files named by options. Only constants are allowed there.
import { parseHcl, type ScopeTraversalExpr } from "../hcl/index.js";
import type { LoadError } from "../../model/types.js";
import type { SourceFile } from "../source.js";
import type { EvaluationHost, ExpressionEvaluator, Resolution, Scope } from "./evaluate.js";
import { directoryOf } from "./modules.js";
import type { PathSegment } from "../../model/pointer.js";
import { parseJsonWithPositions } from "./json.js";
import { at, originTree, type Evaluated, type Origin } from "./origin.js";
import { EvaluationError, isObject } from "./values.js";

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

/** `*.tfvars.json`: one object of values, each element located at its line in the file. */
function readJsonVariableFile(
  file: SourceFile,
  report: (error: LoadError) => void,
): Map<string, Evaluated> {
  const values = new Map<string, Evaluated>();
  const parsed = parseJsonWithPositions(file.text);
  if (!parsed || !isObject(parsed.value)) {
    report({
      file: file.path,
      line: 1,
      column: 1,
      message: "a .tfvars.json file must hold one JSON object of variable values",
      code: "terraform-tfvars",
    });
    return values;
  }
  const lineStarts = [0];
  for (let i = 0; i < file.text.length; i++) if (file.text[i] === "\n") lineStarts.push(i + 1);
  const position = (offset: number): { line: number; column: number } => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((lineStarts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - (lineStarts[low] as number) + 1 };
  };
  const origins = new Map<string, { path: PathSegment[]; origin: Origin }[]>();
  for (const element of parsed.elements) {
    const [name, ...rest] = element.path;
    if (typeof name !== "string") continue;
    const start = position(element.start);
    const end = position(element.end);
    const origin = at(file.path, {
      ...start,
      endLine: end.line,
      endColumn: end.column,
      start: element.start,
      end: element.end,
    });
    const list = origins.get(name) ?? [];
    list.push({ path: rest, origin });
    origins.set(name, list);
  }
  for (const [name, value] of Object.entries(parsed.value)) {
    const entries = origins.get(name) ?? [];
    const root =
      entries.find((entry) => entry.path.length === 0)?.origin ??
      at(file.path, { line: 1, column: 1, endLine: 1, endColumn: 1, start: 0, end: 0 });
    values.set(name, {
      value,
      origin: originTree(
        root,
        entries.filter((entry) => entry.path.length > 0),
      ),
    });
  }
  return values;
}
