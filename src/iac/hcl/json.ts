// `.tf.json` files: a positioned JSON reader whose values become the same expression nodes as
// native syntax (objects, tuples, literals, and strings as templates), and the mapping of
// Terraform's top-level block types (`resource "t" "n"` = `{"resource": {"t": {"n": {...}}}}`).
// Hand-written because JSON.parse (1) keeps no positions and (2) drops duplicate keys.

import type { LoadError } from "../../model/types.js";
import type {
  Block,
  BlockLabel,
  Body,
  BodyItem,
  Expression,
  ObjectExpr,
  ObjectItem,
  Range,
  TemplateExpr,
} from "./ast.js";
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

/** Property name that JSON syntax reserves for comments, in the root and in every block body. */
const COMMENT_KEY = "//";

class JsonFailure {
  constructor(readonly error: LoadError) {}
}

class JsonReader {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private depth = 0;
  private readonly templates: HclParser;

  constructor(
    private readonly text: string,
    private readonly file: string,
    readonly errors: LoadError[],
  ) {
    if (text.charCodeAt(0) === 0xfeff) {
      this.pos = 1;
      this.lineStart = 1;
    }
    this.templates = new HclParser(text, file, "json");
  }

  readDocument(): Expression | null {
    try {
      const value = this.readValue();
      this.skipSpace();
      if (this.pos < this.text.length)
        this.fail("unexpected text after the JSON value; a .tf.json file holds exactly one object");
      return value;
    } catch (failure) {
      if (!(failure instanceof JsonFailure)) throw failure;
      this.errors.push(failure.error);
      return null;
    } finally {
      this.errors.push(...this.templates.errors);
    }
  }

  private fail(message: string): never {
    throw new JsonFailure({
      file: this.file,
      line: this.line,
      column: this.pos - this.lineStart + 1,
      message,
      code: "tfjson-syntax",
    });
  }

  private skipSpace(): void {
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 13) this.pos++;
      else if (c === 10) {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
      } else return;
    }
  }

  private found(): string {
    if (this.pos >= this.text.length) return "end of file";
    return `'${String.fromCodePoint(this.text.codePointAt(this.pos) ?? 0)}'`;
  }

  private endRange(start: number, line: number, column: number): Range {
    return {
      line,
      column,
      endLine: this.line,
      endColumn: this.pos - this.lineStart + 1,
      start,
      end: this.pos,
    };
  }

  private readValue(): Expression {
    this.skipSpace();
    const start = this.pos;
    const line = this.line;
    const column = start - this.lineStart + 1;
    const c = this.text.charCodeAt(start);
    if (c === 123 || c === 91) {
      if (++this.depth > MAX_NESTING_DEPTH)
        this.fail(`nesting deeper than ${MAX_NESTING_DEPTH} levels`);
      const value =
        c === 123 ? this.readObject(start, line, column) : this.readArray(start, line, column);
      this.depth--;
      return value;
    }
    if (c === 34) return this.readString();
    if (c === 45 || (c >= 48 && c <= 57)) {
      const match = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
      match.lastIndex = start;
      const found = match.exec(this.text);
      if (found === null) this.fail(`invalid number; expected digits after '-'`);
      const raw = found[0];
      this.pos = start + raw.length;
      return { kind: "Literal", value: Number(raw), raw, ...this.endRange(start, line, column) };
    }
    for (const [word, value] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (this.text.startsWith(word, start)) {
        this.pos = start + word.length;
        return { kind: "Literal", value, raw: word, ...this.endRange(start, line, column) };
      }
    }
    return this.fail(
      `expected a JSON value (object, array, string, number, true, false or null), found ${this.found()}`,
    );
  }

  private readObject(start: number, line: number, column: number): ObjectExpr {
    this.pos++;
    const items: ObjectItem[] = [];
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 125) {
      this.pos++;
      return { kind: "Object", items, ...this.endRange(start, line, column) };
    }
    for (;;) {
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 34)
        this.fail(`expected a property name in double quotes, found ${this.found()}`);
      const key = this.readString();
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 58)
        this.fail(`expected ':' after the property name, found ${this.found()}`);
      this.pos++;
      const value = this.readValue();
      items.push({
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
      });
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 125) break;
      if (c !== 44) {
        this.pos--;
        this.fail(`expected ',' or '}' after an object property, found ${this.found()}`);
      }
    }
    return { kind: "Object", items: items.slice(), ...this.endRange(start, line, column) };
  }

  private readArray(start: number, line: number, column: number): Expression {
    this.pos++;
    const elements: Expression[] = [];
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 93) {
      this.pos++;
      return { kind: "Tuple", elements, ...this.endRange(start, line, column) };
    }
    for (;;) {
      elements.push(this.readValue());
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 93) break;
      if (c !== 44) {
        this.pos--;
        this.fail(`expected ',' or ']' after an array element, found ${this.found()}`);
      }
    }
    return { kind: "Tuple", elements: elements.slice(), ...this.endRange(start, line, column) };
  }

  /** A JSON string is a template: `"${var.x}"` has an interpolation positioned in the file. */
  private readString(): Expression {
    const text = this.text;
    const start = this.pos;
    const line = this.line;
    const column = start - this.lineStart + 1;
    let p = start + 1;
    let escaped = false;
    let templated = false;
    for (;;) {
      if (p >= text.length) this.fail("unterminated string; add a closing '\"'");
      const c = text.charCodeAt(p);
      if (c === 34) break;
      if (c < 32) {
        this.pos = p;
        this.fail("control character in a string; write it as an escape such as \\n or \\t");
      }
      if (c === 92) {
        escaped = true;
        p += 2;
        continue;
      }
      if ((c === 36 || c === 37) && text.charCodeAt(p + 1) === 123) templated = true;
      p++;
    }
    const end = p + 1;
    if (!templated) {
      let value = text.slice(start + 1, p);
      if (escaped) {
        try {
          value = JSON.parse(text.slice(start, end)) as string;
        } catch {
          this.pos = start;
          this.fail('invalid escape in a string; use \\n, \\t, \\", \\\\, \\/ or \\uNNNN');
        }
      }
      this.pos = end;
      return this.literalTemplate(value, start, line, column);
    }
    const parsed = this.templates.parseStringAt(start, line, this.lineStart);
    this.pos = end;
    if (parsed !== null && this.templates.offset === end) return parsed;
    if (parsed !== null || escaped) {
      // An interpolation with JSON escapes inside (`"${f(\"k\")}"`): parse the decoded text on its own.
      if (parsed === null) this.templates.errors.pop();
      return this.decodedTemplate(start, end, line, column);
    }
    this.pos = end;
    return this.literalTemplate(text.slice(start + 1, p), start, line, column);
  }

  private literalTemplate(
    value: string,
    start: number,
    line: number,
    column: number,
  ): TemplateExpr {
    const range = this.endRange(start, line, column);
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
   * Decodes the JSON string and parses the result as a quoted template of its own; every node
   * inside is then placed on the whole string, since offsets in the decoded text are not the file's.
   */
  private decodedTemplate(start: number, end: number, line: number, column: number): Expression {
    const range = this.endRange(start, line, column);
    let decoded: string;
    try {
      decoded = JSON.parse(this.text.slice(start, end)) as string;
    } catch {
      this.pos = start;
      return this.fail('invalid escape in a string; use \\n, \\t, \\", \\\\, \\/ or \\uNNNN');
    }
    const asHeredoc = `x = <<TOLLGATE_JSON_STRING\n${decoded}\nTOLLGATE_JSON_STRING\n`;
    const { body, errors } = new HclParser(asHeredoc, this.file).parseFile();
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
        line,
        column,
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
    placeAll(template, range);
    return template;
  }
}

/** Sets the position of a node and of every node under it. */
function placeAll(node: object, range: Range): void {
  if (Array.isArray(node)) {
    for (const element of node)
      if (typeof element === "object" && element !== null) placeAll(element, range);
    return;
  }
  const record = node as Record<string, unknown>;
  if (typeof record.start === "number") Object.assign(record, range);
  for (const value of Object.values(record))
    if (typeof value === "object" && value !== null) placeAll(value, range);
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

function toBody(file: string, object: ObjectExpr, errors: LoadError[]): Body {
  const items: BodyItem[] = [];
  for (const item of object.items) {
    if (item.keyName === COMMENT_KEY) continue;
    if (item.keyName === null) {
      errors.push(
        structureError(file, item.key, "an argument name cannot contain '${' interpolation"),
      );
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

function rangeOf(node: Range): Range {
  return {
    line: node.line,
    column: node.column,
    endLine: node.endLine,
    endColumn: node.endColumn,
    start: node.start,
    end: node.end,
  };
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
    body: toBody(file, value, errors),
    line: first.line,
    column: first.column,
    endLine: value.endLine,
    endColumn: value.endColumn,
    start: first.start,
    end: value.end,
  };
  out.push(block);
}

/** Parses a `.tf.json` file into the native-syntax body shape (see TOP_LEVEL_LABELS). */
export function parseTfJson(text: string, file: string): { body: Body; errors: LoadError[] } {
  const errors: LoadError[] = [];
  const root = new JsonReader(text, file, errors).readDocument();
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
