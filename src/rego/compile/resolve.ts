// Name resolution for one module: every var becomes either a global (a rule of the package or an
// import, rewritten to a full `data.`/`input.` ref) or a uniquely renamed local, so later passes
// and the planner never see shadowing. Also enforces OPA's declaration rules for `:=` and `some`
// (no redeclaration, no declaring a var already referenced above, no shadowing input/data).

import type {
  Body,
  Expr,
  Import,
  Module,
  RefTerm,
  Rule,
  RuleHead,
  StringTerm,
  Term,
  VarTerm,
  WithModifier,
} from "../syntax/ast.js";
import { regoError, type RegoError } from "../syntax/errors.js";
import { BUILTINS, UNSUPPORTED_OPA_BUILTINS } from "../builtins/catalog.js";
import { exprTerms, operatorName, termVars, WILDCARD } from "./terms.js";

/** Shared by every module of one compilation: fresh-name counter and renamed-name origins. */
export interface LocalNames {
  next: number;
  /** Renamed local to the name the author wrote, for messages. */
  original: Map<string, string>;
}

/** One lexical scope: a rule, a rule alternative, a comprehension, an `every` or `not { }` body. */
class Scope {
  readonly names = new Map<string, string>();
  /** Names referenced so far while walking this scope, for "referenced above". */
  readonly seen = new Set<string>();
  /** Names declared so far (`:=`, `some`), for "assigned above". */
  readonly declaredSoFar = new Set<string>();
  private readonly owned = new Map<string, boolean>();

  constructor(
    readonly parent: Scope | undefined,
    /** Declared here (`:=`, `some`, function arguments, `every` vars). */
    readonly declared: Set<string>,
    /** Mentioned here outside nested closures. */
    readonly occurs: Set<string>,
  ) {}

  /**
   * Whether `name` here is this scope's own variable. A `:=`/`some` declaration counts only once
   * walked (OPA: a closure before `x := ...` has its own `x`); an undeclared name counts when it
   * is mentioned here, is no global, and no enclosing scope has it.
   */
  owns(name: string, isGlobal: (name: string) => boolean): boolean {
    if (this.declared.has(name)) return this.declaredSoFar.has(name);
    let owned = this.owned.get(name);
    if (owned === undefined) {
      owned =
        this.occurs.has(name) &&
        !isGlobal(name) &&
        !(this.parent?.ownsAbove(name, isGlobal) ?? false);
      this.owned.set(name, owned);
    }
    return owned;
  }

  /** This scope or an enclosing one owns `name`. */
  ownsAbove(name: string, isGlobal: (name: string) => boolean): boolean {
    return this.owns(name, isGlobal) || (this.parent?.ownsAbove(name, isGlobal) ?? false);
  }
}

/** Resolves names in every rule of `module`; `packageRules` are the rule names of its package. */
export function resolveModule(
  module: Module,
  packageRules: ReadonlySet<string>,
  locals: LocalNames,
  errors: RegoError[],
): Module {
  const resolver = new ModuleResolver(module, packageRules, locals, errors);
  return { ...module, rules: module.rules.map((rule) => resolver.rule(rule)) };
}

class ModuleResolver {
  private readonly imports = new Map<string, RefTerm>();
  private readonly packageRef: StringTerm[];

  constructor(
    private readonly module: Module,
    private readonly packageRules: ReadonlySet<string>,
    private readonly locals: LocalNames,
    private readonly errors: RegoError[],
  ) {
    const loc = module.package.loc;
    this.packageRef = module.package.path.map((part) => ({
      type: "string",
      value: part,
      raw: false,
      loc,
    }));
    for (const entry of module.imports) this.addImport(entry);
  }

  private addImport(entry: Import): void {
    const head = entry.path.head.type === "var" ? entry.path.head.name : "";
    if (head === "future" || head === "rego") return;
    const last = entry.path.operands[entry.path.operands.length - 1];
    const alias = entry.alias ?? (last?.type === "string" ? last.value : head);
    if (entry.path.operands.length === 0 && entry.alias === undefined) return;
    if (this.imports.has(alias)) {
      this.errors.push(
        regoError("rego_compile_error", entry.loc, `import must not shadow import ${alias}`),
      );
      return;
    }
    this.imports.set(alias, entry.path);
  }

  private readonly isGlobal = (name: string): boolean =>
    name === "input" || name === "data" || this.packageRules.has(name) || this.imports.has(name);

  // --- rules ----------------------------------------------------------------------------------

  rule(rule: Rule): Rule {
    const argVars = new Set<string>();
    for (const arg of rule.head.args ?? []) termVars(arg, argVars);
    const root = new Scope(undefined, argVars, new Set());
    for (const name of argVars) root.declaredSoFar.add(name);
    const args = rule.head.args?.map((arg) => this.pattern(arg, root));
    return this.alternative(rule, root, args);
  }

  private alternative(rule: Rule, root: Scope, args: Term[] | undefined): Rule {
    const occurs = bodyOccurrences(rule.body);
    for (const term of headTerms(rule.head)) termVars(term, occurs);
    const scope = new Scope(root, bodyDeclarations(rule.body), occurs);
    const body = this.body(rule.body, scope);
    const head: RuleHead = {
      ...rule.head,
      ref: rule.head.ref.map((term, i) => (i === 0 ? term : this.term(term, scope))),
    };
    if (rule.head.key) head.key = this.term(rule.head.key, scope);
    if (rule.head.value) head.value = this.term(rule.head.value, scope);
    if (args) head.args = args;
    if (rule.default && head.value && termVars(head.value).size > 0) {
      this.errors.push(
        regoError("rego_type_error", head.value.loc, "default rule value cannot contain var"),
      );
    }
    const resolved: Rule = { ...rule, head, body };
    if (rule.else) resolved.else = this.alternative(rule.else, root, args);
    return resolved;
  }

  // --- bodies ---------------------------------------------------------------------------------

  private body(body: Body, scope: Scope): Body {
    return body.map((expr) => this.expr(expr, scope));
  }

  private expr(expr: Expr, scope: Scope): Expr {
    const withs = expr.with.map((modifier) => this.withModifier(modifier, scope));
    switch (expr.kind) {
      case "term":
        return { ...expr, term: this.term(expr.term, scope), with: withs };
      case "unify":
        return {
          ...expr,
          left: this.term(expr.left, scope),
          right: this.term(expr.right, scope),
          with: withs,
        };
      case "assign": {
        const right = this.term(expr.right, scope);
        this.checkAssignable(expr.left);
        for (const v of patternVarTerms(expr.left)) this.declare(v, scope, "assigned");
        return { ...expr, left: this.pattern(expr.left, scope), right, with: withs };
      }
      case "some": {
        for (const v of expr.vars) this.declare(v, scope, "declared");
        return {
          ...expr,
          vars: expr.vars.map((v) => this.pattern(v, scope) as VarTerm),
          with: withs,
        };
      }
      case "somein": {
        const collection = this.term(expr.collection, scope);
        const patterns = expr.key ? [expr.key, expr.value] : [expr.value];
        for (const pattern of patterns)
          for (const v of patternVarTerms(pattern)) this.declare(v, scope, "declared");
        const value = this.pattern(expr.value, scope);
        const resolved: Expr = { ...expr, collection, value, with: withs };
        if (expr.key) resolved.key = this.pattern(expr.key, scope);
        return resolved;
      }
      case "every": {
        const domain = this.term(expr.domain, scope);
        const declared = new Set([expr.value.name, ...(expr.key ? [expr.key.name] : [])]);
        declared.delete(WILDCARD);
        const inner = new Scope(scope, declared, bodyOccurrences(expr.body));
        for (const name of declared) inner.declaredSoFar.add(name);
        const value = this.pattern(expr.value, inner) as VarTerm;
        const key = expr.key ? (this.pattern(expr.key, inner) as VarTerm) : undefined;
        const resolved: Expr = {
          ...expr,
          domain,
          value,
          body: this.body(expr.body, inner),
          with: withs,
        };
        if (key) resolved.key = key;
        return resolved;
      }
      case "block": {
        const inner = new Scope(scope, bodyDeclarations(expr.body), bodyOccurrences(expr.body));
        return { ...expr, body: this.body(expr.body, inner), with: withs };
      }
    }
  }

  private checkAssignable(left: Term): void {
    switch (left.type) {
      case "var":
        return;
      case "array":
        for (const item of left.items) this.checkAssignable(item);
        return;
      case "object":
        for (const entry of left.entries) this.checkAssignable(entry.value);
        return;
      case "ref":
      case "call":
        this.errors.push(
          regoError("rego_compile_error", left.loc, `cannot assign to ${left.type}`),
        );
        return;
      default:
        return;
    }
  }

  private declare(v: VarTerm, scope: Scope, verb: "assigned" | "declared"): void {
    if (v.name === WILDCARD) return;
    if (v.name === "input" || v.name === "data") {
      this.errors.push(
        regoError(
          "rego_compile_error",
          v.loc,
          `variables must not shadow ${v.name} (use a different variable name)`,
        ),
      );
    } else if (scope.declaredSoFar.has(v.name)) {
      this.errors.push(regoError("rego_compile_error", v.loc, `var ${v.name} ${verb} above`));
    } else if (scope.seen.has(v.name)) {
      this.errors.push(regoError("rego_compile_error", v.loc, `var ${v.name} referenced above`));
    }
    scope.declaredSoFar.add(v.name);
  }

  private withModifier(modifier: WithModifier, scope: Scope): WithModifier {
    const target = this.nameRef(modifier.target);
    const valueName =
      modifier.value.type === "var" || modifier.value.type === "ref"
        ? refName(modifier.value)
        : undefined;
    const namesBuiltin =
      valueName !== undefined &&
      isBuiltinName(valueName) &&
      !scope.ownsAbove(valueName.split(".")[0] ?? "", this.isGlobal);
    const value = namesBuiltin ? modifier.value : this.term(modifier.value, scope);
    return { ...modifier, target, value };
  }

  // --- terms ----------------------------------------------------------------------------------

  /** A pattern position (declaration): vars are locals of `scope`, never globals. */
  private pattern(term: Term, scope: Scope): Term {
    switch (term.type) {
      case "var":
        return term.name === WILDCARD ? term : { ...term, name: this.local(term.name, scope) };
      case "array":
        return { ...term, items: term.items.map((item) => this.pattern(item, scope)) };
      case "object":
        return {
          ...term,
          entries: term.entries.map((entry) => ({
            key: this.term(entry.key, scope),
            value: this.pattern(entry.value, scope),
          })),
        };
      default:
        return this.term(term, scope);
    }
  }

  private term(term: Term, scope: Scope): Term {
    switch (term.type) {
      case "var":
        return this.variable(term, scope);
      case "ref": {
        const head = this.term(term.head, scope);
        const operands = term.operands.map((operand) => this.term(operand, scope));
        if (head.type === "ref")
          return { ...term, head: head.head, operands: [...head.operands, ...operands] };
        return { ...term, head, operands };
      }
      case "array":
      case "set":
        return { ...term, items: term.items.map((item) => this.term(item, scope)) };
      case "object":
        return {
          ...term,
          entries: term.entries.map((entry) => ({
            key: this.term(entry.key, scope),
            value: this.term(entry.value, scope),
          })),
        };
      case "call":
        return {
          ...term,
          operator: this.nameRef(term.operator),
          args: term.args.map((arg) => this.term(arg, scope)),
        };
      case "arraycomprehension":
      case "setcomprehension": {
        const inner = this.closureScope(scope, term.body, [term.term]);
        const body = this.body(term.body, inner);
        return { ...term, body, term: this.term(term.term, inner) };
      }
      case "objectcomprehension": {
        const inner = this.closureScope(scope, term.body, [term.key, term.value]);
        const body = this.body(term.body, inner);
        return {
          ...term,
          body,
          key: this.term(term.key, inner),
          value: this.term(term.value, inner),
        };
      }
      default:
        return term;
    }
  }

  private closureScope(parent: Scope, body: Body, heads: Term[]): Scope {
    const occurs = bodyOccurrences(body);
    for (const head of heads) termVars(head, occurs);
    return new Scope(parent, bodyDeclarations(body), occurs);
  }

  private variable(term: VarTerm, scope: Scope): Term {
    const name = term.name;
    if (name === WILDCARD || name === "input" || name === "data") return term;
    if (scope.declared.has(name)) {
      scope.seen.add(name);
      return { ...term, name: this.localIn(name, scope) };
    }
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      if (s.owns(name, this.isGlobal)) {
        scope.seen.add(name);
        return { ...term, name: this.localIn(name, s) };
      }
    }
    const global = this.global(name, term);
    if (global) return global;
    scope.seen.add(name);
    return { ...term, name: this.localIn(name, scope) };
  }

  private local(name: string, scope: Scope): string {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      if (s.declared.has(name)) return this.localIn(name, s);
    }
    return this.localIn(name, scope);
  }

  private localIn(name: string, scope: Scope): string {
    let renamed = scope.names.get(name);
    if (renamed === undefined) {
      renamed = `${name}__${this.locals.next++}`;
      scope.names.set(name, renamed);
      this.locals.original.set(renamed, name);
    }
    return renamed;
  }

  /** A global name as a full ref (`data.pkg.rule`, an import's path), or undefined. */
  private global(name: string, at: VarTerm): RefTerm | undefined {
    if (name === "input" || name === "data") return undefined;
    const loc = at.loc;
    if (this.packageRules.has(name)) {
      return {
        type: "ref",
        head: { type: "var", name: "data", loc },
        operands: [
          ...this.packageRef.map((part) => ({ ...part, loc })),
          { type: "string", value: name, raw: false, loc },
        ],
        loc,
      };
    }
    const imported = this.imports.get(name);
    if (imported) return { ...imported, head: { ...imported.head, loc }, loc };
    return undefined;
  }

  /** A call operator or `with` target: a name, resolved against rules and imports only. */
  private nameRef(ref: RefTerm): RefTerm {
    if (ref.head.type !== "var") return ref;
    const global = this.global(ref.head.name, ref.head);
    if (!global) return ref;
    return { ...ref, head: global.head, operands: [...global.operands, ...ref.operands] };
  }
}

// --- pre-collection of a scope's names -----------------------------------------------------------

function headTerms(head: RuleHead): Term[] {
  const terms = head.ref.slice(1);
  if (head.key) terms.push(head.key);
  if (head.value) terms.push(head.value);
  return terms;
}

/** Names declared by a body's own expressions (`:=`, `some`, `some ... in`). */
function bodyDeclarations(body: Body): Set<string> {
  const declared = new Set<string>();
  for (const expr of body) {
    if (expr.kind === "assign") for (const v of patternVarTerms(expr.left)) declared.add(v.name);
    if (expr.kind === "some") for (const v of expr.vars) declared.add(v.name);
    if (expr.kind === "somein") {
      for (const v of patternVarTerms(expr.value)) declared.add(v.name);
      if (expr.key) for (const v of patternVarTerms(expr.key)) declared.add(v.name);
    }
  }
  declared.delete(WILDCARD);
  return declared;
}

/** Names a body mentions outside nested closures and nested bodies. */
function bodyOccurrences(body: Body): Set<string> {
  const occurs = new Set<string>();
  for (const expr of body) {
    for (const term of exprTerms(expr)) termVars(term, occurs);
    for (const modifier of expr.with) {
      const name = refName(modifier.value);
      if (name === undefined || !isBuiltinName(name)) termVars(modifier.value, occurs);
    }
  }
  return occurs;
}

/** The vars a `:=` or `some ... in` pattern declares (object keys are values, not patterns). */
function patternVarTerms(term: Term): VarTerm[] {
  switch (term.type) {
    case "var":
      return [term];
    case "array":
      return term.items.flatMap(patternVarTerms);
    case "object":
      return term.entries.flatMap((entry) => patternVarTerms(entry.value));
    default:
      return [];
  }
}

function refName(term: Term): string | undefined {
  if (term.type === "var") return term.name;
  if (term.type === "ref") return operatorName(term);
  return undefined;
}

function isBuiltinName(name: string): boolean {
  return BUILTINS.has(name) || UNSUPPORTED_OPA_BUILTINS.has(name);
}
