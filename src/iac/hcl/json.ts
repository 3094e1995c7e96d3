// `.tf.json` files: the positioned JSON tree (../json, which keeps repeated names) turned into
// the same expression nodes as native syntax (objects, tuples, literals, and strings as
// templates), and the mapping of Terraform's top-level block types (`resource "t" "n"` =
// `{"resource": {"t": {"n": {...}}}}`).

import type { LoadError } from "../../model/types.js";
import { rangeOf, readJson, type JsonMember, type JsonNode } from "../json/index.js";
import type {
  Attribute,
  Block,
  BlockLabel,
  Body,
  BodyItem,
  Expression,
  ObjectExpr,
  ObjectItem,
  Range,
  TemplateExpr,
  TupleExpr,
} from "./ast.js";
import { isOffsetNode, LineIndex } from "./nodes.js";
import { HclParser, MAX_NESTING_DEPTH } from "./parser.js";

/**
 * Labels of Terraform's top-level block types in JSON. Other names are read as blocks without
 * labels. Inside a block everything stays an expression: telling a nested block from an
 * attribute of object type needs the provider's schema, which the evaluator has.
 */
const TOP_LEVEL_LABELS: ReadonlyMap<string, number> = new Map([
  ["resource", 2],
  ["data", 2],
  ["ephemeral", 2],
  ["module", 1],
  ["variable", 1],
  ["output", 1],
  ["provider", 1],
  ["check", 1],
  ["locals", 0],
  ["terraform", 0],
  ["moved", 0],
  ["import", 0],
  ["removed", 0],
]);

/**
 * A JSON escape for a character that opens template syntax (`$`, `%`, `{`): in place, the raw
 * text would read it as plain text, where HCL reads the decoded text and so the syntax it spells.
 */
const TEMPLATE_CHARACTER_ESCAPE = /\\u00(?:24|25|7b)/i;

/** Property name that JSON syntax reserves for comments, in the root and in every block body. */
const COMMENT_KEY = "//";

/** Turns the JSON tree into expression nodes; strings become templates parsed in place. */
class ExpressionBuilder {
  private readonly templates: HclParser;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly errors: LoadError[],
  ) {
    this.templates = new HclParser(text, file, "json");
  }

  /** Template errors come after the builder's own, in the order their strings were read. */
  finish(): void {
    this.errors.push(...this.templates.errors);
  }

  expression(node: JsonNode): Expression {
    const range = rangeOf(node);
    if (node.kind === "object")
      return { kind: "Object", items: node.members.map((member) => this.item(member)), ...range };
    if (node.kind === "array")
      return {
        kind: "Tuple",
        elements: node.elements.map((element) => this.expression(element)),
        ...range,
      };
    const { value } = node;
    if (typeof value === "string") return this.template(node, value);
    return { kind: "Literal", value, raw: this.text.slice(node.start, node.end), ...range };
  }

  private item(member: JsonMember): ObjectItem {
    const key = this.template(member.key, member.key.value);
    const value = this.expression(member.value);
    return {
      kind: "ObjectItem",
      key,
      keyName: staticName(key),
      value,
      line: key.line,
      column: key.column,
      endLine: value.endLine,
      endColumn: value.endColumn,
      start: key.start,
      end: value.end,
    };
  }

  /** A JSON string is a template: `"${var.x}"` has an interpolation positioned in the file. */
  private template(node: Range, value: string): Expression {
    // HCL decodes the JSON string first and parses the decoded text as a template, so template
    // syntax written with escapes (`"\u0024{var.x}"`, `"$\u007b..."`) is template syntax too.
    if (!/[$%]\{/.test(value)) return literalTemplate(value, rangeOf(node));
    const raw = this.text.slice(node.start + 1, node.end - 1);
    // The file's own text is parsed in place only where it reads as the decoded text does.
    if (TEMPLATE_CHARACTER_ESCAPE.test(raw)) return this.decodedTemplate(node, value);
    // HCL parses the decoded string as a bare template, where a CR (a `\r` escape) not followed
    // by a newline ends template syntax: the file's own text cannot be parsed in its place.
    if (/\r(?!\n)/.test(value)) return this.decodedTemplate(node, value);
    const parsed = this.templates.parseStringAt(
      node.start,
      node.line,
      node.start - node.column + 1,
    );
    if (parsed !== null && this.templates.offset === node.end) return parsed;
    if (parsed !== null || raw.includes("\\")) {
      // An interpolation with JSON escapes inside (`"${f(\"k\")}"`): parse the decoded text on its own.
      if (parsed === null) this.templates.errors.pop();
      return this.decodedTemplate(node, value);
    }
    return literalTemplate(raw, rangeOf(node));
  }

  /**
   * Parses the decoded string as a quoted template of its own; every node inside is then placed
   * on the whole string, since offsets in the decoded text are not the file's, and keeps its text
   * there (`decodedText`), as native syntax would write it (`lookup(var.m, "k")`).
   */
  private decodedTemplate(node: Range, value: string): Expression {
    const range = rangeOf(node);
    let marker = "TOLLGATE_JSON_STRING";
    while (value.includes(marker)) marker += "_";
    const asHeredoc = `x = <<${marker}\n${value}\n${marker}\n`;
    const { body, errors } = new HclParser(asHeredoc, this.file, "hcl", 1, marker).parseFile();
    const attribute = body.items[0];
    if (
      errors.length > 0 ||
      attribute === undefined ||
      attribute.kind !== "Attribute" ||
      attribute.expr.kind !== "Heredoc"
    ) {
      const first = errors[0];
      this.errors.push({
        file: this.file,
        line: node.line,
        column: node.column,
        message: `invalid template in a string: ${first === undefined ? "unreadable interpolation" : first.message}`,
        code: "hcl-syntax",
      });
      return { kind: "Invalid", ...range };
    }
    const parts = attribute.expr.parts;
    const last = parts[parts.length - 1];
    if (last !== undefined && last.kind === "TemplateLiteral") {
      last.value = last.value.slice(0, -1);
      if (last.value.length === 0) parts.pop();
    }
    const template: TemplateExpr = { kind: "Template", parts, ...range };
    placeAll(template, range, this.templates.lines, asHeredoc);
    template.decodedText = `"${value}"`;
    return template;
  }
}

function literalTemplate(value: string, range: Range): TemplateExpr {
  if (value.length === 0) return { kind: "Template", parts: [], ...range };
  const inner = {
    ...range,
    column: range.column + 1,
    endColumn: range.endColumn - 1,
    start: range.start + 1,
    end: range.end - 1,
  };
  return { kind: "Template", parts: [{ kind: "TemplateLiteral", value, ...inner }], ...range };
}

/**
 * Sets the position of a node and of every node under it, keeping the text at its offsets in
 * `parsed` as its `decodedText`. A parser node derives its lines from its offsets, so it takes
 * the range's offsets and the index of the file the range is in.
 */
function placeAll(node: object, range: Range, lines: LineIndex, parsed: string): void {
  if (node instanceof LineIndex) return;
  if (Array.isArray(node)) {
    for (const element of node)
      if (typeof element === "object" && element !== null) placeAll(element, range, lines, parsed);
    return;
  }
  if (isOffsetNode(node)) {
    const decodedText = parsed.slice(node.start, node.end);
    Object.assign(node, { start: range.start, end: range.end, lines, decodedText });
  } else if (typeof (node as Partial<Range>).start === "number") {
    const { start, end } = node as Range;
    Object.assign(node, { ...range, decodedText: parsed.slice(start, end) });
  }
  for (const value of Object.values(node))
    if (typeof value === "object" && value !== null) placeAll(value, range, lines, parsed);
}

function staticName(key: Expression): string | null {
  if (key.kind !== "Template") return null;
  let name = "";
  for (const part of key.parts) {
    if (part.kind !== "TemplateLiteral") return null;
    name += part.value;
  }
  return name;
}

function structureError(file: string, at: Range, message: string): LoadError {
  return { file, line: at.line, column: at.column, message, code: "tfjson-structure" };
}

/** An object, or a list of objects: what a nested block (or several) is written as in JSON. */
function mayBeBlocks(expr: Expression): boolean {
  return (
    expr.kind === "Object" ||
    (expr.kind === "Tuple" && expr.elements.every((element) => element.kind === "Object"))
  );
}

/**
 * How a name repeated in an object is judged, and how the objects in its value are: what a
 * nested block body or an argument's value allows differs, and so does who defines its names.
 */
interface RepeatRule {
  refuse(file: string, first: ObjectItem, again: ObjectItem): LoadError | undefined;
  within(name: string): RepeatRule;
}

function redefinedError(file: string, item: ObjectItem, first: ObjectItem): LoadError {
  return {
    file,
    line: item.line,
    column: item.column,
    code: "hcl-attribute-redefined",
    message: `argument '${item.keyName}' is already set at line ${first.line}; each argument may be set only once`,
  };
}

/**
 * A known argument's value is an expression, where HCL's JSON reader refuses a repeated key at
 * any depth ("Duplicate object attribute"), objects on both sides or not.
 */
const ARGUMENT_VALUE: RepeatRule = {
  refuse: (file, first, again) => ({
    file,
    line: again.line,
    column: again.column,
    code: "hcl-object-key-redefined",
    message: `key '${again.keyName}' is already set at line ${first.line}; an object may hold each key only once`,
  }),
  within: () => ARGUMENT_VALUE,
};

/**
 * Inside a provider-defined body, only the provider's schema tells a nested block's body from an
 * argument's object value; either way HCL refuses a name repeated with a value that is neither an
 * object, a list of objects nor null (a repeated argument, a repeated object key, or a block
 * written as a scalar), so such a repeat is reported at any depth.
 */
const PROVIDER_DEFINED: RepeatRule = {
  refuse: (file, first, again) => {
    if (again.keyName === COMMENT_KEY) return undefined;
    if (mayBeBlocksOrNull(first.value) && mayBeBlocksOrNull(again.value)) return undefined;
    return redefinedError(file, again, first);
  },
  within: () => PROVIDER_DEFINED,
};

/**
 * A nested block body Terraform decodes against its own schema: `blocks` are its nested block
 * types, with the rule inside each; every other name is an argument, so its repeat is an error
 * even with objects on both sides.
 */
function terraformBody(blocks: Record<string, RepeatRule> = {}): RepeatRule {
  const nested = new Map(Object.entries(blocks));
  return {
    refuse: (file, first, again) => {
      if (again.keyName === COMMENT_KEY) return undefined;
      const blockType = again.keyName !== null && nested.has(again.keyName);
      if (blockType && mayBeBlocksOrNull(first.value) && mayBeBlocksOrNull(again.value))
        return undefined;
      return redefinedError(file, again, first);
    },
    within: (name) => nested.get(name) ?? ARGUMENT_VALUE,
  };
}

/** `precondition`, `postcondition`, `validation` and `assert` (checkRuleSchema): all arguments. */
const CHECK_RULE = terraformBody();

/** A resource's `lifecycle` (internal/configs resourceLifecycleBlockSchema). */
const RESOURCE_LIFECYCLE = terraformBody({
  precondition: CHECK_RULE,
  postcondition: CHECK_RULE,
  action_trigger: terraformBody(),
});

/**
 * Top-level bodies Terraform decodes against its own schema (internal/configs): their nested
 * block types, with the rule inside each; every other name is an argument. A module call's
 * inputs are arguments too (its body is read as attributes).
 */
const TERRAFORM_BODIES: ReadonlyMap<string, ReadonlyMap<string, RepeatRule>> = new Map(
  Object.entries({
    terraform: {
      backend: PROVIDER_DEFINED,
      cloud: PROVIDER_DEFINED,
      required_providers: terraformBody(),
      provider_meta: PROVIDER_DEFINED,
    },
    locals: {},
    module: {},
    variable: { validation: CHECK_RULE },
    output: { precondition: CHECK_RULE },
    moved: {},
    import: {},
    removed: { lifecycle: terraformBody(), provisioner: PROVIDER_DEFINED },
    check: { data: PROVIDER_DEFINED, assert: CHECK_RULE },
  }).map(([type, blocks]) => [type, new Map(Object.entries(blocks))]),
);

const RESOURCE_META = {
  arguments: new Set(["count", "for_each", "depends_on", "provider"]),
  blocks: new Map([["lifecycle", RESOURCE_LIFECYCLE]]),
};

/**
 * Bodies whose names the provider defines, but for the arguments and nested block types
 * Terraform defines in them itself (resourceBlockSchema, dataBlockSchema, providerBlockSchema).
 * Other top-level types are not guessed at: their names are read as provider-defined.
 */
const TERRAFORM_META: ReadonlyMap<
  string,
  { arguments: ReadonlySet<string>; blocks: ReadonlyMap<string, RepeatRule> }
> = new Map([
  ["resource", RESOURCE_META],
  ["data", RESOURCE_META],
  ["ephemeral", RESOURCE_META],
  ["provider", { arguments: new Set(["alias", "version"]), blocks: new Map() }],
]);

/** Is `name` certainly an argument (not a nested block type) in the body of a `type` block? */
function isKnownArgument(type: string, name: string): boolean {
  const blocks = TERRAFORM_BODIES.get(type);
  if (blocks !== undefined) return !blocks.has(name);
  return TERRAFORM_META.get(type)?.arguments.has(name) ?? false;
}

/** The rule for the objects in the value of `name` in the body of a `type` block. */
function ruleWithin(type: string, name: string): RepeatRule {
  if (isKnownArgument(type, name)) return ARGUMENT_VALUE;
  return (
    TERRAFORM_BODIES.get(type)?.get(name) ??
    TERRAFORM_META.get(type)?.blocks.get(name) ??
    PROVIDER_DEFINED
  );
}

/**
 * Each key repeated in the objects of a value, at any depth, that `rule` (and inside a key's
 * value, the rule it gives for that key) turns into an error.
 */
function checkRepeatedKeys(
  file: string,
  expr: Expression,
  errors: LoadError[],
  rule: RepeatRule,
): void {
  if (expr.kind === "Tuple") {
    for (const element of expr.elements) checkRepeatedKeys(file, element, errors, rule);
    return;
  }
  if (expr.kind !== "Object") return;
  const seen = new Map<string, ObjectItem>();
  for (const item of expr.items) {
    const name = item.keyName;
    checkRepeatedKeys(file, item.value, errors, name === null ? rule : rule.within(name));
    if (name === null) continue;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, item);
    else {
      const error = rule.refuse(file, first, item);
      if (error) errors.push(error);
    }
  }
}

function mayBeBlocksOrNull(expr: Expression): boolean {
  return mayBeBlocks(expr) || (expr.kind === "Literal" && expr.value === null);
}

/** The objects a nested block name stands for: one object, or each object of a list. */
function blockObjects(expr: Expression): Expression[] {
  return expr.kind === "Tuple" ? expr.elements : [expr];
}

/** The first item of a name in a body and, once the name repeats as nested blocks, their merged list. */
interface NamedItem {
  first: ObjectItem;
  merged: (Attribute & { expr: TupleExpr }) | null;
}

/** The attribute that the nested blocks of a repeated name merge into, made on the first repeat. */
function mergedBlocks(named: NamedItem, items: BodyItem[]): Attribute & { expr: TupleExpr } {
  if (named.merged !== null) return named.merged;
  const index = items.findIndex(
    (existing) => existing.kind === "Attribute" && existing.name === named.first.keyName,
  );
  const attribute = items[index] as Attribute;
  const merged = {
    ...attribute,
    expr: {
      kind: "Tuple" as const,
      elements: blockObjects(named.first.value),
      ...rangeOf(named.first.value),
    },
  };
  items[index] = merged;
  named.merged = merged;
  return merged;
}

function toBody(file: string, type: string, object: ObjectExpr, errors: LoadError[]): Body {
  const items: BodyItem[] = [];
  // Where a name stands for nested blocks given more than once, the list they merge into.
  const named = new Map<string, NamedItem>();
  for (const item of object.items) {
    if (item.keyName === COMMENT_KEY) continue;
    if (item.keyName === null) {
      errors.push(
        structureError(file, item.key, "an argument name cannot contain '${' interpolation"),
      );
      continue;
    }
    checkRepeatedKeys(file, item.value, errors, ruleWithin(type, item.keyName));
    // As HCL's JSON reader does with the schema: a repeated argument is an error, and a repeated
    // nested block type adds its blocks to the earlier ones. Without a provider's schema, a name
    // with objects on both sides is read as nested blocks, the only reading Terraform accepts.
    const earlier = named.get(item.keyName);
    if (earlier === undefined) named.set(item.keyName, { first: item, merged: null });
    else if (
      !mayBeBlocks(earlier.first.value) ||
      !mayBeBlocks(item.value) ||
      isKnownArgument(type, item.keyName)
    ) {
      errors.push(redefinedError(file, item, earlier.first));
    } else if (item.keyName !== "dynamic") {
      // `dynamic` items are expanded one by one (see jsonDynamicBlocks), so they stay apart.
      const merged = mergedBlocks(earlier, items);
      merged.expr.elements = [...merged.expr.elements, ...blockObjects(item.value)];
      const end = { endLine: item.endLine, endColumn: item.endColumn, end: item.end };
      Object.assign(merged, end);
      Object.assign(merged.expr, end);
      continue;
    }
    items.push({
      kind: "Attribute",
      name: item.keyName,
      nameRange: rangeOf(item.key),
      expr: item.value,
      line: item.line,
      column: item.column,
      endLine: item.endLine,
      endColumn: item.endColumn,
      start: item.start,
      end: item.end,
    });
  }
  return { kind: "Body", syntax: "json", items, ...rangeOf(object) };
}

/** Blocks of one top-level type: `value` holds `remaining` more levels of labels, then bodies; arrays repeat a level. */
function collectBlocks(
  file: string,
  type: string,
  typeRange: Range,
  value: Expression,
  remaining: number,
  labels: BlockLabel[],
  out: BodyItem[],
  errors: LoadError[],
  repeated = false,
): void {
  if (value.kind === "Tuple") {
    for (const element of value.elements)
      collectBlocks(file, type, typeRange, element, remaining, labels, out, errors, true);
    return;
  }
  if (value.kind !== "Object") {
    const wanted =
      remaining > 0
        ? `an object keyed by ${type} label`
        : `an object holding the body of '${type}'`;
    errors.push(
      structureError(
        file,
        value,
        `expected ${wanted}, found a ${value.kind === "Template" ? "string" : "value"}`,
      ),
    );
    return;
  }
  if (remaining > 0) {
    for (const item of value.items) {
      if (item.keyName === COMMENT_KEY) continue;
      if (item.keyName === null) {
        errors.push(
          structureError(file, item.key, `a label of '${type}' cannot contain '\${' interpolation`),
        );
        continue;
      }
      const label: BlockLabel = {
        kind: "BlockLabel",
        value: item.keyName,
        quoted: true,
        ...rangeOf(item.key),
      };
      collectBlocks(
        file,
        type,
        typeRange,
        item.value,
        remaining - 1,
        [...labels, label],
        out,
        errors,
      );
    }
    return;
  }
  // A block starts at its innermost label (`"logs": {`), or at its own object when it is one of a list.
  const first = repeated ? value : (labels[labels.length - 1] ?? typeRange);
  const block: Block = {
    kind: "Block",
    type,
    typeRange,
    labels,
    body: toBody(file, type, value, errors),
    line: first.line,
    column: first.column,
    endLine: value.endLine,
    endColumn: value.endColumn,
    start: first.start,
    end: value.end,
  };
  out.push(block);
}

/** The document as one expression, or null after a JSON syntax error. */
function readRoot(text: string, file: string, errors: LoadError[]): Expression | null {
  const json = readJson(text, MAX_NESTING_DEPTH);
  if ("error" in json) {
    const { line, column, message } = json.error;
    errors.push({ file, line, column, message, code: "tfjson-syntax" });
    return null;
  }
  const builder = new ExpressionBuilder(text, file, errors);
  const root = builder.expression(json.root);
  builder.finish();
  return root;
}

/** Parses a `.tf.json` file into the native-syntax body shape (see TOP_LEVEL_LABELS). */
export function parseTfJson(text: string, file: string): { body: Body; errors: LoadError[] } {
  const errors: LoadError[] = [];
  const root = readRoot(text, file, errors);
  const items: BodyItem[] = [];
  if (root !== null && root.kind !== "Object") {
    errors.push(
      structureError(
        file,
        root,
        "a .tf.json file must hold one JSON object whose properties are block types",
      ),
    );
  } else if (root !== null) {
    for (const item of root.items) {
      if (item.keyName === COMMENT_KEY) continue;
      if (item.keyName === null) {
        errors.push(
          structureError(file, item.key, "a block type cannot contain '${' interpolation"),
        );
        continue;
      }
      const typeRange = rangeOf(item.key);
      collectBlocks(
        file,
        item.keyName,
        typeRange,
        item.value,
        TOP_LEVEL_LABELS.get(item.keyName) ?? 0,
        [],
        items,
        errors,
      );
    }
  }
  const whole: Range =
    root !== null
      ? rangeOf(root)
      : { line: 1, column: 1, endLine: 1, endColumn: 1, start: 0, end: 0 };
  return { body: { kind: "Body", syntax: "json", items, ...whole }, errors };
}
