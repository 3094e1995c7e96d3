// Root variables that take their `default` though every deployment may give another value
// (`-var`, `TF_VAR_x`, a pipeline's own tfvars): nothing the loader reads gives them one, and no
// `validation` leaves one value. A `count` or `for_each` that such a default makes empty does not
// make the block absent: it exists in the deployments that override the default, so the block is
// kept as one undecided instance under the condition "var.env is not "dev"" (instance.ts).
// A child module's variable left to its default is no such variable: its caller decides it.
import type { Block, Expression } from "../hcl/index.js";
import type { SourceLocation } from "../../model/types.js";
import { sourceText } from "./evaluate.js";
import { attributeOf, type ModuleDefinition } from "./modules.js";

export interface OverridableDefault {
  name: string;
  /** Where the `default` argument is written: a value read from it was located inside. */
  at: SourceLocation;
  /** The default as the condition names it: its text when short and plain, else `its default`. */
  text: string;
}

/** A default's text longer than this (a map of rules) is named `its default`. */
const MAX_DEFAULT_TEXT = 40;

/**
 * The variables of root module `root` that take their `default` and may be given another value:
 * not in `given` (tfvars, `-var-file`, `-var`), not pinned by a `validation` that accepts one
 * value (`var.env == "prod"`, `contains(["prod"], var.env)`).
 */
export function overridableDefaults(
  root: ModuleDefinition,
  given: ReadonlyMap<string, unknown>,
): OverridableDefault[] {
  const found: OverridableDefault[] = [];
  for (const [name, { node, file }] of root.variables) {
    const written = attributeOf(node.body, "default");
    if (written === undefined || given.has(name) || pinnedByValidation(node, name)) continue;
    const text = sourceText(written.expr, file);
    const sensitive = attributeOf(node.body, "sensitive");
    const plain =
      text.length <= MAX_DEFAULT_TEXT &&
      /^[^\s()]+$/.test(text) &&
      !(sensitive && !(sensitive.expr.kind === "Literal" && sensitive.expr.value === false));
    found.push({
      name,
      at: {
        file: file.path,
        line: written.line,
        column: written.column,
        endLine: written.endLine,
        endColumn: written.endColumn,
      },
      text: plain ? text : "its default",
    });
  }
  return found;
}

/** Of `defaults`, those whose value `reads` (where what an expression read is written) read. */
export function defaultsRead(
  defaults: readonly OverridableDefault[],
  reads: readonly SourceLocation[],
): OverridableDefault[] {
  return defaults.filter(({ at }) =>
    reads.some(
      (read) =>
        read.file === at.file &&
        after(read.line, read.column, at.line, at.column) &&
        after(at.endLine ?? at.line, at.endColumn ?? at.column, read.line, read.column),
    ),
  );
}

/**
 * The condition under which a block whose `count` or `for_each` `read` made empty exists: one of
 * them overridden (`not var.env is "dev"`, said "var.env is not "dev""). A default no condition
 * can name as one word is named by an opaque text (`var.rules is not its default`).
 */
export function overriddenCondition(read: readonly OverridableDefault[]): string {
  return read
    .map(({ name, text }) =>
      text === "its default" ? `var.${name} is not its default` : `not var.${name} is ${text}`,
    )
    .join(" or ");
}

function after(line: number, column: number, fromLine: number, fromColumn: number): boolean {
  return line > fromLine || (line === fromLine && column >= fromColumn);
}

/** A `validation` block whose condition accepts one value of the variable. */
function pinnedByValidation(declared: Block, name: string): boolean {
  const isVariable = (expr: Expression): boolean =>
    expr.kind === "ScopeTraversal" &&
    expr.root === "var" &&
    expr.steps.length === 1 &&
    expr.steps[0]?.kind === "TraverseAttr" &&
    expr.steps[0].name === name;
  const constant = (expr: Expression): boolean =>
    expr.kind === "Literal" ||
    (expr.kind === "Template" && expr.parts.every((part) => part.kind === "TemplateLiteral"));
  return declared.body.items.some((item) => {
    if (item.kind !== "Block" || item.type !== "validation") return false;
    let condition = attributeOf(item.body, "condition")?.expr;
    while (condition?.kind === "Parens") condition = condition.expr;
    if (condition === undefined) return false;
    if (condition.kind === "Binary" && condition.op === "==")
      return (
        (isVariable(condition.left) && constant(condition.right)) ||
        (isVariable(condition.right) && constant(condition.left))
      );
    if (condition.kind === "FunctionCall" && condition.name === "contains") {
      const [list, value] = condition.args;
      return (
        list?.kind === "Tuple" &&
        list.elements.length === 1 &&
        list.elements.every(constant) &&
        value !== undefined &&
        isVariable(value)
      );
    }
    return false;
  });
}
