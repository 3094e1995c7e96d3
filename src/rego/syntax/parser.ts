// The Rego v1 (OPA 1.x) parser: source text to a located AST, or located `rego_parse_error`s.
// Hand-written recursive descent (no parser generator is installed, and Rego's newline-separated
// bodies, `|` meaning both comprehension and union, and keyword-dependent heads are far simpler
// to get right, and to report on with "expected ...", in code than in a grammar DSL). Runs in
// one pass over a lazy lexer, with nesting depth bounded so hostile input cannot exhaust the stack.

import { parse as parseYaml } from "yaml";
import type {
  Annotation,
  AnnotationScope,
  Body,
  CallTerm,
  Expr,
  Import,
  JsonValue,
  Location,
  Module,
  PackageDecl,
  RefTerm,
  Rule,
  RuleHead,
  RuleKind,
  Term,
  VarTerm,
  WithModifier,
} from "./ast.js";
import { regoError, type RegoError, type RegoWarning } from "./errors.js";
import { Lexer, type Token } from "./lexer.js";
import { formatTerm } from "./printer.js";

/** Deepest nesting of terms, bodies and rules accepted; deeper input gets a located error. */
const MAX_DEPTH = 200;

export const KEYWORDS = new Set([
  "as",
  "contains",
  "default",
  "else",
  "every",
  "false",
  "if",
  "import",
  "in",
  "not",
  "null",
  "package",
  "some",
  "true",
  "with",
]);

const RELATION_OPERATORS: Record<string, string> = {
  "==": "equal",
  "!=": "neq",
  "<": "lt",
  "<=": "lte",
  ">": "gt",
  ">=": "gte",
};
const ARITH_OPERATORS: Record<string, string> = { "+": "plus", "-": "minus" };
const FACTOR_OPERATORS: Record<string, string> = { "*": "mul", "/": "div", "%": "rem" };

class ParseFailure {
  constructor(readonly error: RegoError) {}
}

export interface ParseResult {
  module?: Module;
  errors: RegoError[];
  /** Valid Rego that likely does not mean what it says; found while parsing, so given either way. */
  warnings: RegoWarning[];
}

/** Parses one Rego module; never throws on bad input. */
export function parseModule(text: string, file: string): ParseResult {
  const parser = new Parser(text, file);
  try {
    const module = parser.module();
    const tooDeep = locateTooDeep(module);
    const { warnings } = parser;
    if (tooDeep) {
      const error = regoError("rego_parse_error", tooDeep, "expression nested too deeply");
      return { errors: [error], warnings };
    }
    const errors = parser.attachAnnotations(module);
    return errors.length > 0 ? { errors, warnings } : { module, errors: [], warnings };
  } catch (failure) {
    if (failure instanceof ParseFailure)
      return { errors: [failure.error], warnings: parser.warnings };
    if (failure instanceof RangeError) {
      const error = regoError("rego_parse_error", parser.here(), "input nested too deeply");
      return { errors: [error], warnings: parser.warnings };
    }
    throw failure;
  }
}

interface StatementStart {
  line: number;
  target: Module | Rule;
}

class Parser {
  private readonly lexer: Lexer;
  private readonly lookahead: Token[] = [];
  private previous: Token;
  private depth = 0;
  /** Inside a comprehension head, `|` ends the head instead of meaning set union. */
  private pipeEndsTerm = false;
  private readonly statements: StatementStart[] = [];
  /** Depth of infix-call trees, by node (see `binary`). */
  private readonly chainDepth = new WeakMap<Term, number>();
  /** Terms written inside their own parentheses, which the AST does not keep. */
  private readonly parenthesised = new WeakSet<Term>();
  /** Found so far; `parseModule` returns them with the module or the errors. */
  readonly warnings: RegoWarning[] = [];

  constructor(
    text: string,
    private readonly file: string,
  ) {
    this.lexer = new Lexer(text, file);
    this.previous = {
      kind: "eof",
      text: "",
      newlineBefore: false,
      spaceBefore: false,
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 1,
    };
  }

  // --- token plumbing -------------------------------------------------------------------------

  private peek(ahead = 0): Token {
    while (this.lookahead.length <= ahead) {
      const token = this.lexer.next();
      if (token.kind === "error")
        throw new ParseFailure(
          regoError("rego_parse_error", this.lexer.location(token), token.text),
        );
      this.lookahead.push(token);
    }
    return this.lookahead[ahead] as Token;
  }

  private advance(): Token {
    const token = this.peek();
    this.lookahead.shift();
    this.previous = token;
    return token;
  }

  here(): Location {
    const token = this.lookahead[0] ?? this.previous;
    return this.lexer.location(token);
  }

  private isPunct(symbol: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === "punct" && token.text === symbol;
  }

  private isKeyword(word: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === "ident" && token.text === word;
  }

  private acceptPunct(symbol: string): boolean {
    if (!this.isPunct(symbol)) return false;
    this.advance();
    return true;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.advance();
    return true;
  }

  private describe(token: Token): string {
    switch (token.kind) {
      case "eof":
        return "end of file";
      case "string":
      case "rawstring":
        return "string";
      case "number":
        return `number ${token.text}`;
      default:
        return `'${token.text}'`;
    }
  }

  private fail(expected: string, token: Token = this.peek()): never {
    throw new ParseFailure(
      regoError(
        "rego_parse_error",
        this.lexer.location(token),
        `unexpected ${this.describe(token)}: expected ${expected}`,
      ),
    );
  }

  private expectPunct(symbol: string, context = ""): Token {
    if (!this.isPunct(symbol)) this.fail(`'${symbol}'${context}`);
    return this.advance();
  }

  private span(start: Token): Location {
    return {
      file: this.file,
      line: start.line,
      column: start.column,
      endLine: this.previous.endLine,
      endColumn: this.previous.endColumn,
    };
  }

  private spanFrom(start: Location): Location {
    return { ...start, endLine: this.previous.endLine, endColumn: this.previous.endColumn };
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) {
      throw new ParseFailure(
        regoError("rego_parse_error", this.here(), `nesting deeper than ${MAX_DEPTH} levels`),
      );
    }
  }

  private leave(): void {
    this.depth--;
  }

  private identifier(what: string): Token {
    const token = this.peek();
    if (token.kind !== "ident") this.fail(what);
    if (KEYWORDS.has(token.text)) this.fail(`${what} (found keyword '${token.text}')`);
    return this.advance();
  }

  // --- module, package, imports ----------------------------------------------------------------

  module(): Module {
    const start = this.peek();
    if (!this.isKeyword("package")) this.fail("'package'");
    this.advance();
    const pkg = this.packageDecl(start);
    const module: Module = {
      file: this.file,
      package: pkg,
      imports: [],
      rules: [],
      annotations: [],
      loc: pkg.loc,
    };
    this.statements.push({ line: start.line, target: module });
    while (this.peek().kind !== "eof") {
      if (this.isKeyword("import")) {
        module.imports.push(this.importDecl());
      } else if (this.isKeyword("package")) {
        this.fail("import or rule (one package per file)");
      } else {
        const ruleStart = this.peek();
        const rule = this.rule();
        this.statements.push({ line: ruleStart.line, target: rule });
        module.rules.push(rule);
      }
    }
    module.loc = this.span(start);
    return module;
  }

  private packageDecl(start: Token): PackageDecl {
    const path = [this.identifier("package name").text];
    for (;;) {
      if (path.length > MAX_DEPTH) this.fail(`a package path of at most ${MAX_DEPTH} names`);
      if (this.isPunct(".") && !this.peek().spaceBefore) {
        this.advance();
        path.push(this.peek().kind === "ident" ? this.advance().text : this.fail("name after '.'"));
      } else if (this.isPunct("[") && !this.peek().spaceBefore) {
        this.advance();
        const token = this.peek();
        if (token.kind !== "string" && token.kind !== "rawstring")
          this.fail("string in package path");
        path.push(this.advance().text);
        this.expectPunct("]");
      } else {
        break;
      }
    }
    return { path, loc: this.span(start) };
  }

  private importDecl(): Import {
    const start = this.advance();
    const headToken = this.peek();
    if (headToken.kind !== "ident") this.fail("import path");
    const path = this.refOfNames(this.advance());
    const head = path.head.type === "var" ? path.head.name : "";
    if (!["data", "input", "future", "rego"].includes(head)) {
      throw new ParseFailure(
        regoError(
          "rego_parse_error",
          path.loc,
          "invalid import path: must begin with data, input, future or rego",
        ),
      );
    }
    let alias: string | undefined;
    if (this.acceptKeyword("as")) {
      alias = this.identifier("alias name after 'as'").text;
      if (head === "future" || head === "rego") {
        throw new ParseFailure(
          regoError("rego_parse_error", this.span(start), `'${head}' imports cannot be aliased`),
        );
      }
    }
    return alias === undefined
      ? { path, loc: this.span(start) }
      : { path, alias, loc: this.span(start) };
  }

  /** `a.b["c"]` as in import paths: a head name then string operands. */
  private refOfNames(first: Token): RefTerm {
    const head: VarTerm = { type: "var", name: first.text, loc: this.lexer.location(first) };
    const operands: Term[] = [];
    for (;;) {
      if (operands.length > MAX_DEPTH) this.fail(`an import path of at most ${MAX_DEPTH} parts`);
      if (this.isPunct(".") && !this.peek().spaceBefore) {
        this.advance();
        const name = this.peek();
        if (name.kind !== "ident") this.fail("name after '.'");
        this.advance();
        operands.push({
          type: "string",
          value: name.text,
          raw: false,
          loc: this.lexer.location(name),
        });
      } else if (this.isPunct("[") && !this.peek().spaceBefore) {
        this.advance();
        const key = this.peek();
        if (key.kind !== "string" && key.kind !== "rawstring") this.fail("string key");
        this.advance();
        operands.push({
          type: "string",
          value: key.text,
          raw: key.kind === "rawstring",
          loc: this.lexer.location(key),
        });
        this.expectPunct("]");
      } else {
        break;
      }
    }
    return { type: "ref", head, operands, loc: this.span(first) };
  }

  // --- rules ----------------------------------------------------------------------------------

  /** One rule statement; a `default` rule or a rule with its `else` chain. */
  private rule(): Rule {
    const start = this.peek();
    const isDefault = this.acceptKeyword("default");
    const head = this.ruleHead(isDefault);
    const rule: Rule = {
      head,
      body: [],
      default: isDefault,
      annotations: [],
      file: this.file,
      loc: head.loc,
    };
    if (isDefault) {
      if (head.kind === "partial-set") {
        throw new ParseFailure(
          regoError("rego_parse_error", head.loc, "default rules cannot use 'contains'"),
        );
      }
      if (this.isKeyword("if") || this.isPunct("{"))
        this.fail("end of default rule (default rules have no body)");
      rule.loc = this.span(start);
      return rule;
    }
    if (this.acceptKeyword("if")) {
      rule.body = this.bodyAfterIf();
    } else if (this.isPunct("{") && !this.peek().newlineBefore) {
      this.fail("'if' before the rule body (Rego v1)");
    }
    rule.loc = this.span(start);
    let last = rule;
    let alternatives = 0;
    while (this.isKeyword("else")) {
      if (++alternatives > MAX_DEPTH) this.fail(`at most ${MAX_DEPTH} 'else' alternatives`);
      if (head.kind === "partial-set" || head.kind === "partial-object") {
        throw new ParseFailure(
          regoError(
            "rego_parse_error",
            this.here(),
            "'else' applies only to complete rules and functions",
          ),
        );
      }
      const elseStart = this.advance();
      let value: Term = { type: "boolean", value: true, loc: this.lexer.location(elseStart) };
      let assign = false;
      if (this.isPunct(":=") || this.isPunct("=")) {
        assign = this.advance().text === ":=";
        value = this.termIn(true);
      }
      let body: Body = [];
      if (this.acceptKeyword("if")) {
        body = this.bodyAfterIf();
      } else if (this.isPunct("{") && !this.peek().newlineBefore) {
        this.fail("'if' before the else body (Rego v1)");
      }
      const elseHead: RuleHead = { ...head, value, assign, loc: this.span(elseStart) };
      const alternative: Rule = {
        head: elseHead,
        body,
        default: false,
        annotations: [],
        file: this.file,
        loc: this.span(elseStart),
      };
      last.else = alternative;
      last = alternative;
    }
    rule.loc = this.span(start);
    return rule;
  }

  private ruleHead(isDefault: boolean): RuleHead {
    const start = this.peek();
    const nameToken = this.identifier(
      isDefault ? "rule name after 'default'" : "rule name, 'import' or end of file",
    );
    const ref: Term[] = [
      { type: "var", name: nameToken.text, loc: this.lexer.location(nameToken) },
    ];
    for (;;) {
      if (ref.length > MAX_DEPTH) this.fail(`a rule head reference of at most ${MAX_DEPTH} parts`);
      if (this.isPunct(".") && !this.peek().spaceBefore) {
        this.advance();
        const name = this.peek();
        if (name.kind !== "ident") this.fail("name after '.'");
        this.advance();
        ref.push({ type: "string", value: name.text, raw: false, loc: this.lexer.location(name) });
      } else if (this.isPunct("[") && !this.peek().spaceBefore) {
        this.advance();
        this.enter();
        ref.push(this.termIn());
        this.leave();
        this.expectPunct("]", " to close the rule head reference");
      } else {
        break;
      }
    }
    let args: Term[] | undefined;
    if (this.isPunct("(") && !this.peek().spaceBefore) {
      this.advance();
      args = this.termList(")");
    }
    let kind: RuleKind;
    let key: Term | undefined;
    let value: Term | undefined;
    let assign = false;
    if (this.acceptKeyword("contains")) {
      if (args) this.fail("':=' or 'if' (functions cannot use 'contains')", this.previous);
      kind = "partial-set";
      key = this.termIn(true);
    } else {
      if (this.isPunct(":=") || this.isPunct("=")) {
        assign = this.advance().text === ":=";
        value = this.termIn(true);
      } else if (isDefault) {
        this.fail("':=' or '=' and a value for the default rule");
      } else {
        value = { type: "boolean", value: true, loc: this.span(start) };
      }
      const last = ref[ref.length - 1];
      if (args) {
        kind = "function";
      } else if (ref.slice(1).every((operand) => operand.type === "string")) {
        kind = "complete";
      } else {
        kind = "partial-object";
        key = last;
      }
    }
    const head: RuleHead = { ref, kind, assign, loc: this.span(start) };
    if (key) head.key = key;
    if (value) head.value = value;
    if (args) head.args = args;
    return head;
  }

  // --- bodies and literals --------------------------------------------------------------------

  /**
   * After `if`: a braced body, or one literal. `if {x: 1 | ...}` starts like a body but is a
   * literal (an object comprehension), so a failed body is retried as a literal, as OPA does.
   */
  private bodyAfterIf(): Body {
    if (!this.isPunct("{")) return [this.literal()];
    const lexerMark = this.lexer.mark();
    const lookahead = [...this.lookahead];
    const previous = this.previous;
    const depth = this.depth;
    const warnings = this.warnings.length;
    try {
      return this.bracedBody();
    } catch (failure) {
      if (!(failure instanceof ParseFailure)) throw failure;
      this.lexer.reset(lexerMark);
      this.lookahead.splice(0, this.lookahead.length, ...lookahead);
      this.previous = previous;
      this.depth = depth;
      this.warnings.length = warnings;
      try {
        return [this.literal()];
      } catch (second) {
        throw second instanceof ParseFailure ? failure : second;
      }
    }
  }

  private bracedBody(): Body {
    const open = this.expectPunct("{");
    const body = this.bodyUntil("}");
    if (body.length === 0)
      throw new ParseFailure(regoError("rego_parse_error", this.span(open), "found empty body"));
    this.expectPunct("}", " to close the body");
    return body;
  }

  /** Literals separated by `;` or newlines, up to (not including) the closing symbol. */
  private bodyUntil(close: string): Body {
    this.enter();
    const saved = this.pipeEndsTerm;
    this.pipeEndsTerm = false;
    const body: Body = [];
    while (!this.isPunct(close)) {
      if (this.peek().kind === "eof") this.fail(`'${close}'`);
      body.push(this.literal());
      if (this.acceptPunct(";")) continue;
      if (this.isPunct(close)) break;
      if (!this.peek().newlineBefore) this.fail(`';', a newline or '${close}'`);
    }
    this.pipeEndsTerm = saved;
    this.leave();
    return body;
  }

  private literal(): Expr {
    this.enter();
    const start = this.peek();
    let expr: Expr;
    if (this.isKeyword("some")) {
      expr = this.someDecl();
    } else if (this.isKeyword("every")) {
      expr = this.every();
    } else if (this.acceptKeyword("not")) {
      if (this.isPunct("{")) {
        const body = this.bracedBody();
        expr = { kind: "block", body, negated: true, with: [], loc: this.span(start) };
      } else {
        expr = this.expression(start);
        expr.negated = true;
      }
    } else {
      expr = this.expression(start);
    }
    while (this.isKeyword("with")) expr.with.push(this.withModifier());
    expr.loc = this.span(start);
    this.leave();
    return expr;
  }

  private expression(start: Token): Expr {
    const left = this.termIn(true);
    if (this.isPunct("=") || this.isPunct(":=")) {
      const assign = this.advance().text === ":=";
      const right = this.termIn(true);
      return {
        kind: assign ? "assign" : "unify",
        left,
        right,
        negated: false,
        with: [],
        loc: this.span(start),
      };
    }
    return { kind: "term", term: left, negated: false, with: [], loc: this.span(start) };
  }

  private someDecl(): Expr {
    const start = this.advance();
    const patterns = [this.termRelation()];
    while (this.acceptPunct(",")) patterns.push(this.termRelation());
    if (this.acceptKeyword("in")) {
      if (patterns.length > 2) this.fail("at most two terms ('some key, value in xs')", start);
      const collection = this.termRelation();
      const [first, second] = patterns as [Term, Term | undefined];
      const base = {
        kind: "somein" as const,
        collection,
        negated: false,
        with: [],
        loc: this.span(start),
      };
      return second ? { ...base, key: first, value: second } : { ...base, value: first };
    }
    const vars: VarTerm[] = [];
    for (const pattern of patterns) {
      if (pattern.type !== "var") {
        throw new ParseFailure(
          regoError(
            "rego_parse_error",
            pattern.loc,
            "expected variable names after 'some' (or 'some x in xs')",
          ),
        );
      }
      vars.push(pattern);
    }
    return { kind: "some", vars, negated: false, with: [], loc: this.span(start) };
  }

  private every(): Expr {
    const start = this.advance();
    const first = this.everyVar();
    let second: VarTerm | undefined;
    if (this.acceptPunct(",")) second = this.everyVar();
    if (!this.acceptKeyword("in")) this.fail("'in' after the 'every' variables");
    const domain = this.termRelation();
    const body = this.bracedBody();
    const base = {
      kind: "every" as const,
      domain,
      body,
      negated: false,
      with: [],
      loc: this.span(start),
    };
    return second ? { ...base, key: first, value: second } : { ...base, value: first };
  }

  private everyVar(): VarTerm {
    const token = this.identifier("variable name in 'every'");
    return { type: "var", name: token.text, loc: this.lexer.location(token) };
  }

  private withModifier(): WithModifier {
    const start = this.advance();
    const targetStart = this.peek();
    if (targetStart.kind !== "ident" || KEYWORDS.has(targetStart.text))
      this.fail("a reference after 'with'");
    const target = this.termPostfix();
    const targetRef: RefTerm =
      target.type === "ref"
        ? target
        : target.type === "var"
          ? { type: "ref", head: target, operands: [], loc: target.loc }
          : this.fail("a reference after 'with'", targetStart);
    if (!this.acceptKeyword("as")) this.fail("'as' after the 'with' target");
    // OPA's parseWith reads the value with parseTermInfixCall, the reader of a whole expression
    // side, `k, v in xs` included.
    const value = this.termIn(true);
    if (isBooleanInfix(value) && !this.parenthesised.has(value))
      this.warnWithComparison(targetRef, value);
    return { target: targetRef, value, loc: this.span(start) };
  }

  /**
   * `x with input as a == b` is `x with input as (a == b)`, in OPA as here, and so is every
   * comparison and `a in b` or `k, v in b`: `x` runs with a boolean for input and nothing compares
   * its result, so a test written that way cannot fail. Valid Rego, hence a warning, at the
   * operator; the parenthesised form is taken as meant.
   */
  private warnWithComparison(target: RefTerm, value: CallTerm): void {
    const { file, line, column } = value.operator.loc;
    const path = formatTerm(target);
    const op = value.infix ?? "";
    const shape = value.args.length === 3 ? `a, b ${op} c` : `a ${op} b`;
    const assignFirst =
      value.args.length === 3
        ? ""
        : `, or assign first: 'v := expr with ${path} as a', then 'v ${op} b'`;
    this.warnings.push({
      file,
      line,
      column,
      code: "rego_with_comparison",
      message: `'with ${path} as ${shape}' sets ${path} to (${shape}), a boolean, and compares nothing with the expression's result; write the parentheses if that is meant${assignFirst}`,
    });
  }

  // --- terms, by precedence -------------------------------------------------------------------

  private termList(close: string): Term[] {
    const saved = this.pipeEndsTerm;
    this.pipeEndsTerm = false;
    const items: Term[] = [];
    while (!this.isPunct(close)) {
      items.push(this.termIn());
      if (!this.acceptPunct(",")) break;
    }
    this.expectPunct(close, items.length > 0 ? " or ','" : "");
    this.pipeEndsTerm = saved;
    return items;
  }

  private operatorRef(name: string, at: Token): RefTerm {
    const loc = this.lexer.location(at);
    const [head = name, ...rest] = name.split(".");
    return {
      type: "ref",
      head: { type: "var", name: head, loc },
      operands: rest.map((part) => ({ type: "string", value: part, raw: false, loc })),
      loc,
    };
  }

  /**
   * An infix call. Chains (`a + b + c ...`) parse in a loop but build a tree as deep as the chain,
   * which every later stage walks recursively, so chain depth counts against the nesting bound.
   */
  private binary(symbol: Token, name: string, left: Term, right: Term): CallTerm {
    const depth = 1 + Math.max(this.chainDepth.get(left) ?? 0, this.chainDepth.get(right) ?? 0);
    if (depth + this.depth > MAX_DEPTH) {
      throw new ParseFailure(
        regoError(
          "rego_parse_error",
          this.lexer.location(symbol),
          `expression nested deeper than ${MAX_DEPTH} operators`,
        ),
      );
    }
    const call: CallTerm = {
      type: "call",
      operator: this.operatorRef(name, symbol),
      args: [left, right],
      infix: symbol.text,
      loc: { ...left.loc, endLine: right.loc.endLine, endColumn: right.loc.endColumn },
    };
    this.chainDepth.set(call, depth);
    return call;
  }

  /**
   * `x in xs`; with `keyValue`, also `k, v in xs`: wherever OPA reads a whole expression side
   * (parseTermInfixCall): a literal, either side of `:=`/`=`, a rule's value or `contains` key,
   * a `with` value, parentheses; never inside a collection or argument list, where `,` separates.
   */
  termIn(keyValue = false): Term {
    this.enter();
    let left = this.termRelation();
    if (keyValue && this.isPunct(",")) {
      this.advance();
      const value = this.termRelation();
      const symbol = this.peek();
      if (!this.acceptKeyword("in")) this.fail("'in' after 'key, value'");
      const collection = this.termRelation();
      left = {
        type: "call",
        operator: this.operatorRef("internal.member_3", symbol),
        args: [left, value, collection],
        infix: "in",
        loc: { ...left.loc, endLine: collection.loc.endLine, endColumn: collection.loc.endColumn },
      };
    }
    while (this.isKeyword("in") && !this.peek().newlineBefore) {
      const symbol = this.advance();
      left = this.binary(symbol, "internal.member_2", left, this.termRelation());
    }
    this.leave();
    return left;
  }

  private termRelation(): Term {
    let left = this.termOr();
    for (;;) {
      const token = this.peek();
      const name =
        token.kind === "punct" && !token.newlineBefore ? RELATION_OPERATORS[token.text] : undefined;
      if (!name) return left;
      this.advance();
      left = this.binary(token, name, left, this.termOr());
    }
  }

  private termOr(): Term {
    let left = this.termAnd();
    while (this.isPunct("|") && !this.pipeEndsTerm && !this.peek().newlineBefore) {
      const symbol = this.advance();
      left = this.binary(symbol, "or", left, this.termAnd());
    }
    return left;
  }

  private termAnd(): Term {
    let left = this.termArith();
    while (this.isPunct("&") && !this.peek().newlineBefore) {
      const symbol = this.advance();
      left = this.binary(symbol, "and", left, this.termArith());
    }
    return left;
  }

  private termArith(): Term {
    let left = this.termFactor();
    for (;;) {
      const token = this.peek();
      const name =
        token.kind === "punct" && !token.newlineBefore ? ARITH_OPERATORS[token.text] : undefined;
      if (!name) return left;
      this.advance();
      left = this.binary(token, name, left, this.termFactor());
    }
  }

  private termFactor(): Term {
    let left = this.termPostfix();
    for (;;) {
      const token = this.peek();
      const name =
        token.kind === "punct" && !token.newlineBefore ? FACTOR_OPERATORS[token.text] : undefined;
      if (!name) return left;
      this.advance();
      left = this.binary(token, name, left, this.termPostfix());
    }
  }

  /** A primary term followed by `.name`, `[term]` and call arguments. */
  private termPostfix(): Term {
    this.enter();
    const start = this.peek();
    let term = this.primary();
    for (;;) {
      const token = this.peek();
      if (token.kind !== "punct" || token.newlineBefore) break;
      if (token.text === ".") {
        this.advance();
        const name = this.peek();
        if (name.kind !== "ident") this.fail("name after '.'");
        this.advance();
        term = this.extendRef(
          term,
          { type: "string", value: name.text, raw: false, loc: this.lexer.location(name) },
          start,
        );
      } else if (token.text === "[" && !token.spaceBefore) {
        this.advance();
        const saved = this.pipeEndsTerm;
        this.pipeEndsTerm = false;
        const operand = this.termIn();
        this.pipeEndsTerm = saved;
        this.expectPunct("]", " to close the reference");
        term = this.extendRef(term, operand, start);
      } else if (token.text === "(" && !token.spaceBefore && isCallable(term)) {
        this.advance();
        const args = this.termList(")");
        const operator: RefTerm =
          term.type === "ref" ? term : { type: "ref", head: term, operands: [], loc: term.loc };
        const loc = this.span(start);
        if (term.type === "var" && term.name === "set" && args.length === 0) {
          term = { type: "set", items: [], loc };
        } else {
          term = { type: "call", operator, args, loc };
        }
      } else {
        break;
      }
    }
    this.leave();
    return term;
  }

  private extendRef(term: Term, operand: Term, start: Token): RefTerm {
    if (term.type === "ref")
      return { ...term, operands: [...term.operands, operand], loc: this.span(start) };
    return { type: "ref", head: term, operands: [operand], loc: this.span(start) };
  }

  private primary(): Term {
    const token = this.peek();
    const loc = this.lexer.location(token);
    switch (token.kind) {
      case "number":
        this.advance();
        return { type: "number", text: token.text, loc };
      case "string":
      case "rawstring":
        this.advance();
        return { type: "string", value: token.text, raw: token.kind === "rawstring", loc };
      case "ident":
        return this.identTerm(token, loc);
      case "punct":
        return this.punctTerm(token);
      default:
        return this.fail("a term");
    }
  }

  private identTerm(token: Token, loc: Location): Term {
    switch (token.text) {
      case "null":
        this.advance();
        return { type: "null", loc };
      case "true":
      case "false":
        this.advance();
        return { type: "boolean", value: token.text === "true", loc };
      default:
        if (KEYWORDS.has(token.text) && !this.isBuiltinCallName(token)) this.fail("a term");
        this.advance();
        return { type: "var", name: token.text, loc };
    }
  }

  private isBuiltinCallName(token: Token): boolean {
    const next = this.peek(1);
    return (
      CALLABLE_KEYWORDS.has(token.text) &&
      next.kind === "punct" &&
      next.text === "(" &&
      !next.spaceBefore
    );
  }

  private punctTerm(token: Token): Term {
    switch (token.text) {
      case "-": {
        // `-1` and `- 1` are number literals, as in OPA (constants where Rego wants them).
        const next = this.peek(1);
        if (next.kind === "number") {
          this.advance();
          this.advance();
          return { type: "number", text: `-${next.text}`, loc: this.span(token) };
        }
        return this.negation(token);
      }
      case "(": {
        this.advance();
        const saved = this.pipeEndsTerm;
        this.pipeEndsTerm = false;
        const inner = this.termIn(true);
        this.pipeEndsTerm = saved;
        this.expectPunct(")");
        this.parenthesised.add(inner);
        return inner;
      }
      case "[":
        return this.arrayTerm();
      case "{":
        return this.braceTerm();
      default:
        return this.fail("a term");
    }
  }

  /**
   * Unary minus on anything but a number literal (`-x`, `-count(a)`, `-(a + b)`): `0 - term`, as
   * OPA's parser reads `-input.n`. It binds tighter than any infix operator: `-a * b` is
   * `(0 - a) * b`, and `-x.y[0]` negates the whole reference.
   */
  private negation(symbol: Token): Term {
    this.advance();
    const operand = this.termPostfix();
    const zero: Term = { type: "number", text: "0", loc: this.lexer.location(symbol) };
    const call = this.binary(symbol, "minus", zero, operand);
    call.loc = this.span(symbol);
    return call;
  }

  private comprehensionHead(): Term {
    const saved = this.pipeEndsTerm;
    this.pipeEndsTerm = true;
    const term = this.termIn();
    this.pipeEndsTerm = saved;
    return term;
  }

  private arrayTerm(): Term {
    const open = this.advance();
    if (this.acceptPunct("]")) return { type: "array", items: [], loc: this.span(open) };
    const first = this.comprehensionHead();
    if (this.acceptPunct("|")) {
      const body = this.comprehensionBody("]");
      return { type: "arraycomprehension", term: first, body, loc: this.span(open) };
    }
    const items = [first];
    if (this.acceptPunct(",")) items.push(...this.termList("]"));
    else this.expectPunct("]", " or ','");
    return { type: "array", items, loc: this.span(open) };
  }

  private braceTerm(): Term {
    const open = this.advance();
    if (this.acceptPunct("}")) return { type: "object", entries: [], loc: this.span(open) };
    const first = this.comprehensionHead();
    if (this.acceptPunct(":")) {
      const value = this.comprehensionHead();
      if (this.acceptPunct("|")) {
        const body = this.comprehensionBody("}");
        return { type: "objectcomprehension", key: first, value, body, loc: this.span(open) };
      }
      const entries = [{ key: first, value }];
      const saved = this.pipeEndsTerm;
      this.pipeEndsTerm = false;
      while (this.acceptPunct(",")) {
        if (this.isPunct("}")) break;
        const key = this.termIn();
        this.expectPunct(":", " between object key and value");
        entries.push({ key, value: this.termIn() });
      }
      this.pipeEndsTerm = saved;
      this.expectPunct("}", " or ','");
      return { type: "object", entries, loc: this.span(open) };
    }
    if (this.acceptPunct("|")) {
      const body = this.comprehensionBody("}");
      return { type: "setcomprehension", term: first, body, loc: this.span(open) };
    }
    const items = [first];
    if (this.acceptPunct(",")) items.push(...this.termList("}"));
    else this.expectPunct("}", " or ','");
    return { type: "set", items, loc: this.span(open) };
  }

  private comprehensionBody(close: string): Body {
    const bodyStart = this.peek();
    const body = this.bodyUntil(close);
    if (body.length === 0)
      throw new ParseFailure(
        regoError(
          "rego_parse_error",
          this.lexer.location(bodyStart),
          "found empty comprehension body",
        ),
      );
    this.expectPunct(close, " to close the comprehension");
    return body;
  }

  // --- annotations ----------------------------------------------------------------------------

  /** Turns `# METADATA` comment blocks into annotations on the statement that follows each. */
  attachAnnotations(module: Module): RegoError[] {
    const errors: RegoError[] = [];
    const comments = this.lexer.comments;
    let index = 0;
    let statement = 0;
    while (index < comments.length) {
      const header = comments[index] as (typeof comments)[number];
      index++;
      if (header.text.trim() !== "METADATA") continue;
      const lines: string[] = [];
      let lastLine = header.line;
      while (index < comments.length) {
        const next = comments[index] as (typeof comments)[number];
        if (next.line !== lastLine + 1 || next.column !== header.column) break;
        lines.push(next.text);
        lastLine = next.line;
        index++;
      }
      while (
        statement < this.statements.length &&
        (this.statements[statement] as StatementStart).line <= lastLine
      )
        statement++;
      const target = this.statements[statement];
      const loc: Location = {
        file: this.file,
        line: header.line,
        column: header.column,
        endLine: lastLine,
        endColumn: 1,
      };
      if (!target) {
        errors.push(
          regoError(
            "rego_parse_error",
            loc,
            "# METADATA block is not followed by a package or rule",
          ),
        );
        continue;
      }
      const isPackage = "package" in target.target;
      const annotation = parseAnnotation(lines, loc, isPackage ? "package" : "rule", errors);
      if (!annotation) continue;
      if (isPackage) {
        if (annotation.scope === "rule" || annotation.scope === "document") {
          errors.push(
            regoError(
              "rego_parse_error",
              loc,
              `annotation scope '${annotation.scope}' must be applied to a rule`,
            ),
          );
          continue;
        }
        module.annotations.push(annotation);
      } else {
        if (annotation.scope === "package" || annotation.scope === "subpackages") {
          errors.push(
            regoError(
              "rego_parse_error",
              loc,
              `annotation scope '${annotation.scope}' must be applied to a package`,
            ),
          );
          continue;
        }
        (target.target as Rule).annotations.push(annotation);
      }
    }
    return errors;
  }
}

/** Keywords that also name builtins (`contains(s, "x")`): a var only right before `(`. */
const CALLABLE_KEYWORDS = new Set(["contains"]);

/** JS object levels allowed in a module's AST: every later stage walks it recursively. */
const MAX_TREE_LEVELS = 1500;

/**
 * The location of the first node nested deeper than `MAX_TREE_LEVELS`, found with an explicit
 * stack. Catches depth the parser's own bound cannot see (operator chains inside brackets).
 */
function locateTooDeep(module: Module): Location | undefined {
  const stack: [unknown, number, Location | undefined][] = [[module, 0, module.loc]];
  while (stack.length > 0) {
    const [node, level, near] = stack.pop() as [unknown, number, Location | undefined];
    if (level > MAX_TREE_LEVELS) return near;
    if (node === null || typeof node !== "object") continue;
    const loc = "loc" in node && node !== undefined ? (node as { loc: Location }).loc : near;
    for (const [key, child] of Object.entries(node)) {
      if (key !== "loc" && child !== null && typeof child === "object")
        stack.push([child, level + 1, loc]);
    }
  }
  return undefined;
}

/** An infix `==`, `!=`, `<`, `<=`, `>` or `>=`. */
/** A call of an infix operator whose value is a boolean: a comparison, or membership (`in`). */
function isBooleanInfix(term: Term): term is CallTerm {
  return (
    term.type === "call" &&
    term.infix !== undefined &&
    (term.infix === "in" || Object.hasOwn(RELATION_OPERATORS, term.infix))
  );
}

function isCallable(term: Term): boolean {
  if (term.type === "var") return !KEYWORDS.has(term.name) || CALLABLE_KEYWORDS.has(term.name);
  return (
    term.type === "ref" &&
    term.head.type === "var" &&
    term.operands.every((operand) => operand.type === "string")
  );
}

const SCOPES: readonly AnnotationScope[] = ["package", "rule", "document", "subpackages"];

function parseAnnotation(
  lines: string[],
  loc: Location,
  defaultScope: AnnotationScope,
  errors: RegoError[],
): Annotation | undefined {
  const indented = lines.every((line) => line === "" || line.startsWith(" "));
  const source = (indented ? lines.map((line) => line.slice(1)) : lines).join("\n");
  let parsed: unknown;
  try {
    parsed = parseYaml(source, { maxAliasCount: 50 });
  } catch (error) {
    errors.push(
      regoError(
        "rego_parse_error",
        loc,
        `invalid YAML in # METADATA block: ${(error as Error).message.split("\n")[0]}`,
      ),
    );
    return undefined;
  }
  if (parsed === null || parsed === undefined) parsed = {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    errors.push(regoError("rego_parse_error", loc, "# METADATA block must be a YAML mapping"));
    return undefined;
  }
  const value = toJson(parsed) as { [key: string]: JsonValue };
  const scope = value.scope ?? defaultScope;
  if (typeof scope !== "string" || !(SCOPES as readonly string[]).includes(scope)) {
    errors.push(
      regoError(
        "rego_parse_error",
        loc,
        `invalid annotation scope '${String(scope)}': expected one of ${SCOPES.join(", ")}`,
      ),
    );
    return undefined;
  }
  value.scope = scope;
  const annotation: Annotation = { scope: scope as AnnotationScope, value, loc };
  if (typeof value.title === "string") annotation.title = value.title;
  if (typeof value.description === "string") annotation.description = value.description;
  if (typeof value.entrypoint === "boolean") annotation.entrypoint = value.entrypoint;
  const custom = value.custom;
  if (custom !== undefined) {
    if (custom === null || typeof custom !== "object" || Array.isArray(custom)) {
      errors.push(regoError("rego_parse_error", loc, "annotation 'custom' must be a mapping"));
      return undefined;
    }
    annotation.custom = custom;
  }
  return annotation;
}

function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === "object") {
    const result: { [key: string]: JsonValue } = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>))
      result[key] = toJson(item);
    return result;
  }
  return String(value);
}
