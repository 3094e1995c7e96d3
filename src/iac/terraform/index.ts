// The Terraform loader's only door: all repository files in, the evaluated resource model out.
// Every directory of `.tf` files is a module; roots are evaluated with their tfvars, local child
// modules with their bound inputs; remote module calls are recorded, not fetched.
import type { ScopeTraversalExpr } from "../hcl/index.js";
import { parseHcl } from "../hcl/index.js";
import type { LoadError, Resource, Value } from "../../model/types.js";
import type { SourceFile } from "../source.js";
import { ExpressionEvaluator, type EvaluationHost, type Resolution, type Scope } from "./evaluate.js";
import { ModuleInstance, type LoadContext, type ModuleCallRecord } from "./instance.js";
import { directoryOf, discoverModules } from "./modules.js";
import { at, type Evaluated } from "./origin.js";
import { EvaluationError } from "./values.js";

export type { ModuleCallRecord } from "./instance.js";
export { renderPolicyDocument, type RenderedPolicyDocument } from "./policy-document.js";

export interface TerraformOptions {
  /** Extra variable files (`-var-file`), repository paths, applied to every root module after its own tfvars. */
  variableFiles?: string[];
  /** Variable values (`-var`), applied to every root module last. */
  variables?: { [name: string]: Value };
}

export interface TerraformModel {
  resources: Resource[];
  errors: LoadError[];
  /** Every module call evaluated, local or remote. */
  moduleCalls: ModuleCallRecord[];
}

const AUTO_VARIABLES = /(^|\/)(terraform\.tfvars|terraform\.tfvars\.json|[^/]+\.auto\.tfvars|[^/]+\.auto\.tfvars\.json)$/;

/** tfvars may hold only constants: any name is an error. */
const constantsOnly: Pick<EvaluationHost, "resolve" | "readFile"> = {
  resolve(traversal: ScopeTraversalExpr): Resolution | undefined {
    throw new EvaluationError(`variable files cannot refer to ${traversal.root}; only constant values are allowed`, "terraform-tfvars");
  },
  readFile: () => undefined,
};

function readVariableFile(file: SourceFile, evaluator: ExpressionEvaluator, report: (error: LoadError) => void): Map<string, Evaluated> {
  const values = new Map<string, Evaluated>();
  if (file.path.endsWith(".json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(file.text);
    } catch (error) {
      report({ file: file.path, line: 1, column: 1, message: `variable file is not valid JSON: ${(error as Error).message}`, code: "terraform-tfvars" });
      return values;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      report({ file: file.path, line: 1, column: 1, message: "variable file must hold a JSON object of variable values", code: "terraform-tfvars" });
      return values;
    }
    const lines = file.text.split("\n");
    for (const [name, value] of Object.entries(parsed as { [key: string]: Value })) {
      const line = Math.max(lines.findIndex((text) => text.includes(JSON.stringify(name))), 0) + 1;
      values.set(name, { value, origin: at(file.path, { line, column: 1, endLine: line, endColumn: 1, start: 0, end: 0 }) });
    }
    return values;
  }
  const parsed = parseHcl(file.text, file.path);
  parsed.errors.forEach(report);
  const host: EvaluationHost = { ...constantsOnly, report };
  const scope: Scope = { file: file.path, text: file.text, iteration: new Map(), host };
  for (const item of parsed.body.items) {
    if (item.kind === "Attribute") values.set(item.name, evaluator.evaluateReported(item.expr, scope));
    else report({ file: file.path, line: item.line, column: item.column, message: `variable files hold only "name = value" assignments, not a ${item.type} block`, code: "terraform-tfvars" });
  }
  return values;
}

/**
 * Loads every Terraform module in `files` (all repository files: `file()` may read any of them)
 * into resources. Never throws for bad input: problems come back as located errors and the rest
 * of the repository still loads.
 */
export function loadTerraform(files: SourceFile[], options: TerraformOptions = {}): TerraformModel {
  const errors = new Map<string, LoadError>();
  const report = (error: LoadError): void => {
    const key = `${error.file}:${error.line}:${error.column}:${error.code}`;
    if (!errors.has(key)) errors.set(key, error);
  };
  const resources: Resource[] = [];
  const moduleCalls: ModuleCallRecord[] = [];
  const discovery = discoverModules(files);
  discovery.errors.forEach(report);
  const evaluator = new ExpressionEvaluator();
  const context: LoadContext = {
    evaluator,
    modules: discovery.modules,
    files: discovery.files,
    report,
    emit: (resource) => resources.push(resource),
    recordModuleCall: (call) => moduleCalls.push(call),
    instanceCount: 0,
    resolutionDepth: 0,
  };

  const extraFiles: SourceFile[] = [];
  for (const path of options.variableFiles ?? []) {
    const file = discovery.files.get(path);
    if (file) extraFiles.push(file);
    else report({ file: path, line: 1, column: 1, message: `variable file ${JSON.stringify(path)} is not among the repository files`, code: "terraform-missing-variable-file" });
  }

  for (const directory of discovery.roots) {
    const definition = discovery.modules.get(directory);
    if (!definition) continue;
    const variableFiles = files
      .filter((file) => directoryOf(file.path) === directory && AUTO_VARIABLES.test(file.path))
      .sort((a, b) => rank(a.path) - rank(b.path) || (a.path < b.path ? -1 : 1));
    const rootValues = new Map<string, Evaluated>();
    for (const file of [...variableFiles, ...extraFiles]) {
      for (const [name, value] of readVariableFile(file, evaluator, report)) {
        if (definition.variables.has(name)) rootValues.set(name, value);
      }
    }
    for (const [name, value] of Object.entries(options.variables ?? {})) {
      if (definition.variables.has(name)) rootValues.set(name, { value, origin: at(definition.files[0]?.path ?? directory, definition.files[0]?.body ?? zeroRange) });
    }
    context.instanceCount++;
    const before = resources.length;
    try {
      new ModuleInstance(context, definition, "", new Map(), rootValues, 0, []).load();
    } catch (error) {
      // Every known failure is a located value already; this keeps one root's defect from hiding the others.
      if (!(error instanceof Error)) throw error;
      resources.length = before;
      context.resolutionDepth = 0;
      const first = definition.files[0];
      report({ file: first?.path ?? directory, line: 1, column: 1, message: `the module in ${directory || "the repository root"} could not be evaluated (${error.message}); its resources are left out`, code: "terraform-internal" });
    }
  }
  return { resources, errors: [...errors.values()], moduleCalls };
}

const zeroRange = { line: 1, column: 1, endLine: 1, endColumn: 1, start: 0, end: 0 };

/** Terraform reads terraform.tfvars, then terraform.tfvars.json, then *.auto.tfvars(.json) in name order. */
function rank(path: string): number {
  if (path.endsWith("terraform.tfvars")) return 0;
  if (path.endsWith("terraform.tfvars.json")) return 1;
  return 2;
}

