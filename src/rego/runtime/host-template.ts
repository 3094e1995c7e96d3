// OPA's strings.render_template: a Go text/template executed over the variables object with
// missingkey=error. The variables reach Go through JSON, so every number is a float64 and prints
// as Go's %v prints one ("2023", "1.5", "1e+06"). Supported: text, {{/* comments */}}, trim
// markers, fields (.a.b), variables ($, $x, $x.a), string/number/bool literals, pipes, ( ),
// {{$x := ...}}, if/else if/else, range (with $i, $v :=, and else), with/else, and the functions
// and, or, not, len, index, eq, ne, lt, le, gt, ge, print, println and printf (Go's fmt: a
// variable's number is a float64, so `%d` of one prints `%!d(float64=3)` as in OPA, while an
// integer constant or `len` is an int). Anything else of Go's (define, template, block, break,
// continue, ...) is an error that names it. One
// approximation: numbers compare by value, where Go refuses to compare a variable (a float64)
// with an integer literal (`gt .n 3`; `gt .n 3.0` works in both).
import { isObject } from "./host-operands.js";
import { RegoNumber, RegoSet, type HostValue } from "./host-value.js";
import { formatGoArgs, type GoArg } from "./sprintf.js";

/** The most template text, or output, rendered: Go has no limit, a scan needs one. */
const MAX_OUTPUT = 10_000_000;

class TemplateError extends Error {}

// ---- parsing ----

type Operand =
  | { kind: "field"; base: "dot" | string; path: string[] }
  /** `int`: an integer constant, which Go passes to a function as an int, not a float64. */
  | { kind: "literal"; value: HostValue; int?: boolean }
  | { kind: "function"; name: string }
  | { kind: "pipeline"; pipeline: Pipeline };

interface Pipeline {
  declare: string[];
  commands: Operand[][];
}

interface Block {
  kind: "if" | "with" | "range";
  line: number;
  pipeline: Pipeline;
  body: Node[];
  otherwise: Node[];
}

type Node =
  { kind: "text"; text: string } | { kind: "action"; line: number; pipeline: Pipeline } | Block;

const FUNCTIONS = new Set("and or not len index eq ne lt le gt ge print println printf".split(" "));
const UNSUPPORTED = new Set(
  "define template block break continue call html js urlquery slice".split(" "),
);

/** An action's text split into tokens: strings, numbers, words, fields, variables, punctuation. */
function tokenize(text: string, line: number): string[] {
  const tokens: string[] = [];
  const pattern =
    /\s+|"(?:[^"\\]|\\.)*"|`[^`]*`|:=|[|(),=]|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\$[\p{L}\p{N}_]*(?:\.[\p{L}\p{N}_]+)*|(?:\.[\p{L}\p{N}_]+)+|\.|[\p{L}_][\p{L}\p{N}_]*/uy;
  let at = 0;
  while (at < text.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (match === null)
      throw new TemplateError(
        `template: template:${line}: unexpected ${JSON.stringify(text[at])} in command`,
      );
    if (match[0].trim() !== "") tokens.push(match[0]);
    at = pattern.lastIndex;
  }
  return tokens;
}

class Parser {
  private position = 0;

  constructor(
    private readonly tokens: string[],
    private readonly line: number,
  ) {}

  private fail(message: string): never {
    throw new TemplateError(`template: template:${this.line}: ${message}`);
  }

  done(): boolean {
    return this.position >= this.tokens.length;
  }

  peek(): string | undefined {
    return this.tokens[this.position];
  }

  pipeline(closing?: string): Pipeline {
    const declare: string[] = [];
    const assign = this.tokens.findIndex((t, i) => i >= this.position && (t === ":=" || t === "="));
    if (assign > 0 && this.tokens[this.position]?.startsWith("$")) {
      for (const token of this.tokens.slice(this.position, assign))
        if (token !== ",") {
          if (!/^\$[\p{L}\p{N}_]*$/u.test(token)) this.fail(`unexpected ${token} in declaration`);
          declare.push(token);
        }
      this.position = assign + 1;
    }
    const commands: Operand[][] = [[]];
    while (!this.done() && this.peek() !== closing) {
      const token = this.tokens[this.position++]!;
      if (token === "|") {
        if (commands.at(-1)!.length === 0) this.fail("missing command before |");
        commands.push([]);
      } else commands.at(-1)!.push(this.operand(token));
    }
    if (commands.at(-1)!.length === 0) this.fail("missing value for command");
    return { declare, commands };
  }

  private operand(token: string): Operand {
    if (token === "(") {
      const inner = this.pipeline(")");
      if (this.tokens[this.position++] !== ")") this.fail("unclosed left paren");
      return { kind: "pipeline", pipeline: inner };
    }
    if (token.startsWith('"')) return { kind: "literal", value: JSON.parse(token) as string };
    if (token.startsWith("`")) return { kind: "literal", value: token.slice(1, -1) };
    if (/^-?\d/.test(token))
      return { kind: "literal", value: Number(token), int: /^-?\d+$/.test(token) };
    if (token === "true" || token === "false") return { kind: "literal", value: token === "true" };
    if (token === "nil") return { kind: "literal", value: null };
    if (token === ".") return { kind: "field", base: "dot", path: [] };
    if (token.startsWith("."))
      return { kind: "field", base: "dot", path: token.slice(1).split(".") };
    if (token.startsWith("$")) {
      const [name = "$", ...path] = token.split(".");
      return { kind: "field", base: name, path };
    }
    if (FUNCTIONS.has(token)) return { kind: "function", name: token };
    if (UNSUPPORTED.has(token))
      this.fail(`${JSON.stringify(token)} is not supported by strings.render_template here`);
    return this.fail(`function ${JSON.stringify(token)} not defined`);
  }
}

interface Action {
  line: number;
  words: string[];
}

/** Splits the template into text and actions, applying `{{-` and `-}}` trimming. */
function scan(template: string): (string | Action)[] {
  const parts: (string | Action)[] = [];
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf("{{", at);
    if (open < 0) {
      parts.push(template.slice(at));
      break;
    }
    let text = template.slice(at, open);
    const line = template.slice(0, open).split("\n").length;
    let inner = open + 2;
    if (/^-[ \t\r\n]/.test(template.slice(inner, inner + 2))) {
      text = text.replace(/\s+$/, "");
      inner += 2;
    }
    parts.push(text);
    const comment = template.startsWith("/*", inner);
    const commentEnd = comment ? template.indexOf("*/", inner + 2) : inner;
    if (commentEnd < 0) throw new TemplateError(`template: template:${line}: unclosed comment`);
    const close = template.indexOf("}}", commentEnd);
    if (close < 0) throw new TemplateError(`template: template:${line}: unclosed action`);
    let body = template.slice(inner, close);
    at = close + 2;
    if (/[ \t\r\n]-$/.test(body)) {
      body = body.slice(0, -2);
      const rest = template.slice(at);
      at += rest.length - rest.replace(/^\s+/, "").length;
    }
    if (comment) continue;
    parts.push({ line, words: tokenize(body, line) });
  }
  return parts;
}

/** Builds the node tree; `until` names the keywords that end the current list. */
function parseList(
  parts: (string | Action)[],
  cursor: { at: number },
  nested: boolean,
): { nodes: Node[]; end?: Action } {
  const nodes: Node[] = [];
  while (cursor.at < parts.length) {
    const part = parts[cursor.at++]!;
    if (typeof part === "string") {
      if (part !== "") nodes.push({ kind: "text", text: part });
      continue;
    }
    const [keyword] = part.words;
    if (keyword === "end" || keyword === "else") {
      if (!nested)
        throw new TemplateError(`template: template:${part.line}: unexpected {{${keyword}}}`);
      return { nodes, end: part };
    }
    if (keyword === "if" || keyword === "with" || keyword === "range") {
      nodes.push(parseBlock(keyword, part, parts, cursor));
      continue;
    }
    const parser = new Parser(part.words, part.line);
    nodes.push({ kind: "action", line: part.line, pipeline: parser.pipeline() });
  }
  if (nested) throw new TemplateError("template: template: unexpected EOF");
  return { nodes };
}

function parseBlock(
  kind: "if" | "with" | "range",
  action: Action,
  parts: (string | Action)[],
  cursor: { at: number },
): Block {
  const pipeline = new Parser(action.words.slice(1), action.line).pipeline();
  const body = parseList(parts, cursor, true);
  let otherwise: Node[] = [];
  const end = body.end!;
  if (end.words[0] === "else") {
    if (end.words.length > 1 && (end.words[1] === "if" || end.words[1] === "with")) {
      // `{{else if x}}` is `{{else}}{{if x}}...{{end}}` sharing the one {{end}}.
      const chained = { line: end.line, words: end.words.slice(1) };
      otherwise = [parseBlock(end.words[1], chained, parts, cursor)];
    } else {
      const rest = parseList(parts, cursor, true);
      if (rest.end!.words[0] !== "end")
        throw new TemplateError(`template: template:${rest.end!.line}: expected end; found else`);
      otherwise = rest.nodes;
    }
  }
  return { kind, line: action.line, pipeline, body: body.nodes, otherwise };
}

// ---- executing ----

/** Go's fmt %v of a float64: shortest digits, with an exponent from 1e+06 up or below 1e-04. */
function goFloat(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? "NaN" : n > 0 ? "+Inf" : "-Inf";
  if (n === 0) return "0";
  const [mantissa = "", exponentText = "0"] = n.toExponential().split("e");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6)
    return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  return String(n);
}

/** Whether a command gives a Go int: an integer constant, `len`, or a pipeline ending in one. */
function yieldsInt(command: readonly Operand[]): boolean {
  const [head] = command;
  if (head?.kind === "literal") return head.int === true;
  if (head?.kind === "function") return head.name === "len";
  if (head?.kind === "pipeline") {
    const last = head.pipeline.commands.at(-1);
    return last !== undefined && yieldsInt(last);
  }
  return false;
}

/** A template value as printf's fmt sees it: JSON numbers are float64, the rest Go's types. */
function goArg(value: HostValue | undefined, int: boolean): GoArg {
  if (value === undefined || value === null) return { kind: "nil" };
  if (typeof value === "string") return { kind: "string", value };
  if (typeof value === "boolean") return { kind: "bool", value };
  if (typeof value === "number" || value instanceof RegoNumber) {
    const n = typeof value === "number" ? value : Number(value.text);
    return int && Number.isSafeInteger(n)
      ? { kind: "int", value: BigInt(n) }
      : { kind: "float", value: n };
  }
  if (value instanceof RegoSet) return goArg(value.elements, false);
  if (Array.isArray(value)) return { kind: "slice", elements: value.map((e) => goArg(e, false)) };
  return {
    kind: "map",
    entries: Object.keys(value)
      .sort()
      .map((key) => [key, goArg(value[key], false)]),
  };
}

/** fmt.Fprint of a value decoded from JSON into Go's `any`. */
function goText(v: HostValue | undefined): string {
  if (v === undefined || v === null) return "<no value>";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number") return goFloat(v);
  if (v instanceof RegoNumber) return goFloat(Number(v.text));
  if (v instanceof RegoSet) return goText(v.elements);
  if (Array.isArray(v)) return `[${v.map(goElement).join(" ")}]`;
  return `map[${Object.keys(v)
    .sort()
    .map((key) => `${key}:${goElement(v[key]!)}`)
    .join(" ")}]`;
}

const goElement = (v: HostValue): string => (v === null ? "<nil>" : goText(v));

function truth(v: HostValue | undefined): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (v instanceof RegoNumber) return Number(v.text) !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof RegoSet) return v.elements.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

const numeric = (v: HostValue | undefined) =>
  typeof v === "number" ? v : v instanceof RegoNumber ? Number(v.text) : undefined;

class Execution {
  private output = "";
  private readonly variables: Map<string, HostValue | undefined>[];

  constructor(private readonly data: HostValue) {
    this.variables = [new Map([["$", data]])];
  }

  private fail(line: number, message: string): never {
    throw new TemplateError(`template: template:${line}: executing "template": ${message}`);
  }

  private lookup(name: string, line: number): HostValue | undefined {
    for (let i = this.variables.length - 1; i >= 0; i--)
      if (this.variables[i]!.has(name)) return this.variables[i]!.get(name);
    return this.fail(line, `undefined variable: ${name}`);
  }

  private field(value: HostValue | undefined, path: string[], line: number) {
    let current = value;
    for (const name of path) {
      if (!isObject(current))
        this.fail(
          line,
          current === null || current === undefined
            ? `nil pointer evaluating interface {}.${name}`
            : `can't evaluate field ${name} in type ${Array.isArray(current) ? "[]interface {}" : typeof current}`,
        );
      if (!Object.hasOwn(current, name)) this.fail(line, `map has no entry for key "${name}"`);
      current = current[name];
    }
    return current;
  }

  private operand(operand: Operand, dot: HostValue | undefined, line: number) {
    switch (operand.kind) {
      case "literal":
        return operand.value;
      case "field":
        return this.field(
          operand.base === "dot" ? dot : this.lookup(operand.base, line),
          operand.path,
          line,
        );
      case "pipeline":
        return this.pipeline(operand.pipeline, dot, line);
      case "function":
        return this.fail(line, `${operand.name} is a function, not a value`);
    }
  }

  private call(name: string, args: (HostValue | undefined)[], line: number): HostValue | undefined {
    const compare = (a: HostValue | undefined, b: HostValue | undefined): number => {
      const x = numeric(a);
      const y = numeric(b);
      if (x !== undefined && y !== undefined) return Math.sign(x - y);
      if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
      return this.fail(line, `error calling ${name}: incompatible types for comparison`);
    };
    const [first, ...rest] = args;
    switch (name) {
      case "and":
        return args.find((arg) => !truth(arg)) ?? args.at(-1);
      case "or":
        return args.find((arg) => truth(arg)) ?? args.at(-1);
      case "not":
        return !truth(first);
      case "len": {
        if (typeof first === "string") return Buffer.byteLength(first);
        if (Array.isArray(first)) return first.length;
        if (first instanceof RegoSet) return first.elements.length;
        if (isObject(first)) return Object.keys(first).length;
        return this.fail(line, `error calling len: len of type ${typeof first}`);
      }
      case "index": {
        let current = first;
        for (const key of rest) {
          if (Array.isArray(current) && numeric(key) !== undefined) {
            const i = numeric(key)!;
            if (!Number.isInteger(i) || i < 0 || i >= current.length)
              this.fail(line, `error calling index: index out of range: ${i}`);
            current = current[i];
          } else if (isObject(current) && typeof key === "string")
            current = Object.hasOwn(current, key) ? current[key] : undefined;
          else this.fail(line, "error calling index: cannot index this value");
        }
        return current;
      }
      case "eq":
        return rest.some((arg) => compare(first, arg) === 0);
      case "ne":
        return compare(first, rest[0]) !== 0;
      case "lt":
        return compare(first, rest[0]) < 0;
      case "le":
        return compare(first, rest[0]) <= 0;
      case "gt":
        return compare(first, rest[0]) > 0;
      case "ge":
        return compare(first, rest[0]) >= 0;
      case "print":
        return args
          .map((arg, i) => {
            const spaced = i > 0 && typeof arg !== "string" && typeof args[i - 1] !== "string";
            return (spaced ? " " : "") + goText(arg ?? null);
          })
          .join("");
      default:
        return `${args.map((arg) => goText(arg ?? null)).join(" ")}\n`;
    }
  }

  private pipeline(pipeline: Pipeline, dot: HostValue | undefined, line: number) {
    let value: HostValue | undefined;
    pipeline.commands.forEach((command, i) => {
      const [head, ...args] = command;
      if (head?.kind === "function" && head.name === "printf") {
        const goArgs = args.map((arg) => goArg(this.operand(arg, dot, line), yieldsInt([arg])));
        if (i > 0) goArgs.push(goArg(value, yieldsInt(pipeline.commands[i - 1]!)));
        const [format, ...rest] = goArgs;
        if (format?.kind !== "string")
          this.fail(line, "error calling printf: the format must be a string");
        value = formatGoArgs(format.value, rest);
      } else if (head?.kind === "function") {
        const values = args.map((arg) => this.operand(arg, dot, line));
        if (i > 0) values.push(value);
        value = this.call(head.name, values, line);
      } else {
        if (command.length > 1 || i > 0) this.fail(line, "can't give argument to non-function");
        value = this.operand(head!, dot, line);
      }
    });
    const scope = this.variables.at(-1)!;
    for (const name of pipeline.declare) scope.set(name, value);
    return value;
  }

  private write(text: string): void {
    this.output += text;
    if (this.output.length > MAX_OUTPUT)
      throw new TemplateError(`template: output is over ${MAX_OUTPUT} characters`);
  }

  run(nodes: Node[], dot: HostValue | undefined): void {
    for (const node of nodes) {
      if (node.kind === "text") this.write(node.text);
      else if (node.kind === "action") {
        const value = this.pipeline(node.pipeline, dot, node.line);
        if (node.pipeline.declare.length === 0) this.write(goText(value));
      } else if (node.kind === "range") this.range(node, dot);
      else {
        this.variables.push(new Map());
        const value = this.pipeline(node.pipeline, dot, node.line);
        const chosen = truth(value) ? node.body : node.otherwise;
        this.run(chosen, node.kind === "with" && truth(value) ? value : dot);
        this.variables.pop();
      }
    }
  }

  private range(node: Block, dot: HostValue | undefined): void {
    const declare = node.pipeline.declare;
    this.variables.push(new Map());
    const value = this.pipeline({ declare: [], commands: node.pipeline.commands }, dot, node.line);
    const entries: [HostValue, HostValue][] = Array.isArray(value)
      ? value.map((item, i) => [i, item])
      : value instanceof RegoSet
        ? value.elements.map((item, i) => [i, item])
        : isObject(value)
          ? Object.keys(value)
              .sort()
              .map((key) => [key, value[key]!])
          : value === null || value === undefined
            ? []
            : this.fail(node.line, `range can't iterate over ${goText(value)}`);
    for (const [key, item] of entries) {
      const scope = this.variables.at(-1)!;
      if (declare.length === 1) scope.set(declare[0]!, item);
      if (declare.length === 2) {
        scope.set(declare[0]!, key);
        scope.set(declare[1]!, item);
      }
      this.run(node.body, item);
    }
    if (entries.length === 0) this.run(node.otherwise, dot);
    this.variables.pop();
  }

  result(): string {
    return this.output;
  }
}

/** strings.render_template(template, variables). */
export function renderTemplate(template: string, variables: HostValue): string {
  const { nodes } = parseList(scan(template), { at: 0 }, false);
  const execution = new Execution(variables);
  execution.run(nodes, variables);
  return execution.result();
}
