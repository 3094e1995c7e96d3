// Static evaluation of one HCL expression to a Value and its Origin: operators, templates,
// for-expressions, splats, indexing and function calls, with unknowns propagating explicitly.
// Names (var, local, resources, modules) are resolved by the host, so this file knows no modules.
// Hostile input ends at a located limit (steps, elements, text length), far above real use: the
// largest collection in corpus/real and the kics fixtures holds 779 elements, the cap 100,000.
import type {
  BinaryExpr,
  Expression,
  ForExpr,
  FunctionCallExpr,
  Range,
  ScopeTraversalExpr,
  SplatExpr,
  TemplateLiteral,
  TemplatePart,
  TraversalStep,
} from "../hcl/ast.js";
import {
  isUnknown,
  unknown,
  type LoadError,
  type SourceLocation,
  type UnknownValue,
  type Value,
} from "../../model/types.js";
import {
  callFunction,
  elementIndex,
  isTerraformFunction,
  type FunctionContext,
} from "./functions.js";
import {
  at,
  childOrigin,
  chosenAt,
  instanceAttribute,
  readOrigin,
  referredBy,
  type Evaluated,
  type Origin,
  toSourceLocation,
  type TextSegment,
} from "./origin.js";
import { isIacCandidate } from "../files.js";
import { unifiedResult } from "./unify.js";
import { decodedOrigin } from "./decoded.js";
import {
  compareNumbers,
  exactArithmetic,
  isCarriedNumber,
  literalNumber,
  negated,
  type ArithmeticOperator,
  type TerraformNumber,
} from "./numbers.js";
import {
  collectionTypeOf,
  functionResultType,
  retyped,
  typedEquals,
  withCollectionType,
  type CollectionType,
  type TypeKind,
} from "./collection-types.js";
import type { FilesetResult } from "./fileset.js";
import { settleJsonTemplate, unknownMarker } from "./json-template.js";
import { joinPath } from "./modules.js";
import { OPAQUE_WORKSPACE_READ, WORKSPACE_EXPRESSION, type WorkspaceRead } from "./workspaces.js";
import { literalFileRead } from "./references.js";
import { parseTemplateFile, type ParsedTemplate } from "./template-file.js";
import {
  isPartial,
  isPartialList,
  isRest,
  mapRest,
  partialList,
  partialMap,
  restElement,
} from "./partial.js";
import {
  EvaluationError,
  describe,
  firstIndexOf,
  isObject,
  sortedKeys,
  toBoolValue,
  toNumberValue,
  toStringValue,
  unifiedPrimitives,
  valuesEqual,
  type ValueObject,
} from "./values.js";

/** Steps one top-level evaluation may take before it gives up (a for-expression bomb must not hang). */
export const EVALUATION_BUDGET = 2_000_000;
/**
 * Elements one top-level evaluation may build (for-expression and splat elements, filtered or
 * kept) and a value it gives, or a function is given, may hold, a part held twice counted twice:
 * nested for-expressions or locals that each double a collection must stop at a located error,
 * not after minutes or out of memory. The largest in corpus/real (all five projects) and the kics
 * Terraform fixtures, per evaluation: 779 held (terraform-aws-security-group's rules map), 26
 * built, in 1,095 steps.
 */
export const MAX_ELEMENTS = 100_000;
/**
 * The same for elements of data decoded from text (`jsondecode`, `yamldecode`, `csvdecode`, most
 * often of a `file()`) and those a for-expression or splat builds over it, one per element it
 * iterates. A 2 MiB file (the size limit) of realistic rows, 8 bytes or more a field, decodes to
 * fewer than 270,000, so a legitimate data file and what is made of it row by row stay known.
 * Only degenerate text decodes to more (a 2 MB JSON of 1,000,000 zeros). The bound also bounds
 * cost: at 4,000,000 that file fed through 12 chained for-expressions in 8 workspaces took 54 s
 * and 1.7 GB; at 300,000 it stops at once (1.3 s). Each evaluation has its own bound: what a
 * whole root may spend is MAX_ROOT_ELEMENTS.
 */
export const MAX_DATA_ELEMENTS = 300_000;
/**
 * Elements one root module may build (for-expressions, splats and template `for`s, over data or
 * not), decode (`jsondecode`, `yamldecode`, `csvdecode`) and give to or get from other functions
 * (`READS_IN_PLACE` aside) in all: its evaluation of record and every workspace
 * world together share it (`startRoot`), so locals chained over data, or evaluated once per
 * workspace, cannot multiply the per-evaluation bounds. A 2 MiB data file decodes to fewer than
 * 270,000 elements and a for-expression over its rows builds one per row. A chain of 12 locals
 * over 190,000 strings in 8 workspaces stops at the fifth, in the evaluation of record: its scan
 * took 25 s of CPU and 1.2 GB, 362 s and 3.2 GB before (policy compilation about 13 s of each).
 */
export const MAX_ROOT_ELEMENTS = 1_000_000;
const MAX_TEXT = 10_000_000;
/** A path argument written from `path.module` or `path.root`, bare or leading a template. */
const PATH_ATTRIBUTE = /^"?(\$\{\s*)?path\.(module|root)\b/;

/** An evaluation error that knows where it happened. */
export class LocatedEvaluationError extends EvaluationError {
  constructor(
    message: string,
    code: string,
    readonly file: string,
    readonly range: Range,
    failsPlan = false,
  ) {
    super(message, code, failsPlan);
  }
}

/**
 * A file a call names that was not read: named above the top of the files read (outside the
 * repository, or above the CLI's folder) or by an absolute path; or looked for in the module's
 * `directory`, a root module's or not (Terraform reads a path without `${path.module}/` from the
 * root module's folder).
 */
export type MissingFile = { outside: true } | { outside: false; directory: string; root: boolean };

/** What the host resolved a traversal's root to, and how many of its steps it consumed. */
export interface Resolution {
  result: Evaluated;
  consumed: number;
}

export interface EvaluationHost {
  /** `var.x`, `local.y`, `aws_s3_bucket.b`, `module.m.out`, `data.t.n`, `path.module`...; undefined for an unknown name. */
  resolve(traversal: ScopeTraversalExpr, scope: Scope): Resolution | undefined;
  /** A file named by `file()`/`templatefile()`, relative to the module: its repository path and text. */
  readFile(path: string): { path: string; text: string } | undefined;
  /**
   * Why a file `readFile` does not give is not there, for a host that can tell; without it, every
   * such file is one the fetch stage did not give (too large, binary, not a name it reads).
   */
  missingFile?(path: string): MissingFile | undefined;
  /**
   * Whether the fetch stage's listing shows no file at the repository path `written` (`..` steps
   * kept), is there or may be (false), or does not cover it (undefined); see `listedAbsent`.
   */
  listedAbsent?(written: string): boolean | undefined;
  /**
   * `fileset(path, pattern)`: `path` as `written`, from `path.module`/`path.root` (repository
   * paths here), a literal (relative to the root module, as Terraform reads it) or either.
   * Undefined for a host that lists no files.
   */
  fileset?(path: string, pattern: string, written: "repository" | "root" | "either"): FilesetResult;
  /** The file at this repository path, exactly, if it was read. */
  repositoryFile?(path: string): { path: string; text: string } | undefined;
  report(error: LoadError): void;
  /** Records that the expression being evaluated reads these addresses (a bound variable's source). */
  refer?(addresses: Iterable<string>): void;
  /**
   * `aws_s3_bucket.logs[each.key]` with the key known: the one instance of that key, referred to
   * alone; undefined when the traversal is not a resource with that instance.
   */
  resolveInstance?(traversal: ScopeTraversalExpr, key: Value): Evaluated | undefined;
  /**
   * The type `var.x` is declared of, as Terraform writes it (`list(number)`), without reading the
   * variable; undefined for any other traversal or a type Tollgate does not write out.
   */
  declaredType?(traversal: ScopeTraversalExpr): string | undefined;
  /** Runs `run`, returning also where the variables and locals it read are written. */
  readsDuring?<T>(run: () => T): { result: T; reads: SourceLocation[] };
}

/**
 * An iteration variable's value; `reads` lists, by first step (`value` of `each`), the addresses
 * a read through that step refers to, when the value itself cannot show them.
 */
export interface Bound extends Evaluated {
  reads?: ReadonlyMap<string, readonly string[]>;
  /** A read through the variable refers to the resources what it reads was read from (`Origin.refers`). */
  tracesReads?: boolean;
}

export interface Scope {
  /** File the expression is written in, and its text (for `$unknown` source excerpts). */
  file: string;
  text: string;
  /** `count`, `each`, for-expression and dynamic-block iterator variables. */
  iteration: ReadonlyMap<string, Bound>;
  host: EvaluationHost;
}

/** Marks collections whose missing attributes are unknown rather than errors (resources, data sources). */
const openValues = new WeakSet<object>();

/** Marks a value open; what is inside becomes open as a step reaches it. */
export function markOpen(value: Value): Value {
  if (typeof value === "object" && value !== null && !isUnknown(value)) openValues.add(value);
  return value;
}

export class ExpressionEvaluator {
  private steps = 0;
  /**
   * While set, the workspace names the expressions evaluated compare `terraform.workspace` with
   * or index a map by it with (workspaces.ts), each where it was first read.
   */
  workspaceNames?: Map<string, WorkspaceRead>;
  /** Elements built so far in this top-level evaluation (MAX_ELEMENTS), and over data (MAX_DATA_ELEMENTS). */
  private built = 0;
  private builtOverData = 0;
  /** Elements built and decoded so far by the current root module's evaluations (MAX_ROOT_ELEMENTS). */
  private rootElements = 0;
  private rootBudget = MAX_ROOT_ELEMENTS;

  /**
   * Starts the budget of a root module, `budget` elements (MAX_ROOT_ELEMENTS; tests give less):
   * every evaluation until the next call, its evaluation of record and every workspace world,
   * spends from it.
   */
  startRoot(budget = MAX_ROOT_ELEMENTS): void {
    this.rootElements = 0;
    this.rootBudget = budget;
  }

  /** Evaluates a top-level expression with a fresh step budget; errors are reported and the value becomes unknown. */
  evaluateReported(expr: Expression, scope: Scope): Evaluated {
    const saved = { steps: this.steps, built: this.built, builtOverData: this.builtOverData };
    this.steps = 0;
    this.built = 0;
    this.builtOverData = 0;
    try {
      const result = this.evaluate(expr, scope);
      const held = heldElements(result.value);
      if (overLimit(held)) throw tooManyElements(scope.file, expr, held);
      return result;
    } catch (error) {
      if (!(error instanceof EvaluationError)) throw error;
      const where =
        error instanceof LocatedEvaluationError ? error : { file: scope.file, range: expr };
      scope.host.report({
        file: where.file,
        line: where.range.line,
        column: where.range.column,
        message: error.message,
        code: error.code,
        ...(error.failsPlan && { failsPlan: true }),
      });
      return { value: unknown(sourceText(expr, scope)), origin: at(scope.file, expr) };
    } finally {
      this.steps = saved.steps;
      this.built = saved.built;
      this.builtOverData = saved.builtOverData;
    }
  }

  /**
   * Counts an element a for-expression or splat builds against MAX_ELEMENTS, or against
   * MAX_DATA_ELEMENTS when it iterates data decoded from text.
   */
  private build(expr: Range, scope: Scope, overData: boolean): void {
    this.spend(1, expr, scope);
    if (overData) {
      if (++this.builtOverData > MAX_DATA_ELEMENTS)
        throw tooManyElements(scope.file, expr, { elements: 0, data: this.builtOverData });
    } else if (++this.built > MAX_ELEMENTS)
      throw tooManyElements(scope.file, expr, { elements: this.built, data: 0 });
  }

  /** Spends `count` elements of the root module's budget (MAX_ROOT_ELEMENTS). */
  private spend(count: number, expr: Range, scope: Scope): void {
    this.rootElements += count;
    if (this.rootElements > this.rootBudget)
      throw new LocatedEvaluationError(
        `this root module's evaluations (every workspace's together) build, decode and walk more than ${this.rootBudget} elements; this expression is treated as unknown`,
        "terraform-limit",
        scope.file,
        expr,
      );
  }

  evaluate(expr: Expression, scope: Scope): Evaluated {
    if (++this.steps > EVALUATION_BUDGET) {
      throw new LocatedEvaluationError(
        `evaluation exceeded ${EVALUATION_BUDGET} steps; the expression is treated as unknown`,
        "terraform-limit",
        scope.file,
        expr,
      );
    }
    try {
      return this.evaluateNode(expr, scope);
    } catch (error) {
      if (error instanceof EvaluationError && !(error instanceof LocatedEvaluationError)) {
        throw new LocatedEvaluationError(
          error.message,
          error.code,
          scope.file,
          expr,
          error.failsPlan,
        );
      }
      throw error;
    }
  }

  private evaluateNode(expr: Expression, scope: Scope): Evaluated {
    // Origins are made where returned, not up front: most nodes return another node's.
    switch (expr.kind) {
      case "Literal":
        return {
          value: typeof expr.value === "number" ? literalNumber(expr.raw, expr.value) : expr.value,
          origin: at(scope.file, expr),
        };
      case "Template": {
        // `parts` may be made on each read (a quoted string without interpolations).
        const parts = expr.parts;
        if (parts.length === 1 && parts[0]?.kind === "TemplateInterpolation") {
          return this.evaluate(parts[0].expr, scope);
        }
        return this.template(parts, expr, scope);
      }
      case "Heredoc":
        return this.template(expr.parts, expr, scope);
      case "Tuple": {
        const items = new Map<string, Origin>();
        const value = expr.elements.map((element, i) => {
          const result = this.evaluate(element, scope);
          items.set(String(i), result.origin);
          return result.value;
        });
        return { value, origin: { file: scope.file, range: expr, items } };
      }
      case "Object": {
        const items = new Map<string, Origin>();
        const value: ValueObject = {};
        for (const item of expr.items) {
          const key =
            item.keyName === null ? this.evaluate(item.key, scope).value : nfc(item.keyName);
          if (isUnknown(key))
            return { value: unknown(sourceText(expr, scope)), origin: at(scope.file, expr) };
          const name = toStringValue(key, "object key") as string;
          const result = this.evaluate(item.value, scope);
          value[name] = result.value;
          items.set(name, result.origin);
        }
        return { value, origin: { file: scope.file, range: expr, items } };
      }
      case "ScopeTraversal":
        return this.traversal(expr, scope);
      case "FunctionCall":
        return this.call(expr, scope);
      case "Index": {
        const { collection: indexed } = expr;
        if (indexed.kind === "ScopeTraversal" && !scope.iteration.has(indexed.root)) {
          // The key first: a resource read at one known key is read at that instance alone.
          const key = this.evaluate(expr.key, scope).value;
          const instance = isUnknown(key) ? undefined : scope.host.resolveInstance?.(indexed, key);
          if (instance) return instance;
          const collection = this.evaluate(indexed, scope);
          if (isUnknown(key)) {
            this.noteWorkspaceKeys(key, collection.value, expr, scope);
            return { value: unknown(sourceText(expr, scope)), origin: at(scope.file, expr) };
          }
          return this.step(collection, key, expr, scope);
        }
        const collection = this.evaluate(expr.collection, scope);
        const key = this.evaluate(expr.key, scope).value;
        if (isUnknown(key)) {
          this.noteWorkspaceKeys(key, collection.value, expr, scope);
          return { value: unknown(sourceText(expr, scope)), origin: at(scope.file, expr) };
        }
        return this.step(collection, key, expr, scope);
      }
      case "GetAttr":
        return this.step(this.evaluate(expr.object, scope), expr.name, expr, scope);
      case "Splat":
        return this.splat(expr, scope);
      case "SplatItem": {
        const item = scope.iteration.get(SPLAT_ITEM);
        if (!item)
          throw new EvaluationError("splat element used outside a splat", "terraform-syntax");
        return item;
      }
      case "For":
        return this.forExpression(expr, scope);
      case "Conditional": {
        const evaluate = (): Evaluated => this.evaluate(expr.condition, scope);
        const { result: decided, reads } = scope.host.readsDuring?.(evaluate) ?? {
          result: evaluate(),
          reads: [],
        };
        const condition = decided.value;
        if (isUnknown(condition))
          return { value: unknown(sourceText(expr, scope)), origin: at(scope.file, expr) };
        if (condition === null)
          throw new EvaluationError(
            "the condition is null; true or false is required",
            "terraform-type",
          );
        const chosen = toBoolValue(condition, "condition") ? expr.trueExpr : expr.falseExpr;
        // The value passed through the condition: where it and what it read are written.
        const text = sourceText(expr.condition, scope);
        const name = `the condition ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
        const places = [toSourceLocation(at(scope.file, expr.condition)), ...reads];
        const result = this.evaluate(chosen, scope);
        const whenTrue = chosen === expr.trueExpr;
        const unified = unifiedResult(
          { expr: chosen, value: result.value },
          whenTrue ? expr.falseExpr : expr.trueExpr,
          whenTrue,
          (traversal) => scope.host.declaredType?.(traversal),
        );
        return chosenAt(
          { ...result, value: typedResult(result.value, unified.value, unified.type, chosen) },
          name,
          places,
        );
      }
      case "Binary":
        return {
          value: this.binary(
            expr.op,
            this.evaluate(expr.left, scope).value,
            this.evaluate(expr.right, scope).value,
            expr,
            scope,
          ),
          origin: at(scope.file, expr),
        };
      case "Unary": {
        const operand = this.evaluate(expr.operand, scope).value;
        if (expr.op === "-" && isCarriedNumber(operand))
          return { value: negated(operand, sourceText(expr, scope)), origin: at(scope.file, expr) };
        if (isUnknown(operand))
          return { value: unknown(sourceText(expr, scope)), origin: at(scope.file, expr) };
        const value =
          expr.op === "!"
            ? !toBoolValue(operand, "operand of !")
            : -(toNumberValue(operand, "operand of -") as number);
        return { value, origin: at(scope.file, expr) };
      }
      case "Parens":
        return this.evaluate(expr.expr, scope);
      case "Invalid":
        return { value: unknown(sourceText(expr, scope)), origin: at(scope.file, expr) };
    }
  }

  private template(parts: TemplatePart[], expr: Expression, scope: Scope): Evaluated {
    const only = parts.length === 1 ? parts[0] : undefined;
    if (only?.kind === "TemplateLiteral") return this.literalTemplate(only, expr, scope);
    const segments: TextSegment[] = [];
    const pieces: string[] = [];
    let length = 0;
    let isKnown = true;
    const unknownTexts: string[] = [];
    const render = (list: TemplatePart[], inner: Scope): void => {
      for (const part of list) {
        if (!isKnown) return;
        if (++this.steps > EVALUATION_BUDGET)
          throw new EvaluationError(
            `evaluation exceeded ${EVALUATION_BUDGET} steps`,
            "terraform-limit",
          );
        const emit = (
          text: string,
          literal: boolean,
          start: { line: number; column: number } = part,
        ): void => {
          segments.push({
            offset: length,
            file: inner.file,
            line: start.line,
            column: start.column,
            literal,
          });
          pieces.push(text);
          length += text.length;
          if (length > MAX_TEXT)
            throw new EvaluationError(
              `template result is longer than ${MAX_TEXT} characters`,
              "terraform-limit",
            );
        };
        switch (part.kind) {
          case "TemplateLiteral":
            emit(nfc(part.value), true, literalStart(part, sourceText(part, inner)));
            break;
          case "TemplateInterpolation": {
            const value = this.evaluate(part.expr, inner).value;
            const text = toStringValue(value, `interpolated ${sourceText(part.expr, inner)}`);
            if (!isUnknown(text)) emit(text, false);
            else {
              emit(unknownMarker(unknownTexts.length), false);
              unknownTexts.push(sourceText(part.expr, inner));
            }
            break;
          }
          case "TemplateIf": {
            const condition = this.evaluate(part.condition, inner).value;
            if (isUnknown(condition)) isKnown = false;
            else if (toBoolValue(condition, "template condition")) render(part.then, inner);
            else if (part.otherwise) render(part.otherwise, inner);
            break;
          }
          case "TemplateFor": {
            const collection = this.evaluate(part.collection, inner);
            // A partial collection repeats the body an unknown number of times.
            if (isUnknown(collection.value) || isPartial(collection.value)) {
              isKnown = false;
              break;
            }
            const overData = isDecodedData(collection.value);
            for (const entry of entriesOf(collection, "template for")) {
              this.build(part, inner, overData);
              const iteration = new Map(inner.iteration);
              if (part.keyVar) iteration.set(part.keyVar, entry.key);
              iteration.set(part.valueVar, entry.value);
              render(part.body, { ...inner, iteration });
            }
            break;
          }
        }
      }
    };
    render(parts, scope);
    const here = at(scope.file, expr);
    if (!isKnown) return { value: unknown(sourceText(expr, scope)), origin: here };
    if (unknownTexts.length === 0)
      return { value: pieces.join(""), origin: { ...here, text: segments } };
    const settled = settleJsonTemplate(pieces.join(""), segments, unknownTexts);
    if (!settled) return { value: unknown(sourceText(expr, scope)), origin: here };
    return { value: settled.text, origin: { ...here, text: settled.segments } };
  }

  /**
   * A template of one literal part, most of them (`"tcp"`): what `template` makes of it, without
   * its lists and closures, which were a tenth of loading terraform-aws-security-group.
   */
  private literalTemplate(part: TemplateLiteral, expr: Expression, scope: Scope): Evaluated {
    if (++this.steps > EVALUATION_BUDGET)
      throw new EvaluationError(
        `evaluation exceeded ${EVALUATION_BUDGET} steps`,
        "terraform-limit",
      );
    if (part.value.length > MAX_TEXT)
      throw new EvaluationError(
        `template result is longer than ${MAX_TEXT} characters`,
        "terraform-limit",
      );
    const { line, column } = literalStart(part, sourceText(part, scope));
    return {
      value: nfc(part.value),
      origin: {
        file: scope.file,
        range: expr,
        text: [{ offset: 0, file: scope.file, line, column, literal: true }],
      },
    };
  }

  private traversal(expr: ScopeTraversalExpr, scope: Scope): Evaluated {
    let current: Evaluated;
    let consumed = 0;
    const local = scope.iteration.get(expr.root);
    if (local) {
      current = local;
      const first = expr.steps[0];
      const reads = first && local.reads?.get(String(stepKey(first)));
      if (reads) scope.host.refer?.(reads);
    } else {
      const resolved = scope.host.resolve(expr, scope);
      if (!resolved) {
        throw new LocatedEvaluationError(
          `unknown name ${JSON.stringify(expr.root)}: not a variable, local, resource, data source or module reference`,
          "terraform-unknown-reference",
          scope.file,
          expr,
        );
      }
      current = resolved.result;
      consumed = resolved.consumed;
    }
    // An unknown met before the last step names the whole traversal; one resolved directly keeps its own name.
    for (const step of expr.steps.slice(consumed)) {
      if (isUnknown(current.value)) {
        current = { value: unknown(sourceText(expr, scope)), origin: current.origin };
        break;
      }
      current = this.step(current, stepKey(step), expr, scope);
    }
    if (local?.tracesReads) scope.host.refer?.(referredBy(current.origin));
    return current;
  }

  /** One `.name` or `[key]` step. Missing keys of open values (resources) are unknown; of others, errors. */
  step(from: Evaluated, key: Value, where: Range, scope: Scope): Evaluated {
    const { value } = from;
    // What is read from a resource is read from that resource, known or not.
    const unknownHere = (): Evaluated => ({
      value: unknown(sourceText(where, scope)),
      origin: readOrigin(from.origin, at(scope.file, where)),
    });
    if (isUnknown(value)) return unknownHere();
    const open = typeof value === "object" && value !== null && openValues.has(value);
    if (Array.isArray(value)) {
      const index = toNumberValue(key as Value, "index") as number;
      if (!Number.isInteger(index))
        throw new EvaluationError(
          `index ${describe(key)} is not a whole number`,
          "terraform-index",
        );
      // Which element sits at an index of a partial list is unknown.
      if (isPartialList(value)) return unknownHere();
      if (index < 0 || index >= value.length) {
        if (open) return unknownHere();
        throw new EvaluationError(
          `index ${index} is out of range for a list of ${value.length}`,
          "terraform-index",
          true,
        );
      }
      return {
        value: open ? markOpen(value[index] as Value) : (value[index] as Value),
        origin: readOrigin(from.origin, childOrigin(from.origin, index)),
      };
    }
    if (isObject(value)) {
      const name = toStringValue(key, "key") as string;
      if (!(name in value)) {
        if (open || mapRest(value)) return unknownHere();
        throw new EvaluationError(
          `this object has no attribute or key ${JSON.stringify(name)}`,
          "terraform-missing-attribute",
        );
      }
      const read = open ? markOpen(value[name] as Value) : (value[name] as Value);
      return {
        value: read,
        origin:
          instanceAttribute(from.origin, name, read) ??
          readOrigin(from.origin, childOrigin(from.origin, name)),
      };
    }
    throw new EvaluationError(
      `cannot take ${typeof key === "string" ? `attribute ${JSON.stringify(key)}` : `index ${describe(key)}`} of ${describe(value)}`,
      "terraform-index",
    );
  }

  private splat(expr: SplatExpr, scope: Scope): Evaluated {
    const source = this.evaluate(expr.source, scope);
    const here = at(scope.file, expr);
    if (isUnknown(source.value)) return { value: unknown(sourceText(expr, scope)), origin: here };
    if (source.value === null) return { value: [], origin: here };
    if (openValues.has(source.value as object))
      (Array.isArray(source.value)
        ? source.value
        : Object.values(source.value as ValueObject)
      ).forEach(markOpen);
    // A value that is not a list splats as a one-element list (HCL's rule for both splat forms).
    const elements: Evaluated[] = Array.isArray(source.value)
      ? source.value.map((value, i) => ({ value, origin: childOrigin(source.origin, i) }))
      : [source];
    const items = new Map<string, Origin>();
    const overData = isDecodedData(source.value);
    const value = elements.map((element, i) => {
      // The elements a rest stands for give elements a rest stands for.
      if (isRest(element.value)) {
        items.set(String(i), element.origin);
        return element.value;
      }
      this.build(expr, scope, overData);
      const iteration = new Map(scope.iteration);
      iteration.set(SPLAT_ITEM, element);
      const result = this.evaluate(expr.each, { ...scope, iteration });
      items.set(String(i), result.origin);
      return result.value;
    });
    if (overData) markDecodedData(value, false);
    return { value, origin: { ...here, items } };
  }

  private forExpression(expr: ForExpr, scope: Scope): Evaluated {
    const here = at(scope.file, expr);
    const collection = this.evaluate(expr.collection, scope);
    if (isUnknown(collection.value))
      return { value: unknown(sourceText(expr, scope)), origin: here };
    const items = new Map<string, Origin>();
    const tuple: Value[] = [];
    const object: { [key: string]: Value } = {};
    const groups = new Map<string, { values: Value[]; origins: Map<string, Origin> }>();
    // Over a partial collection, the elements its unknown part stands for give a part of the
    // result as unknown: a rest in a tuple, other keys of an object.
    const tupleForm = expr.form === "tuple" || !expr.keyExpr;
    const overData = isDecodedData(collection.value);
    const otherKeys = mapRest(collection.value);
    let rest = otherKeys && restElement(otherKeys.$unknown);
    if (rest && tupleForm) {
      items.set("0", collection.origin);
      tuple.push(rest);
    }
    for (const entry of entriesOf(collection, "for expression")) {
      if (isRest(entry.value.value)) {
        rest = entry.value.value as UnknownValue;
        if (tupleForm) {
          items.set(String(tuple.length), entry.value.origin);
          tuple.push(rest);
        }
        continue;
      }
      this.build(expr, scope, overData);
      const iteration = new Map(scope.iteration);
      if (expr.keyVar) iteration.set(expr.keyVar, entry.key);
      iteration.set(expr.valueVar, entry.value);
      const inner = { ...scope, iteration };
      if (expr.condition) {
        const keep = this.evaluate(expr.condition, inner).value;
        if (isUnknown(keep)) return { value: unknown(sourceText(expr, scope)), origin: here };
        if (!toBoolValue(keep, "for condition")) continue;
      }
      const result = this.evaluate(expr.valueExpr, inner);
      if (tupleForm || !expr.keyExpr) {
        items.set(String(tuple.length), result.origin);
        tuple.push(result.value);
        continue;
      }
      const key = this.evaluate(expr.keyExpr, inner).value;
      if (isUnknown(key)) return { value: unknown(sourceText(expr, scope)), origin: here };
      const name = toStringValue(key, "for key") as string;
      if (expr.grouping) {
        const group = groups.get(name) ?? {
          values: [] as Value[],
          origins: new Map<string, Origin>(),
        };
        group.origins.set(String(group.values.length), result.origin);
        group.values.push(result.value);
        groups.set(name, group);
      } else {
        if (name in object)
          throw new EvaluationError(
            `duplicate key ${JSON.stringify(name)} in for expression; use "..." to group`,
            "terraform-duplicate-key",
          );
        object[name] = result.value;
        items.set(name, result.origin);
      }
    }
    // Built one element per element of data iterated: bounded as that data is.
    if (overData) {
      markDecodedData(tuple, false);
      markDecodedData(object, false);
      for (const group of groups.values()) markDecodedData(group.values, false);
    }
    if (tupleForm)
      return {
        value: rest ? partialList(tuple, sourceText(expr, scope)) : tuple,
        origin: { ...here, items },
      };
    for (const [name, group] of groups) {
      // A group may gain elements from the unknown part.
      object[name] = rest
        ? partialList([...group.values, rest], sourceText(expr, scope))
        : group.values;
      items.set(name, { ...here, items: group.origins });
    }
    return { value: rest ? partialMap(object, rest) : object, origin: { ...here, items } };
  }

  /**
   * Records the string keys of `collection` when `key` is `terraform.workspace` left unknown: the
   * workspaces a map read by it, a comparison or a `contains` tells apart (workspaces.ts).
   */
  private noteWorkspaceKeys(
    key: Value | undefined,
    collection: Value | undefined,
    expr: Range,
    scope: Scope,
  ): void {
    const names = this.workspaceNames;
    if (names === undefined || !isUnknown(key) || key.$unknown !== WORKSPACE_EXPRESSION) return;
    if (typeof collection !== "object" || collection === null || Array.isArray(collection)) return;
    if (isUnknown(collection)) return;
    const read = { file: scope.file, line: expr.line, column: expr.column };
    for (const name of Object.keys(collection)) if (!names.has(name)) names.set(name, read);
  }

  /**
   * Marks the root's workspaces unknowable when a function other than `lookup` and `contains`
   * takes `terraform.workspace` (`startswith`, `regex`, `lower`, `format`...): the names its
   * maps and comparisons give do not tell apart what such a call decides for the others.
   */
  private noteOpaqueWorkspaceRead(values: readonly Value[], expr: Range, scope: Scope): void {
    const names = this.workspaceNames;
    if (names === undefined || names.has(OPAQUE_WORKSPACE_READ)) return;
    if (values.some((value) => isUnknown(value) && value.$unknown === WORKSPACE_EXPRESSION))
      names.set(OPAQUE_WORKSPACE_READ, { file: scope.file, line: expr.line, column: expr.column });
  }

  /**
   * Whether the two sides of `==` are of kinds Terraform never equates, known or not: a list,
   * set or map against another of them, or against the tuple or object a literal writes.
   */
  private kindsDiffer(expr: BinaryExpr, left: Value, right: Value): boolean {
    const leftKind = collectionTypeOf(left)?.kind ?? literalKind(expr.left);
    const rightKind = collectionTypeOf(right)?.kind ?? literalKind(expr.right);
    return leftKind !== undefined && rightKind !== undefined && leftKind !== rightKind;
  }

  private binary(op: string, left: Value, right: Value, expr: BinaryExpr, scope: Scope): Value {
    if (op !== "&&" && op !== "||" && (isCarriedNumber(left) || isCarriedNumber(right)))
      return carriedBinary(op, left, right, sourceText(expr, scope));
    if (op === "==" || op === "!=") {
      this.noteWorkspaceKeys(
        left,
        typeof right === "string" ? { [right]: null } : null,
        expr,
        scope,
      );
      this.noteWorkspaceKeys(
        right,
        typeof left === "string" ? { [left]: null } : null,
        expr,
        scope,
      );
    }
    // Terraform's == compares types too, before values, known or not: a list, set or map never
    // equals the tuple `[]` or the object `{}` writes (hashicorp/terraform#25798, #32258), so
    // `count = var.rules != [] ? 1 : 0` creates the resource whatever the list holds. A value of
    // no type Tollgate knows (an untyped variable's) is compared by value, as a tuple's is.
    if ((op === "==" || op === "!=") && this.kindsDiffer(expr, left, right)) return op === "!=";
    if (isUnknown(left) || isUnknown(right)) return unknown(sourceText(expr, scope));
    if ((op === "==" || op === "!=") && (isPartial(left) || isPartial(right)))
      return unknown(sourceText(expr, scope));
    if (op === "==" || op === "!=") {
      const equal = typedEquals(left, right);
      if (equal === undefined) return unknown(sourceText(expr, scope));
      return op === "==" ? equal : !equal;
    }
    if (op === "&&" || op === "||") {
      // Both operands converted, as Terraform does (no short circuit): `true || "x"` fails.
      const a = toBoolValue(left, `left of ${op}`) === true;
      const b = toBoolValue(right, `right of ${op}`) === true;
      return op === "&&" ? a && b : a || b;
    }
    const a = toNumberValue(left, `left of ${op}`) as number;
    const b = toNumberValue(right, `right of ${op}`) as number;
    switch (op) {
      case "<":
        return a < b;
      case ">":
        return a > b;
      case "<=":
        return a <= b;
      case ">=":
        return a >= b;
      // In 512 bits, as cty's numbers are (`0.1 + 0.2 == 0.3`); float64's where an infinity is in it.
      case "+":
        return arithmetic(
          exactArithmetic("+", a, b, sourceText(expr, scope)) ?? a + b,
          "can't compute sum of opposing infinities",
        );
      case "-":
        return arithmetic(
          exactArithmetic("-", a, b, sourceText(expr, scope)) ?? a - b,
          "can't subtract infinity from itself",
        );
      case "*":
        return arithmetic(
          exactArithmetic("*", a, b, sourceText(expr, scope)) ?? a * b,
          "can't multiply zero by infinity",
        );
      case "/":
        // As cty's big.Float quotient: a number over zero is an infinity of their signs (`1 / 0`
        // is +Inf), zero over zero fails as an infinity over an infinity does.
        if (b === 0 && a !== 0) return a / b;
        return arithmetic(
          exactArithmetic("/", a, b, sourceText(expr, scope)) ?? a / b,
          "can't divide zero by zero or infinity by infinity",
        );
      case "%":
        // cty's modulo by zero gives the dividend back; of an infinity, an infinity of the
        // product's sign, not NaN.
        if (b === 0) return a;
        return Number.isFinite(a)
          ? (exactArithmetic("%", a, b, sourceText(expr, scope)) ?? a % b)
          : a * b;
    }
    throw new EvaluationError(`unsupported operator ${op}`, "terraform-syntax");
  }

  private call(expr: FunctionCallExpr, scope: Scope): Evaluated {
    const here = at(scope.file, expr);
    const name = expr.name;
    if (!isTerraformFunction(name)) {
      scope.host.report({
        file: scope.file,
        line: expr.nameRange.line,
        column: expr.nameRange.column,
        message: `unknown function ${JSON.stringify(name)}; the call is treated as unknown`,
        code: "terraform-unknown-function",
      });
      return { value: unknown(sourceText(expr, scope)), origin: here };
    }
    if (name === "try" || name === "can") return this.tryOrCan(expr, scope);
    if (name === "fileset") return this.fileset(expr, scope);
    if (name === "templatefile") return this.templateFile(expr, scope);
    if (name === "templatestring") return this.templateString(expr, scope);
    let args = expr.args.map((arg) => this.evaluate(arg, scope));
    if (expr.expandFinal && args.length > 0) {
      const last = args[args.length - 1] as Evaluated;
      if (isUnknown(last.value)) return { value: unknown(sourceText(expr, scope)), origin: here };
      if (!Array.isArray(last.value))
        throw new EvaluationError(
          `the final argument of ${name}(...) must be a list to expand`,
          "terraform-type",
        );
      args = [
        ...args.slice(0, -1),
        ...last.value.map((value, i) => ({ value, origin: childOrigin(last.origin, i) })),
      ];
    }
    if (name === "lookup") this.noteWorkspaceKeys(args[1]?.value, args[0]?.value, expr, scope);
    else if (name !== "contains")
      this.noteOpaqueWorkspaceRead(
        args.map((arg) => arg.value),
        expr,
        scope,
      );
    if (name === "contains") {
      const list = args[0]?.value;
      if (Array.isArray(list))
        this.noteWorkspaceKeys(
          args[1]?.value,
          Object.fromEntries(
            list.flatMap((item) => (typeof item === "string" ? [[item, null]] : [])),
          ),
          expr,
          scope,
        );
    }
    const context: FunctionContext = {
      expression: sourceText(expr, scope),
      readFile: (path) => this.namedFile(expr, path, scope)?.text,
      fileExists: (path) => {
        if (scope.host.readFile(path)) return true;
        return this.surelyMissing(expr, path, scope) === undefined ? undefined : false;
      },
    };
    // A function walks what it is given: a value holding one part many times over must not reach it.
    const given = args.reduce(
      (sum, arg) => {
        const held = heldElements(arg.value);
        return { elements: sum.elements + held.elements, data: sum.data + held.data };
      },
      { elements: 0, data: 0 },
    );
    if (overLimit(given)) throw tooManyElements(scope.file, expr, given);
    // What it walks and what it returns (below) spend the root's budget, what it walks first:
    // `jsonencode(local.big)` in every resource and workspace must stop before it is encoded.
    const spends = !DECODERS.has(name) && !READS_IN_PLACE.has(name);
    if (spends) this.spend(given.elements + given.data, expr, scope);
    const values = args.map((arg) => arg.value);
    const value = typedCallResult(name, values, callFunction(name, values, context));
    if (DECODERS.has(name)) {
      markDecodedData(value, true);
      this.spend(heldElements(value).data, expr, scope);
    } else if (spends) {
      const made = heldElements(value);
      this.spend(made.elements + made.data, expr, scope);
    }
    // What a function makes of data (`concat`, `flatten`, `values`, `merge`) is bounded as data:
    // what it holds is counted all the same, so doubling data still stops, at the data limit.
    else if (args.some((arg) => isDecodedData(arg.value))) markDecodedData(value, false);
    return { value, origin: this.callOrigin(name, args, value, here, scope) };
  }

  /** Where the result of a call was written: passed through for conversions, built for merge/concat/jsonencode/file. */
  private callOrigin(
    name: string,
    args: Evaluated[],
    value: Value,
    here: Origin,
    scope: Scope,
  ): Origin {
    const first = args[0];
    switch (name) {
      case "jsonencode":
        return first ? { ...here, document: first.origin } : here;
      case "toset":
        return first ? { ...setOrigin(first, value), range: here.range, file: here.file } : here;
      case "tolist":
      case "tomap":
      case "sensitive":
      case "nonsensitive":
      case "tostring":
        return first ? { ...first.origin, range: here.range, file: here.file } : here;
      case "lookup": {
        const key = args[1]?.value;
        if (first && isObject(first.value) && typeof key === "string" && key in first.value)
          return childOrigin(first.origin, key);
        return args[2]?.origin ?? here;
      }
      case "element": {
        const index = args[1]?.value;
        if (
          first &&
          Array.isArray(first.value) &&
          first.value.length > 0 &&
          typeof index === "number"
        )
          return childOrigin(first.origin, elementIndex(index, first.value.length));
        return here;
      }
      case "values": {
        // Each element where it was written, as a for expression over the map would have it.
        if (!first || !isObject(first.value)) return here;
        const keys = sortedKeys(first.value);
        return {
          ...here,
          items: new Map(keys.map((key, i) => [String(i), childOrigin(first.origin, key)])),
        };
      }
      case "split": {
        // Each part where the string was written (a rule's "0.0.0.0/0,2.2.2.2/32").
        const text = args[1];
        if (!text || !Array.isArray(value)) return here;
        return { ...here, items: new Map(value.map((_, i) => [String(i), text.origin])) };
      }
      case "one":
        return first && Array.isArray(first.value) && first.value.length === 1
          ? childOrigin(first.origin, 0)
          : here;
      case "coalesce":
        return args.find((arg) => valuesEqual(arg.value, value))?.origin ?? here;
      case "merge": {
        const items = new Map<string, Origin>();
        for (const arg of args) {
          if (isObject(arg.value))
            for (const key of Object.keys(arg.value)) items.set(key, childOrigin(arg.origin, key));
        }
        return { ...here, items };
      }
      case "compact": {
        // The strings kept, each where it was written (a policy document's JSON text).
        if (!first || !Array.isArray(first.value)) return here;
        const kept = first.value.flatMap((item, i) =>
          item === null || item === "" ? [] : [childOrigin(first.origin, i)],
        );
        return { ...here, items: new Map(kept.map((origin, i) => [String(i), origin])) };
      }
      case "concat":
      case "flatten": {
        const items = new Map<string, Origin>();
        const add = (item: Evaluated): void => {
          if (name === "flatten" && Array.isArray(item.value))
            item.value.forEach((v, i) => add({ value: v, origin: childOrigin(item.origin, i) }));
          else items.set(String(items.size), item.origin);
        };
        for (const arg of args) {
          if (Array.isArray(arg.value))
            arg.value.forEach((v, i) => add({ value: v, origin: childOrigin(arg.origin, i) }));
          // An unknown argument is a rest in the result, where partialList kept one.
          else if (isUnknown(arg.value)) items.set(String(items.size), arg.origin);
        }
        return { ...here, items };
      }
      case "setproduct": {
        // Each combination's elements where each was written, in the order setProduct makes them.
        if (!Array.isArray(value) || !args.every((arg) => Array.isArray(arg.value))) return here;
        let combinations: Origin[][] = [[]];
        for (const arg of args)
          combinations = combinations.flatMap((prefix) =>
            (arg.value as Value[]).map((_, i) => [...prefix, childOrigin(arg.origin, i)]),
          );
        return {
          ...here,
          items: new Map(
            value.map((_, i) => [
              String(i),
              {
                ...here,
                items: new Map((combinations[i] ?? []).map((origin, j) => [String(j), origin])),
              },
            ]),
          ),
        };
      }
      case "chunklist": {
        const size = args[1]?.value;
        if (!first || !Array.isArray(value) || typeof size !== "number") return here;
        const step = size === 0 ? Infinity : size;
        return {
          ...here,
          items: new Map(
            value.map((chunk, i) => [
              String(i),
              {
                ...here,
                items: new Map(
                  (chunk as Value[]).map((_, j) => [
                    String(j),
                    childOrigin(first.origin, (step === Infinity ? 0 : i * step) + j),
                  ]),
                ),
              },
            ]),
          ),
        };
      }
      case "matchkeys": {
        // The values kept, each where it was written.
        const [values, keys, searchSet] = args;
        if (
          !values ||
          !Array.isArray(values.value) ||
          !Array.isArray(keys?.value) ||
          !Array.isArray(searchSet?.value)
        )
          return here;
        const wanted = firstIndexOf(searchSet.value);
        const kept = keys.value.flatMap((key, i) =>
          wanted(key) >= 0 ? [childOrigin(values.origin, i)] : [],
        );
        return { ...here, items: new Map(kept.map((origin, i) => [String(i), origin])) };
      }
      case "distinct":
      case "setunion": {
        // Each element where its first occurrence in the arguments was written.
        const written: Evaluated[] = args.flatMap((arg) =>
          Array.isArray(arg.value)
            ? arg.value.map((v, i) => ({ value: v, origin: childOrigin(arg.origin, i) }))
            : [arg],
        );
        if (!Array.isArray(value)) return here;
        const items = new Map<string, Origin>();
        const firstWritten = firstIndexOf(
          unifiedPrimitives(
            written.map((candidate) => candidate.value),
            name === "distinct" ? "list" : "set",
          ),
        );
        value.forEach((element, i) => {
          const first = written[firstWritten(element)];
          if (first) items.set(String(i), first.origin);
        });
        return { ...here, items };
      }
      case "jsondecode":
      case "yamldecode":
      case "csvdecode": {
        if (!first?.origin.text || typeof first.value !== "string") return here;
        const origin = decodedOrigin(
          name === "jsondecode" ? "json" : name === "yamldecode" ? "yaml" : "csv",
          first.value,
          first.origin.text,
          value,
          here,
          (file) => (file === scope.file ? scope.text : scope.host.repositoryFile?.(file)?.text),
        );
        // What the decoded string passed through (a local holding the file's text), the value did.
        return origin === here || first.origin.through === undefined
          ? origin
          : { ...origin, through: first.origin.through };
      }
      case "file": {
        const path =
          first && typeof first.value === "string" ? scope.host.readFile(first.value) : undefined;
        if (!path) return here;
        return {
          ...here,
          text: [{ offset: 0, file: path.path, line: 1, column: 1, literal: true }],
        };
      }
      default:
        return here;
    }
  }

  /**
   * `fileset(path, pattern)` from the files the host was told exist (`EvaluationHost.fileset`).
   * When they cannot all be known the call is unknown, with a located warning: what the files
   * it lists hold (policies read with `file()`) would otherwise go unjudged without a word.
   */
  private fileset(expr: FunctionCallExpr, scope: Scope): Evaluated {
    const here = at(scope.file, expr);
    if (expr.args.length !== 2)
      throw new EvaluationError(
        `fileset takes 2 arguments, ${expr.args.length} given`,
        "terraform-argument",
      );
    const [pathArgument, patternArgument] = expr.args as [Expression, Expression];
    const path = this.evaluate(pathArgument, scope).value;
    const pattern = this.evaluate(patternArgument, scope).value;
    let listed: FilesetResult;
    if (isUnknown(path) || isUnknown(pattern) || isPartial(path) || isPartial(pattern))
      listed = { unknown: "its path or pattern is unknown" };
    else {
      const text = sourceText(pathArgument, scope);
      const written = PATH_ATTRIBUTE.test(text)
        ? "repository"
        : /^"[^"$%]*"$/.test(text)
          ? "root"
          : "either";
      listed = scope.host.fileset?.(
        toStringValue(path, "fileset path") as string,
        toStringValue(pattern, "fileset pattern") as string,
        written,
      ) ?? { unknown: "the files of the repository are not listed here" };
    }
    if ("files" in listed) return { value: listed.files, origin: here };
    scope.host.report({
      file: scope.file,
      line: expr.nameRange.line,
      column: expr.nameRange.column,
      message: `fileset() is not evaluated: ${listed.unknown}; the files it lists, and what is read from them, are unknown to the policies`,
      code: "terraform-fileset",
      level: "warning",
    });
    return { value: unknown(sourceText(expr, scope)), origin: here };
  }

  /**
   * Renders a template file with only the given variables in scope; its text keeps the
   * template file's lines so a policy rendered from a template is located in the template.
   */
  private templateFile(expr: FunctionCallExpr, scope: Scope): Evaluated {
    const here = at(scope.file, expr);
    if (expr.args.length !== 2)
      throw new EvaluationError(
        `templatefile takes 2 arguments, ${expr.args.length} given`,
        "terraform-argument",
      );
    const [pathArgument, variablesArgument] = expr.args.map((arg) => this.evaluate(arg, scope)) as [
      Evaluated,
      Evaluated,
    ];
    const unknownCall = { value: unknown(sourceText(expr, scope)), origin: here };
    if (isUnknown(pathArgument.value) || isUnknown(variablesArgument.value)) return unknownCall;
    const path = toStringValue(pathArgument.value, "templatefile path") as string;
    if (!isObject(variablesArgument.value))
      throw new EvaluationError(
        `templatefile variables must be an object, got ${describe(variablesArgument.value)}`,
        "terraform-type",
      );
    const file = this.namedFile(expr, path, scope);
    if (!file) return unknownCall;
    const template = parseTemplateFile(file.path, file.text);
    template.errors.forEach((error) => scope.host.report(error));
    // Terraform's templatefile() fails on a template it cannot parse: its value is not known.
    if (template.errors.length > 0) return unknownCall;
    const host: EvaluationHost = {
      resolve: (traversal) => {
        throw new LocatedEvaluationError(
          `templates see only the variables passed to templatefile, not ${JSON.stringify(traversal.root)}`,
          "terraform-undeclared-reference",
          file.path,
          traversal,
        );
      },
      readFile: (relative) => scope.host.readFile(relative),
      missingFile: (relative) => scope.host.missingFile?.(relative),
      listedAbsent: (written) => scope.host.listedAbsent?.(written),
      repositoryFile: (exact) => scope.host.repositoryFile?.(exact),
      report: (error) => scope.host.report(error),
    };
    const rendered = this.renderTemplate(template, expr, variablesArgument, file.path, host);
    if (isUnknown(rendered.value)) return unknownCall;
    return { value: rendered.value, origin: { ...here, text: rendered.origin.text } };
  }

  /**
   * `template` rendered with only `variables` (an object) in scope, as `templatefile` and
   * `templatestring` do; the newline the parser added to a file's last line is taken off again.
   */
  private renderTemplate(
    template: ParsedTemplate,
    expr: FunctionCallExpr,
    variables: Evaluated,
    file: string,
    host: EvaluationHost,
  ): Evaluated {
    const iteration = new Map<string, Evaluated>();
    for (const [name, value] of Object.entries(variables.value as Record<string, Value>))
      iteration.set(name, { value, origin: childOrigin(variables.origin, name) });
    const rendered = this.template(template.parts, expr, {
      file,
      text: template.text,
      iteration,
      host,
    });
    if (isUnknown(rendered.value) || !template.addedNewline) return rendered;
    return { ...rendered, value: (rendered.value as string).replace(/\n$/, "") };
  }

  /**
   * `templatestring(ref, vars)` (Terraform 1.9): a string held elsewhere in the module rendered
   * as a template file is, with only `vars` in scope. As in Terraform, the template must be a
   * reference (`local.t`, `local.t["k"]`), not written in the call, and it reads no files. Its
   * text is located at the call: the template's lines are not the file's.
   */
  private templateString(expr: FunctionCallExpr, scope: Scope): Evaluated {
    const here = at(scope.file, expr);
    if (expr.args.length !== 2)
      throw new EvaluationError(
        `templatestring takes 2 arguments, ${expr.args.length} given`,
        "terraform-argument",
      );
    const [templateExpression, variablesExpression] = expr.args as [Expression, Expression];
    if (!isReference(templateExpression))
      throw new EvaluationError(
        "templatestring: invalid template expression: it must be a direct reference to a string held elsewhere (a local, a variable, an attribute); to render a template written here, use a template string instead",
        "terraform-argument",
      );
    const templateArgument = this.evaluate(templateExpression, scope);
    const variablesArgument = this.evaluate(variablesExpression, scope);
    const unknownCall = { value: unknown(sourceText(expr, scope)), origin: here };
    if (isUnknown(templateArgument.value) || isUnknown(variablesArgument.value)) return unknownCall;
    if (typeof templateArgument.value !== "string")
      throw new EvaluationError(
        `templatestring: the template is ${describe(templateArgument.value)}; a string is required`,
        "terraform-type",
      );
    if (!isObject(variablesArgument.value))
      throw new EvaluationError(
        `templatestring variables must be an object, got ${describe(variablesArgument.value)}`,
        "terraform-type",
      );
    const template = parseTemplateFile("<templatestring argument>", templateArgument.value);
    const [invalid] = template.errors;
    if (invalid)
      throw new EvaluationError(
        `templatestring: invalid template: line ${invalid.line}: ${invalid.message}`,
        "terraform-argument",
      );
    const host: EvaluationHost = {
      resolve: (traversal) => {
        throw new EvaluationError(
          `the template sees only the variables passed to it, not ${JSON.stringify(traversal.root)}`,
          "terraform-undeclared-reference",
        );
      },
      readFile: () => undefined,
      report: (error) =>
        scope.host.report({
          ...error,
          file: scope.file,
          line: expr.nameRange.line,
          column: expr.nameRange.column,
        }),
    };
    let rendered: Evaluated;
    try {
      rendered = this.renderTemplate(template, expr, variablesArgument, scope.file, host);
    } catch (error) {
      // Positions inside the template are not the file's: the error is placed at the call.
      if (error instanceof LocatedEvaluationError)
        throw new EvaluationError(`templatestring: ${error.message}`, error.code);
      throw error;
    }
    if (isUnknown(rendered.value)) return unknownCall;
    return { value: rendered.value, origin: here };
  }

  /**
   * The file `call` (`file`, `templatefile`) names, or undefined when it was not given to the
   * loader and may exist (its value is unknown). Errors, as Terraform's would be, for a file of a
   * name the scan reads that the repository does not have (see `surelyMissing`), and for one
   * outside it, which is never read; warns for a missing data file of another name.
   */
  private namedFile(
    call: FunctionCallExpr,
    path: string,
    scope: Scope,
  ): { path: string; text: string } | undefined {
    const file = scope.host.readFile(path);
    if (file) return file;
    const missing = scope.host.missingFile?.(path);
    if (missing?.outside && isIacCandidate(path))
      throw new EvaluationError(
        `${JSON.stringify(path)} is outside the files read (the repository, or the folders given to the CLI); Tollgate reads no file outside them, so the value is unknown`,
        "terraform-file-outside",
      );
    const absent = this.surelyMissing(call, path, scope);
    if (absent === undefined) return undefined;
    if (isIacCandidate(path))
      throw new EvaluationError(
        `no file ${absent} in the repository; Terraform fails to read a missing file`,
        "terraform-missing-file",
      );
    // A data file the repository lacks is often made by a build step before plan (a rendered
    // template, a downloaded certificate), or left out on purpose: warned, and its value unknown.
    scope.host.report({
      file: scope.file,
      line: call.nameRange.line,
      column: call.nameRange.column,
      message: `no file ${absent} in the repository; Terraform fails to read it unless a step before plan makes it, so what it decides is unknown to the policies`,
      code: "terraform-missing-file",
      level: "warning",
    });
    return undefined;
  }

  /**
   * A file not given that the repository does not have: its path literal as the fetch stage
   * follows it (`literalFileRead`), resolved where the fetch looked for it (from the module with
   * `${path.module}/`, else in a root module), and either absent from the fetch's listing of the
   * repository (`listedAbsent`, which tells a missing file from one skipped for its size) or,
   * where no listing covers it, of a name the fetch reads (`isIacCandidate`). Any other file not
   * given may exist, and what it decides stays unknown. Gives the repository path looked for.
   */
  private surelyMissing(call: FunctionCallExpr, path: string, scope: Scope): string | undefined {
    const missing = scope.host.missingFile?.(path);
    if (!missing || missing.outside) return undefined;
    const literal = literalFileRead(sourceText(call, scope));
    if (literal === undefined || !(literal.inModule || missing.root)) return undefined;
    // `path.module` is repository-relative here, so such a path is one already.
    const written =
      literal.inModule || missing.directory === "" ? path : `${missing.directory}/${path}`;
    const absent = scope.host.listedAbsent?.(written);
    if (absent === false || (absent === undefined && !isIacCandidate(path))) return undefined;
    return joinPath("", written);
  }

  /** `try` returns its first argument that evaluates without error; `can` says whether its argument does. */
  private tryOrCan(expr: FunctionCallExpr, scope: Scope): Evaluated {
    const here = at(scope.file, expr);
    if (expr.name === "can") {
      if (expr.args.length !== 1)
        throw new EvaluationError(
          `can takes 1 argument, ${expr.args.length} given`,
          "terraform-argument",
        );
      try {
        const result = this.evaluate(expr.args[0] as Expression, scope);
        return {
          value: isUnknown(result.value) ? unknown(sourceText(expr, scope)) : true,
          origin: here,
        };
      } catch (error) {
        if (error instanceof EvaluationError && error.code !== "terraform-limit")
          return { value: false, origin: here };
        throw error;
      }
    }
    if (expr.args.length === 0)
      throw new EvaluationError("try needs at least one argument", "terraform-argument");
    let last: EvaluationError | undefined;
    for (const arg of expr.args) {
      try {
        const result = this.evaluate(arg, scope);
        if (isUnknown(result.value))
          return { value: unknown(sourceText(expr, scope)), origin: here };
        return result;
      } catch (error) {
        if (!(error instanceof EvaluationError) || error.code === "terraform-limit") throw error;
        last = error;
      }
    }
    throw new EvaluationError(
      `no argument of try could be evaluated: ${last?.message ?? ""}`,
      "terraform-try",
    );
  }
}

/**
 * Where a literal's value starts in the source: after any whitespace a `~` strip marker removed
 * (the part's range still covers it), so lines inside the literal stay exact. A literal read from
 * a decoded `.tf.json` string is placed on the whole string, whose lines its text does not have.
 */
function literalStart(
  part: { line: number; column: number; value: string; decodedText?: string },
  raw: string,
): { line: number; column: number } {
  if (part.decodedText !== undefined) return part;
  const stripped =
    raw.length - raw.trimStart().length - (part.value.length - part.value.trimStart().length);
  if (stripped <= 0) return part;
  const skipped = raw.slice(0, stripped);
  const newlines = skipped.split("\n").length - 1;
  if (newlines === 0) return { line: part.line, column: part.column + stripped };
  return { line: part.line + newlines, column: stripped - skipped.lastIndexOf("\n") };
}

/**
 * The origin of `set`, made of the elements of `list` (sorted, duplicates merged): each element
 * where its first occurrence in `list` was written, not where the element at its new index was.
 */
export function setOrigin(list: Evaluated, set: Value): Origin {
  if (!Array.isArray(list.value) || !Array.isArray(set) || !list.origin.items) return list.origin;
  const firstInList = firstIndexOf(unifiedPrimitives(list.value, "set"));
  const items = new Map<string, Origin>();
  set.forEach((element, i) => {
    const first = firstInList(element);
    if (first !== -1) items.set(String(i), childOrigin(list.origin, first));
  });
  return { ...list.origin, items };
}

/** The iteration variable a splat's element is bound to; not a valid HCL name, so it cannot collide. */
const SPLAT_ITEM = "[*]";

function stepKey(step: TraversalStep): Value {
  return step.kind === "TraverseAttr" ? step.name : step.key;
}

/** Key/value pairs of a collection as for-expressions and dynamic blocks iterate them (objects in key order). */
export function entriesOf(
  collection: Evaluated,
  what: string,
): { key: Evaluated; value: Evaluated }[] {
  const { value, origin } = collection;
  if (typeof value === "object" && value !== null && openValues.has(value))
    (Array.isArray(value) ? value : Object.values(value)).forEach(markOpen);
  if (Array.isArray(value)) {
    return value.map((item, i) => ({
      key: { value: i, origin },
      value: { value: item, origin: childOrigin(origin, i) },
    }));
  }
  if (isObject(value)) {
    return sortedKeys(value).map((key) => ({
      key: { value: key, origin: childOrigin(origin, key) },
      value: { value: value[key] as Value, origin: childOrigin(origin, key) },
    }));
  }
  throw new EvaluationError(
    `${what} needs a list, set, map or object, got ${describe(value)}`,
    "terraform-type",
  );
}

function tooManyElements(file: string, expr: Range, count: HeldCount): LocatedEvaluationError {
  return new LocatedEvaluationError(
    count.data > MAX_DATA_ELEMENTS
      ? `this expression builds more than ${MAX_DATA_ELEMENTS} elements of decoded data; it is treated as unknown`
      : `this expression builds more than ${MAX_ELEMENTS} elements; it is treated as unknown`,
    "terraform-limit",
    file,
    expr,
  );
}

/**
 * `result` marked with the list, set or map type Terraform gives it (`functionResultType`); a
 * copy where it is an argument given back as another type (`tolist` of a tuple), open as that was.
 */
function typedCallResult(name: string, args: readonly Value[], result: Value): Value {
  if (isUnknown(result)) return result;
  const type = functionResultType(name, args, result);
  if (!type) return result;
  if (!args.includes(result)) return withCollectionType(result, type);
  const copy = retyped(result, type);
  if (copy !== result && openValues.has(result as object)) markOpen(copy);
  return copy;
}

/**
 * A conditional's result `value` (`given`, or its conversion) as of the list or map `type` its
 * results unify to: marked in place where it is a literal evaluated here or a conversion, else a
 * copy (a variable's list keeps its own type), open as that was.
 */
function typedResult(
  given: Value,
  value: Value,
  type: CollectionType | undefined,
  written: Expression,
): Value {
  if (!type || isUnknown(value)) return value;
  while (written.kind === "Parens") written = written.expr;
  if (value !== given || written.kind === "Tuple" || written.kind === "Object")
    return withCollectionType(value, type);
  const copy = retyped(value, type);
  if (copy !== value && openValues.has(value as object)) markOpen(copy);
  return copy;
}

const NOT_ASCII = /[^\0-\x7f]/;

/**
 * A string literal's text as HCL gives it, in Unicode normal form C (cty's strings are: `"e\u0301"`
 * is "é", one character); ASCII text, nearly all, as it is. A template's result is not normalized
 * again where its parts join (`"${"e"}\u0301"`), nor are functions' results.
 */
function nfc(text: string): string {
  return NOT_ASCII.test(text) ? text.normalize("NFC") : text;
}

/** The kind of value a tuple, object or for expression writes, whatever it holds. */
function literalKind(expr: Expression): TypeKind | undefined {
  while (expr.kind === "Parens") expr = expr.expr;
  if (expr.kind === "Tuple") return "tuple";
  if (expr.kind === "Object") return "object";
  if (expr.kind === "For") return expr.form;
  return undefined;
}

/**
 * The result of an arithmetic operator as Terraform's numbers have it: they cannot hold NaN, and
 * Terraform fails on the infinities that make it (`message` is its error).
 */
function arithmetic(result: TerraformNumber, message: string): TerraformNumber {
  if (Number.isNaN(result)) throw new EvaluationError(message, "terraform-arithmetic", true);
  return result;
}

const ORDER: Record<string, (comparison: -1 | 0 | 1) => boolean> = {
  "<": (c) => c < 0,
  ">": (c) => c > 0,
  "<=": (c) => c <= 0,
  ">=": (c) => c >= 0,
};

/**
 * `left op right` where a side is a number only Terraform's 512-bit numbers hold (numbers.ts),
 * decided on that number: compared, or computed into another. Against a known value of another
 * type, == is false as cty's Equals is; against any other unknown, or an infinity, unknown.
 */
function carriedBinary(op: string, left: Value, right: Value, written: string): Value {
  if (op === "==" || op === "!=") {
    const comparison = compareNumbers(left, right);
    if (comparison !== undefined) return (comparison === 0) === (op === "==");
    const other = isCarriedNumber(left) ? right : left;
    if (isUnknown(other) || typeof other === "number") return unknown(written);
    return op === "!=";
  }
  const order = ORDER[op];
  if (order) {
    const comparison = compareNumbers(left, right);
    return comparison === undefined ? unknown(written) : order(comparison);
  }
  if (op === "/" && right === 0) return Infinity * (compareNumbers(left, 0) ?? 1);
  if (op === "%" && right === 0) return left;
  if (op === "+" || op === "-" || op === "*" || op === "/" || op === "%")
    return exactArithmetic(op as ArithmeticOperator, left, right, written) ?? unknown(written);
  return unknown(written);
}

/**
 * The functions that read their arguments in place, an element or the length, and give back
 * a value they hold: they spend none of the root's budget (`call`). Any other function given
 * or giving collections spends the elements they hold.
 */
const READS_IN_PLACE = new Set([
  "coalesce",
  "coalescelist",
  "element",
  "length",
  "lookup",
  "nonsensitive",
  "one",
  "sensitive",
  "tolist",
  "tomap",
]);

/** The functions whose results are data decoded from text (MAX_DATA_ELEMENTS). */
const DECODERS = new Set(["jsondecode", "yamldecode", "csvdecode"]);

/** Collections that are data decoded from text, or built one element per element of such data. */
const decodedData = new WeakSet<object>();

function isDecodedData(value: Value): boolean {
  return typeof value === "object" && value !== null && decodedData.has(value);
}

/** Marks `value` as decoded data, and with `deep` every collection it holds (a decoder's result). */
function markDecodedData(value: Value, deep: boolean): void {
  if (value === null || typeof value !== "object" || isUnknown(value)) return;
  if (decodedData.has(value)) return;
  decodedData.add(value);
  if (deep)
    for (const element of Array.isArray(value) ? value : Object.values(value))
      markDecodedData(element, true);
}

/** Elements a value holds: of decoded data (MAX_DATA_ELEMENTS), and all others (MAX_ELEMENTS). */
interface HeldCount {
  elements: number;
  data: number;
}

const NOTHING_HELD: HeldCount = { elements: 0, data: 0 };

function overLimit(count: HeldCount): boolean {
  return count.elements > MAX_ELEMENTS || count.data > MAX_DATA_ELEMENTS;
}

/** Elements already counted in each collection (`heldElements`), shared parts and all. */
const heldCounts = new WeakMap<object, HeldCount>();

/**
 * The elements a value holds at every depth, a part it holds twice counted twice (what a walk
 * over it visits), and at most a little over the limits: counting stops there. Each collection
 * is counted once, so a value built of shared parts costs what it is written as. An element of
 * decoded data counts as data, what holds it as any other element.
 */
function heldElements(value: Value): HeldCount {
  if (value === null || typeof value !== "object" || isUnknown(value)) return NOTHING_HELD;
  const counted = heldCounts.get(value);
  if (counted !== undefined) return counted;
  const data = decodedData.has(value);
  const count = { elements: 0, data: 0 };
  for (const element of Array.isArray(value) ? value : Object.values(value)) {
    const held = heldElements(element);
    count.elements += held.elements + (data ? 0 : 1);
    count.data += held.data + (data ? 1 : 0);
    if (overLimit(count)) break;
  }
  heldCounts.set(value, count);
  return count;
}

export function sourceText(node: Range, scope: Pick<Scope, "text">): string {
  return node.decodedText ?? scope.text.slice(node.start, node.end);
}

/**
 * The template argument Terraform's templatestring accepts: a reference, possibly indexed,
 * read into or splatted, never a template or call written in place.
 */
function isReference(expr: Expression): boolean {
  switch (expr.kind) {
    case "ScopeTraversal":
      return true;
    case "GetAttr":
      return isReference(expr.object);
    case "Index":
      return isReference(expr.collection);
    case "Splat":
      return isReference(expr.source);
    default:
      return false;
  }
}
