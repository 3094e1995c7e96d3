// Lowers compiled Rego to the IR: each rule group becomes a func, each entrypoint a plan, and
// each body a nest of blocks where iteration is a Scan and the rest of the body is planned inside
// it (continuation style, as OPA's planner does). Virtual documents are funcs read on demand.

import { BUILTINS } from "../builtins/catalog.js";
import type { Func, Local, Operand, Plan, Policy, Stmt } from "../ir/types.js";
import type {
  CallTerm,
  EveryExpr,
  Expr,
  JsonValue,
  Location,
  ObjectEntry,
  RefTerm,
  Rule,
  SomeInExpr,
  Term,
  VarTerm,
  WithModifier,
} from "../syntax/ast.js";
import { regoError, type RegoError } from "../syntax/errors.js";
import { Frame, irLocation } from "./frame.js";
import type { CheckedModules } from "../compile/index.js";
import {
  definesDocuments,
  hasVirtualDocs,
  planRuleTree,
  type RuleEntry,
  type RuleNode,
} from "./tree.js";

/** A value already held in a local, usable wherever a term is (unification of scanned values). */
interface LocalTerm {
  type: "local";
  local: Local;
  loc: Location;
}
type PlanTerm = Term | LocalTerm;

/** How a `with` replaces a function or builtin for the calls planned under it. */
type FuncMock =
  | { kind: "func"; name: string }
  | { kind: "value"; term: Term }
  /** A non-constant replacement value, passed to callees through `data` at this path. */
  | { kind: "data"; path: string[] };

interface Mocks {
  /** Paths below `data` whose virtual documents are replaced (read from `data` instead). */
  paths: string[][];
  /** Function paths (`data.pkg.f`) and builtin names replaced. */
  funcs: Map<string, FuncMock>;
}

type Cont = () => void;
type ValueCont = (value: Operand) => void;

const INPUT: Local = 0;
const DATA: Local = 1;
const WITH_ROOT = "__tollgate_with__";

export class PolicyPlanner {
  private readonly strings: string[] = [];
  private readonly stringIndexes = new Map<string, number>();
  private readonly builtins = new Map<string, number>();
  private readonly funcs: Func[] = [];
  private readonly funcNames = new Map<string, string>();
  private readonly specialisations = new Map<string, number>();
  private readonly tree: RuleNode;
  readonly errors: RegoError[] = [];

  private frame = new Frame(2);
  private scope = new Map<string, Local>();
  /** The rule being planned, for `rego.metadata.rule()` and `rego.metadata.chain()`. */
  private rule: { entry: RuleEntry; path: string[] } | undefined;
  private mocks: Mocks = { paths: [], funcs: new Map() };
  private withCounter = 0;

  /** Partial set rules (`pkg/path/rule`) whose clauses are funcs of their own (`planClauses`). */
  private readonly splitRules: ReadonlySet<string>;

  constructor(checked: CheckedModules, clauseRules: readonly string[] = []) {
    this.tree = planRuleTree(checked, this.errors);
    this.splitRules = new Set(clauseRules);
  }

  /** Plans one entrypoint, `pkg/path/rule`: its result set is `[{"result": value}]` when defined. */
  planEntrypoint(entrypoint: string, loc: Location): Plan {
    this.frame = new Frame(2);
    this.scope = new Map();
    const operands: Term[] = entrypoint
      .split("/")
      .filter((segment) => segment !== "")
      .map((segment) => ({ type: "string", value: segment, raw: false, loc }));
    this.planDataRef(operands, loc, (value) => {
      const result = this.frame.newLocal();
      this.emit({ type: "MakeObject", target: result }, loc);
      this.emit({ type: "ObjectInsert", key: this.str("result"), value, object: result }, loc);
      this.emit({ type: "ResultSetAdd", value: result }, loc);
    });
    return { name: entrypoint, blocks: [this.frame.finish()] };
  }

  /**
   * Plans `[[file, line, column, values], ...]`, one entry per clause of the partial set rule
   * `rule` (`pkg/path/rule`, one of the constructor's `clauseRules`): where the clause is written
   * and the set it alone adds; `[]` for a rule of another kind. A caller that finds a bad value in
   * the rule's set evaluates this plan, only then, to say which clause produced it.
   */
  planClauses(name: string, rule: string, loc: Location): Plan {
    this.frame = new Frame(2);
    this.scope = new Map();
    const node = this.nodeAt(rule.split("/").filter((segment) => segment !== ""));
    const clauses = this.frame.newLocal();
    this.emit({ type: "MakeArray", capacity: node?.rules.length ?? 0, target: clauses }, loc);
    if (node?.kind === "partial-set" && this.splitRules.has(rule)) {
      for (const [index, entry] of node.rules.entries()) {
        const at = entry.rule.loc;
        const values = this.frame.newLocal();
        const clause = this.frame.newLocal();
        this.emit({ type: "MakeSet", target: values }, at);
        const func = this.clauseFunc(node, index);
        const ignored = this.frame.newLocal();
        this.emit(
          { type: "Call", func, args: [local(INPUT), local(DATA), local(values)], result: ignored },
          at,
        );
        this.emit({ type: "MakeArray", capacity: 4, target: clause }, at);
        this.emit({ type: "ArrayAppend", value: this.str(at.file), array: clause }, at);
        for (const number of [at.line, at.column]) {
          const target = this.frame.newLocal();
          this.emit({ type: "MakeNumberInt", value: number, target }, at);
          this.emit({ type: "ArrayAppend", value: local(target), array: clause }, at);
        }
        this.emit({ type: "ArrayAppend", value: local(values), array: clause }, at);
        this.emit({ type: "ArrayAppend", value: local(clause), array: clauses }, at);
      }
    }
    const result = this.frame.newLocal();
    this.emit({ type: "MakeObject", target: result }, loc);
    this.emit(
      { type: "ObjectInsert", key: this.str("result"), value: local(clauses), object: result },
      loc,
    );
    this.emit({ type: "ResultSetAdd", value: result }, loc);
    return { name, blocks: [this.frame.finish()] };
  }

  policy(plans: Plan[]): Policy {
    return {
      strings: this.strings,
      builtins: [...this.builtins].map(([name, arity]) => ({ name, arity })),
      plans,
      funcs: this.funcs,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Rule groups as funcs

  /** The func computing the rules at `node`, planned on first use (per set of active mocks). */
  private ruleFunc(node: RuleNode): string {
    return this.funcFor(`rules:${node.path.join(".")}`, node, () => this.planRuleGroup(node));
  }

  /** The func computing a virtual subtree's whole value (base data merged with rule values). */
  private extentFunc(node: RuleNode): string {
    return this.funcFor(`extent:${node.path.join(".")}`, node, () => this.planExtent(node));
  }

  /**
   * Clause `index` of a partial set rule as a func of `input`, `data` and the set it adds to,
   * which it returns. Its path is empty: it is never a target of dynamic dispatch.
   */
  private clauseFunc(node: RuleNode, index: number): string {
    return this.funcFor(
      `clause:${index}:${node.path.join(".")}`,
      node,
      () => {
        const entry = node.rules[index] as RuleEntry;
        this.frame = new Frame(3);
        const values: Local = 2;
        this.planRuleChain(node, entry, values, []);
        this.emit({ type: "ReturnLocal", source: values }, entry.rule.loc);
        return { params: [INPUT, DATA, values], result: values, blocks: [this.frame.finish()] };
      },
      `#${index}`,
    );
  }

  private funcFor(
    key: string,
    node: RuleNode,
    build: () => Omit<Func, "name" | "path">,
    clause?: string,
  ): string {
    const mockKey = this.mockKey();
    const fullKey = `${key}|${mockKey}`;
    const existing = this.funcNames.get(fullKey);
    if (existing !== undefined) return existing;
    let generation = this.specialisations.get(mockKey);
    if (generation === undefined) {
      generation = this.specialisations.size;
      this.specialisations.set(mockKey, generation);
    }
    const prefix = key.startsWith("extent:") ? "extent" : "g";
    const name = `${prefix}${generation}.data${node.path.map((s) => "." + s).join("")}${clause ?? ""}`;
    this.funcNames.set(fullKey, name);
    const saved = {
      frame: this.frame,
      scope: this.scope,
      rule: this.rule,
    };
    try {
      const func = build();
      // The set OPA memoises (its Wasm compiler): every func of `input` and `data` alone.
      const memoize = func.params.length === 2;
      this.funcs.push({
        name,
        path: clause === undefined ? ["data", ...node.path] : [],
        ...func,
        ...(memoize ? { memoize } : {}),
      });
    } finally {
      this.frame = saved.frame;
      this.scope = saved.scope;
      this.rule = saved.rule;
    }
    return name;
  }

  private planRuleGroup(node: RuleNode): Omit<Func, "name" | "path"> {
    const entries = node.rules.filter((entry) => !entry.rule.default);
    const defaults = node.rules.filter((entry) => entry.rule.default);
    const arity = node.arity ?? 0;
    const params = Array.from({ length: 2 + arity }, (_, index) => index);
    this.frame = new Frame(2 + arity);
    const result = this.frame.newLocal();
    const loc = node.rules[0]?.rule.loc;
    if (node.kind === "partial-set") this.emit({ type: "MakeSet", target: result }, loc);
    if (node.kind === "partial-object") this.emit({ type: "MakeObject", target: result }, loc);
    const split = node.kind === "partial-set" && this.splitRules.has(node.path.join("/"));
    for (const entry of entries) {
      if (!split) {
        this.planRuleChain(node, entry, result, params.slice(2));
        continue;
      }
      const added = this.frame.newLocal();
      const func = this.clauseFunc(node, node.rules.indexOf(entry));
      this.emit(
        { type: "Call", func, args: [local(INPUT), local(DATA), local(result)], result: added },
        entry.rule.loc,
      );
    }
    for (const entry of defaults) {
      this.scope = new Map();
      const value = entry.rule.head.value;
      this.emit(
        {
          type: "Block",
          blocks: [
            this.frame.nested(() => {
              this.emit({ type: "IsUndefined", source: result }, entry.rule.loc);
              if (value !== undefined) {
                this.planTerm(value, (op) =>
                  this.emit({ type: "AssignVar", source: op, target: result }, entry.rule.loc),
                );
              }
            }),
          ],
        },
        entry.rule.loc,
      );
    }
    this.emit({ type: "ReturnLocal", source: result }, loc);
    return { params, result, blocks: [this.frame.finish()], loc: irLocation(loc) };
  }

  /** One rule and its `else` alternatives; each alternative runs only if none before it matched. */
  private planRuleChain(node: RuleNode, entry: RuleEntry, result: Local, args: Local[]): void {
    const chain: Rule[] = [];
    for (let rule: Rule | undefined = entry.rule; rule !== undefined; rule = rule.else)
      chain.push(rule);
    const matched = chain.length > 1 ? this.frame.newLocal() : undefined;
    if (matched !== undefined) this.emit({ type: "ResetLocal", target: matched }, entry.rule.loc);
    for (const [index, rule] of chain.entries()) {
      this.rule = { entry, path: node.path };
      this.scope = new Map();
      const block = this.frame.nested(() => {
        if (matched !== undefined && index > 0)
          this.emit({ type: "IsUndefined", source: matched }, rule.loc);
        const head =
          index === 0
            ? entry.rule.head
            : { ...rule.head, args: rule.head.args ?? entry.rule.head.args };
        this.unifyParams(head.args ?? [], args, () =>
          this.planBody(rule.body, 0, () => {
            this.planRuleOutput(node, entry, rule, result);
            if (matched !== undefined)
              this.emit(
                { type: "AssignVar", source: { kind: "bool", value: true }, target: matched },
                rule.loc,
              );
          }),
        );
      });
      this.emit({ type: "Block", blocks: [block] }, rule.loc);
    }
  }

  private unifyParams(patterns: Term[], params: Local[], cont: Cont): void {
    this.declare(patterns.flatMap(varsOf));
    const count = Math.min(patterns.length, params.length);
    this.chain(
      count,
      (index, next) => {
        const pattern = patterns[index] as Term;
        this.planUnify(
          pattern,
          { type: "local", local: params[index] as Local, loc: pattern.loc },
          next,
        );
      },
      cont,
    );
  }

  /**
   * Plans steps 0..count-1 in continuation style, each planned in the continuation of the one
   * before. While a step continues at the block level it started at (no Scan or With opened),
   * the next step runs in a loop rather than deeper in the JS stack, so long bodies and long
   * literals plan in constant stack depth. Bindings a step makes stay in scope for the rest;
   * the construct owning the body (rule, comprehension, not, every) restores the scope.
   */
  private chain(
    count: number,
    step: (index: number, next: Cont) => void,
    done: Cont,
    start = 0,
  ): void {
    for (let index = start; ;) {
      if (index >= count) return done();
      const level = this.frame.currentBlock();
      const current = index;
      let continuedInline = false;
      let continued = false;
      step(current, () => {
        if (!continued && this.frame.currentBlock() === level) {
          continued = true;
          continuedInline = true;
          return;
        }
        continued = true;
        this.chain(count, step, done, current + 1);
      });
      if (!continuedInline) return;
      index = current + 1;
    }
  }

  private planRuleOutput(node: RuleNode, entry: RuleEntry, rule: Rule, result: Local): void {
    const loc = rule.loc;
    const value: Term = rule.head.value ?? { type: "boolean", value: true, loc };
    const member = rule.head.key ?? entry.rule.head.key;
    if (entry.rule.head.kind === "partial-set" && member === undefined)
      return this.fail(loc, "partial set rule without a member term");
    if (node.kind === "partial-set" && member !== undefined) {
      return this.planTerm(member, (op) =>
        this.emit({ type: "SetAdd", value: op, set: result }, loc),
      );
    }
    if (node.kind === "partial-object") {
      return this.planTerms(entry.rest, (keys) => {
        if (entry.rule.head.kind === "partial-set" && member !== undefined) {
          return this.planTerm(member, (op) => {
            const set = this.containerAt(result, keys, "set", loc);
            this.emit({ type: "SetAdd", value: op, set }, loc);
          });
        }
        const leafKey = keys[keys.length - 1];
        if (leafKey === undefined) return this.fail(loc, "partial object rule without a key");
        this.planTerm(value, (op) => {
          const parent = this.containerAt(result, keys.slice(0, -1), "object", loc);
          const owned = this.mayBeWrittenInto(node, entry) ? this.ownedCopy(op, loc) : op;
          this.emit({ type: "ObjectInsertOnce", key: leafKey, value: owned, object: parent }, loc);
        });
      });
    }
    const conflict = conflictMessage(node, entry);
    this.planTerm(value, (op) =>
      this.emit({ type: "AssignVarOnce", source: op, target: result, conflict }, loc),
    );
  }

  /**
   * True when another rule of the node may insert below this entry's value (`p[k] := v` beside
   * `p[k].y := 1` or `p[k].y contains x`): the value is then copied before it is inserted, since
   * inserting into it would change a document that other references share (a memoized rule).
   */
  private mayBeWrittenInto(node: RuleNode, entry: RuleEntry): boolean {
    return node.rules.some((other) => other.rest.length > entry.rest.length);
  }

  /** A shallow copy of an object or set value (other values are never written into). */
  private ownedCopy(value: Operand, loc: Location): Operand {
    const copy = this.frame.newLocal();
    this.emit({ type: "AssignVar", source: value, target: copy }, loc);
    const copies: [string, "MakeObject" | "MakeSet", "IsObject" | "IsSet"][] = [
      ["object.union", "MakeObject", "IsObject"],
      ["or", "MakeSet", "IsSet"],
    ];
    for (const [builtin, make, test] of copies) {
      this.builtins.set(builtin, 2);
      const empty = this.frame.newLocal();
      const block = this.frame.nested(() => {
        this.emit({ type: test, source: value }, loc);
        this.emit({ type: make, target: empty }, loc);
        this.emit({ type: "Call", func: builtin, args: [value, local(empty)], result: copy }, loc);
      });
      this.emit({ type: "Block", blocks: [block] }, loc);
    }
    return local(copy);
  }

  /**
   * `object[k1]...[kn]`, creating what is missing on the way (objects inside, an object or a set
   * at the end). Relies on inserted containers being shared, so later inserts into them show.
   */
  private containerAt(
    object: Local,
    keys: Operand[],
    last: "object" | "set",
    loc: Location,
  ): Local {
    let current = object;
    for (const [index, key] of keys.entries()) {
      const inner = this.frame.newLocal();
      this.emit({ type: "ResetLocal", target: inner }, loc);
      const parent = current;
      const lookup = this.frame.nested(() =>
        this.emit({ type: "Dot", source: local(parent), key, target: inner }, loc),
      );
      this.emit({ type: "Block", blocks: [lookup] }, loc);
      const create = this.frame.nested(() => {
        this.emit({ type: "IsUndefined", source: inner }, loc);
        this.emit(
          {
            type: index === keys.length - 1 && last === "set" ? "MakeSet" : "MakeObject",
            target: inner,
          },
          loc,
        );
        this.emit({ type: "ObjectInsert", key, value: local(inner), object: parent }, loc);
      });
      this.emit({ type: "Block", blocks: [create] }, loc);
      current = inner;
    }
    return current;
  }

  private planExtent(node: RuleNode): Omit<Func, "name" | "path"> {
    this.frame = new Frame(2);
    this.scope = new Map();
    const loc = firstLocation(node);
    const virtual = this.frame.newLocal();
    this.emit({ type: "MakeObject", target: virtual }, loc);
    for (const [key, child] of node.children) {
      if (!definesDocuments(child) || this.isMocked(child.path)) continue;
      const block = this.frame.nested(() =>
        this.planNodeValue(child, loc, (value) =>
          this.emit({ type: "ObjectInsert", key: this.str(key), value, object: virtual }, loc),
        ),
      );
      this.emit({ type: "Block", blocks: [block] }, loc);
    }
    if (node.rules.length > 0 && node.kind !== "function" && !this.isMocked(node.path)) {
      const own = this.frame.newLocal();
      this.emit(
        { type: "Call", func: this.ruleFunc(node), args: [local(INPUT), local(DATA)], result: own },
        loc,
      );
      this.emit({ type: "ObjectMerge", a: own, b: virtual, target: virtual }, loc);
    }
    const base = this.frame.newLocal();
    const result = this.frame.newLocal();
    this.emit({ type: "ResetLocal", target: base }, loc);
    this.emit({ type: "ResetLocal", target: result }, loc);
    this.emit(
      {
        type: "Block",
        blocks: [
          this.frame.nested(() =>
            this.readBase(node.path, loc, (op) =>
              this.emit({ type: "AssignVar", source: op, target: base }, loc),
            ),
          ),
        ],
      },
      loc,
    );
    this.emit(
      {
        type: "Block",
        blocks: [
          this.frame.nested(() => {
            this.emit({ type: "IsObject", source: local(base) }, loc);
            this.emit({ type: "ObjectMerge", a: base, b: virtual, target: result }, loc);
          }),
        ],
      },
      loc,
    );
    this.emit(
      {
        type: "Block",
        blocks: [
          this.frame.nested(() => {
            this.emit({ type: "IsUndefined", source: result }, loc);
            this.emit({ type: "AssignVar", source: local(virtual), target: result }, loc);
          }),
        ],
      },
      loc,
    );
    this.emit({ type: "ReturnLocal", source: result }, loc);
    return { params: [INPUT, DATA], result, blocks: [this.frame.finish()], loc: irLocation(loc) };
  }

  /** The value of a virtual node: its rules' value, or its extent when rules sit below it. */
  private planNodeValue(node: RuleNode, loc: Location, cont: ValueCont): void {
    if (this.isMocked(node.path)) return this.readBase(node.path, loc, cont);
    const hasChildren = [...node.children.values()].some(definesDocuments);
    const func =
      node.rules.length > 0 && node.kind !== "function" && !hasChildren
        ? this.ruleFunc(node)
        : this.extentFunc(node);
    const result = this.frame.newLocal();
    this.emit({ type: "Call", func, args: [local(INPUT), local(DATA)], result }, loc);
    cont(local(result));
  }

  private readBase(path: string[], loc: Location, cont: ValueCont): void {
    let source: Local = DATA;
    for (const segment of path) {
      const target = this.frame.newLocal();
      this.emit({ type: "Dot", source: local(source), key: this.str(segment), target }, loc);
      source = target;
    }
    cont(local(source));
  }

  private isMocked(path: string[]): boolean {
    return this.mocks.paths.some(
      (mocked) => mocked.length <= path.length && mocked.every((s, i) => path[i] === s),
    );
  }

  private mockKey(): string {
    if (this.mocks.paths.length === 0 && this.mocks.funcs.size === 0) return "";
    return JSON.stringify([this.mocks.paths, [...this.mocks.funcs]]);
  }

  // -------------------------------------------------------------------------------------------
  // Bodies and expressions

  private planBody(body: readonly Expr[], index: number, cont: Cont): void {
    this.chain(body.length, (i, next) => this.planExpr(body[i] as Expr, next), cont, index);
  }

  private planExpr(expr: Expr, cont: Cont): void {
    if (expr.negated) {
      this.planNot((succeeded) => this.planPositive(expr, succeeded), expr.loc);
      return cont();
    }
    this.planPositive(expr, cont);
  }

  /**
   * A Not whose block fails unless the negated part succeeded at its innermost point: a Scan or
   * With statement completes even when its block failed, so success is recorded in a flag.
   */
  private planNot(build: (succeeded: Cont) => void, loc: Location): void {
    const succeeded = this.frame.newLocal();
    this.emit({ type: "ResetLocal", target: succeeded }, loc);
    const block = this.frame.nested(() => {
      this.scoped(() =>
        build(() =>
          this.emit(
            { type: "AssignVar", source: { kind: "bool", value: true }, target: succeeded },
            loc,
          ),
        ),
      );
      this.emit({ type: "IsDefined", source: succeeded }, loc);
    });
    this.emit({ type: "Not", block }, loc);
  }

  private planPositive(expr: Expr, cont: Cont): void {
    if (expr.with.length > 0) return this.planWith(expr, cont);
    switch (expr.kind) {
      case "term":
        return this.planTermExpr(expr.term, expr.loc, cont);
      case "unify":
        return this.planUnify(expr.left, expr.right, cont);
      case "assign":
        this.declare(varsOf(expr.left));
        return this.planUnify(expr.left, expr.right, cont);
      case "some":
        this.declare(expr.vars.map((v) => v.name));
        return cont();
      case "somein":
        return this.planSomeIn(expr, cont);
      case "every":
        return this.planEvery(expr, cont);
      case "block":
        return this.planBody(expr.body, 0, cont);
    }
  }

  private planTermExpr(term: Term, loc: Location, cont: Cont): void {
    if (term.type === "call" && this.callName(term) === "eq" && term.args.length === 2) {
      return this.planUnify(term.args[0] as Term, term.args[1] as Term, cont);
    }
    if (term.type === "call" && this.callName(term) === "equal" && term.args.length === 2) {
      const [left, right] = term.args as [Term, Term];
      return this.planTerm(left, (a) =>
        this.planTerm(right, (b) => {
          this.emit({ type: "Equal", a, b }, loc);
          cont();
        }),
      );
    }
    if (term.type === "boolean" && term.value) return cont();
    this.planTerm(term, (value) => {
      this.emit({ type: "NotEqual", a: value, b: { kind: "bool", value: false } }, loc);
      cont();
    });
  }

  private planSomeIn(expr: SomeInExpr, cont: Cont): void {
    this.scoped(() => {
      this.declare([...varsOf(expr.value), ...(expr.key ? varsOf(expr.key) : [])]);
      this.planTerm(expr.collection, (collection) => {
        const source = this.toLocal(collection, expr.loc);
        const key = this.frame.newLocal();
        const value = this.frame.newLocal();
        const block = this.frame.nested(() => {
          const unifyValue = (): void =>
            this.planUnify(expr.value, { type: "local", local: value, loc: expr.loc }, cont);
          if (expr.key === undefined) return unifyValue();
          this.planUnify(expr.key, { type: "local", local: key, loc: expr.loc }, unifyValue);
        });
        this.emit({ type: "Scan", source, key, value, block }, expr.loc);
      });
    });
  }

  /** `every k, v in xs { body }` holds when no element makes the body fail. */
  private planEvery(expr: EveryExpr, cont: Cont): void {
    const loc = expr.loc;
    this.planTerm(expr.domain, (domain) => {
      const source = this.toLocal(domain, loc);
      const counterexample = this.frame.newLocal();
      this.emit({ type: "ResetLocal", target: counterexample }, loc);
      const key = this.frame.newLocal();
      const value = this.frame.newLocal();
      const search = this.frame.nested(() => {
        const scan = this.frame.nested(() =>
          this.scoped(() => {
            this.scope.set(expr.value.name, value);
            if (expr.key !== undefined) this.scope.set(expr.key.name, key);
            this.planNot((succeeded) => this.planBody(expr.body, 0, succeeded), loc);
            this.emit(
              { type: "AssignVar", source: { kind: "bool", value: true }, target: counterexample },
              loc,
            );
          }),
        );
        this.emit({ type: "Scan", source, key, value, block: scan }, loc);
        this.emit({ type: "IsDefined", source: counterexample }, loc);
      });
      this.emit({ type: "Not", block: search }, loc);
      cont();
    });
  }

  /**
   * `expr with t1 as v1 ...`: values are computed first, then the expression runs inside With
   * statements (input/data) and under static mocks (rules, functions, builtins); the rest of the
   * body runs with the original documents restored.
   */
  private planWith(expr: Expr, cont: Cont): void {
    const inner: Expr = { ...expr, with: [] };
    const documentTargets: { root: Local; path: string[]; value: Term; loc: Location }[] = [];
    const nextMocks: Mocks = { paths: [...this.mocks.paths], funcs: new Map(this.mocks.funcs) };
    for (const modifier of expr.with) {
      const target = this.withTarget(modifier);
      if (target === undefined) return;
      if (target.kind === "document") {
        documentTargets.push({
          root: target.root,
          path: target.path,
          value: modifier.value,
          loc: modifier.loc,
        });
        if (target.root === DATA && this.replacesPartOfRule(target.path)) {
          return this.fail(
            modifier.loc,
            `with keyword cannot partially replace virtual document data.${target.path.join(".")}`,
          );
        }
        if (target.root === DATA && this.touchesRules(target.path))
          nextMocks.paths.push(target.path);
        continue;
      }
      const replacement = this.funcReplacement(modifier.value);
      if (replacement !== undefined) {
        nextMocks.funcs.set(target.name, replacement);
      } else if (isConstant(modifier.value)) {
        nextMocks.funcs.set(target.name, { kind: "value", term: modifier.value });
      } else {
        const path = [WITH_ROOT, String(this.withCounter++)];
        documentTargets.push({ root: DATA, path, value: modifier.value, loc: modifier.loc });
        nextMocks.funcs.set(target.name, { kind: "data", path });
      }
    }
    this.planTerms(
      documentTargets.map((t) => t.value),
      (values) => {
        const roots = [...new Set(documentTargets.map((t) => t.root))];
        const saved = new Map<Local, Local>();
        for (const root of roots) {
          const copy = this.frame.newLocal();
          this.emit({ type: "AssignVar", source: local(root), target: copy }, expr.loc);
          saved.set(root, copy);
        }
        const outerMocks = this.mocks;
        const restoreAndContinue = (): void => {
          const innerMocks = this.mocks;
          this.mocks = outerMocks;
          this.nestWith(
            [...saved].map(([root, copy]) => ({ root, path: [], value: local(copy) })),
            expr.loc,
            cont,
          );
          this.mocks = innerMocks;
        };
        this.mocks = nextMocks;
        try {
          this.nestWith(
            documentTargets.map((t, i) => ({
              root: t.root,
              path: t.path,
              value: values[i] ?? local(t.root),
            })),
            expr.loc,
            () => this.planPositive(inner, restoreAndContinue),
          );
        } finally {
          this.mocks = outerMocks;
        }
      },
    );
  }

  private nestWith(
    targets: { root: Local; path: string[]; value: Operand }[],
    loc: Location,
    build: Cont,
  ): void {
    const [first, ...rest] = targets;
    if (first === undefined) return build();
    const block = this.frame.nested(() => this.nestWith(rest, loc, build));
    this.emit(
      {
        type: "With",
        local: first.root,
        path: first.path.map((s) => this.strIndex(s)),
        value: first.value,
        block,
      },
      loc,
    );
  }

  private withTarget(
    modifier: WithModifier,
  ):
    { kind: "document"; root: Local; path: string[] } | { kind: "func"; name: string } | undefined {
    const { target } = modifier;
    const head = target.head;
    const segments: string[] = [];
    for (const operand of target.operands) {
      if (operand.type !== "string") {
        this.error(modifier.loc, "with target must be a ground reference");
        return undefined;
      }
      segments.push(operand.value);
    }
    if (head.type !== "var") {
      this.error(
        modifier.loc,
        "with target must be a reference to input, data, a function or a builtin",
      );
      return undefined;
    }
    if (head.name === "input") return { kind: "document", root: INPUT, path: segments };
    const path = this.functionPathAt(head.name, segments);
    if (path !== undefined) return { kind: "func", name: `data.${path.join(".")}` };
    if (head.name === "data") return { kind: "document", root: DATA, path: segments };
    return { kind: "func", name: [head.name, ...segments].join(".") };
  }

  /** A with value that names a function or builtin (called instead), else undefined. */
  private funcReplacement(value: Term): FuncMock | undefined {
    let head: Term = value;
    const segments: string[] = [];
    if (value.type === "ref") {
      head = value.head;
      for (const operand of value.operands) {
        if (operand.type !== "string") return undefined;
        segments.push(operand.value);
      }
    }
    if (head.type !== "var" || this.scope.has(head.name)) return undefined;
    const path = this.functionPathAt(head.name, segments);
    if (path !== undefined) return { kind: "func", name: `data.${path.join(".")}` };
    const name = [head.name, ...segments].join(".");
    return BUILTINS.has(name) ? { kind: "func", name } : undefined;
  }

  /** True when a strict prefix of the path is a rule's document (`with data.p.x` for a rule p). */
  private replacesPartOfRule(path: string[]): boolean {
    let node: RuleNode | undefined = this.tree;
    for (const segment of path) {
      if (node.rules.length > 0 && node.kind !== "function") return true;
      node = node.children.get(segment);
      if (node === undefined) return false;
    }
    return false;
  }

  private touchesRules(path: string[]): boolean {
    let node: RuleNode | undefined = this.tree;
    for (const segment of path) {
      if (node.rules.length > 0 && node.kind !== "function") return true;
      node = node.children.get(segment);
      if (node === undefined) return false;
    }
    return hasVirtualDocs(node);
  }

  // -------------------------------------------------------------------------------------------
  // Unification

  private planUnify(left: PlanTerm, right: PlanTerm, cont: Cont): void {
    const leftFree = this.isUnboundVar(left);
    const rightFree = this.isUnboundVar(right);
    if (leftFree && rightFree)
      return this.fail(left.loc, `var ${describe(left)} is unsafe`, "rego_unsafe_var_error");
    if (leftFree) return this.planTerm(right, (value) => this.bind(left as VarTerm, value, cont));
    if (rightFree) return this.planTerm(left, (value) => this.bind(right as VarTerm, value, cont));
    if (left.type === "array" && right.type === "array") {
      if (left.items.length !== right.items.length) return this.failStatically(left.loc);
      return this.unifyPairs(
        left.items.map((item, i) => [item, right.items[i] as Term]),
        cont,
      );
    }
    if (
      left.type === "object" &&
      right.type === "object" &&
      (this.hasUnbound(left) || this.hasUnbound(right))
    ) {
      const pairs = matchObjectPatterns(left, right);
      if (pairs === undefined) return this.failStatically(left.loc);
      return this.unifyPairs(pairs, cont);
    }
    if (this.hasUnbound(left))
      return this.planTerm(right, (value) =>
        this.destructure(left, this.toLocal(value, left.loc), cont),
      );
    if (this.hasUnbound(right))
      return this.planTerm(left, (value) =>
        this.destructure(right, this.toLocal(value, right.loc), cont),
      );
    this.planTerm(left, (a) =>
      this.planTerm(right, (b) => {
        this.emit({ type: "Equal", a, b }, left.loc);
        cont();
      }),
    );
  }

  private unifyPairs(pairs: [PlanTerm, PlanTerm][], cont: Cont): void {
    this.chain(
      pairs.length,
      (index, next) => {
        const [left, right] = pairs[index] as [PlanTerm, PlanTerm];
        this.planUnify(left, right, next);
      },
      cont,
    );
  }

  /** Matches an array or object pattern against a value held in `source`. */
  private destructure(pattern: PlanTerm, source: Local, cont: Cont): void {
    const loc = pattern.loc;
    if (pattern.type === "array") {
      this.emit({ type: "IsArray", source: local(source) }, loc);
      this.expectLength(source, pattern.items.length, loc);
      const items = pattern.items;
      return this.chain(
        items.length,
        (index, next) => {
          const position = this.frame.newLocal();
          this.emit({ type: "MakeNumberInt", value: index, target: position }, loc);
          const element = this.frame.newLocal();
          this.emit(
            { type: "Dot", source: local(source), key: local(position), target: element },
            loc,
          );
          this.planUnify(items[index] as Term, { type: "local", local: element, loc }, next);
        },
        cont,
      );
    }
    if (pattern.type === "object") {
      this.emit({ type: "IsObject", source: local(source) }, loc);
      this.expectLength(source, pattern.entries.length, loc);
      const entries = pattern.entries;
      return this.chain(
        entries.length,
        (index, next) => {
          const entry = entries[index] as ObjectEntry;
          if (this.hasUnbound(entry.key))
            return this.fail(
              entry.key.loc,
              "object pattern keys must be ground",
              "rego_unsafe_var_error",
            );
          this.planTerm(entry.key, (key) => {
            const element = this.frame.newLocal();
            this.emit({ type: "Dot", source: local(source), key, target: element }, loc);
            this.planUnify(entry.value, { type: "local", local: element, loc }, next);
          });
        },
        cont,
      );
    }
    this.planUnify(pattern, { type: "local", local: source, loc }, cont);
  }

  private expectLength(source: Local, length: number, loc: Location): void {
    const actual = this.frame.newLocal();
    const expected = this.frame.newLocal();
    this.emit({ type: "Len", source: local(source), target: actual }, loc);
    this.emit({ type: "MakeNumberInt", value: length, target: expected }, loc);
    this.emit({ type: "Equal", a: local(actual), b: local(expected) }, loc);
  }

  private bind(variable: VarTerm, value: Operand, cont: Cont): void {
    if (variable.name === "_") return cont();
    const aliasesDocument =
      value.kind === "local" && (value.local === INPUT || value.local === DATA);
    this.scope.set(
      variable.name,
      aliasesDocument ? this.copy(value, variable.loc) : this.toLocal(value, variable.loc),
    );
    cont();
  }

  private isUnboundVar(term: PlanTerm): term is VarTerm {
    if (term.type !== "var") return false;
    if (term.name === "_") return true;
    return !this.scope.has(term.name) && term.name !== "input" && term.name !== "data";
  }

  /** True when an array/object pattern holds a var that is not bound yet. */
  private hasUnbound(term: PlanTerm): boolean {
    if (this.isUnboundVar(term)) return true;
    if (term.type === "array") return term.items.some((item) => this.hasUnbound(item));
    if (term.type === "object")
      return term.entries.some((e) => this.hasUnbound(e.key) || this.hasUnbound(e.value));
    return false;
  }

  // -------------------------------------------------------------------------------------------
  // Terms

  private planTerm(term: PlanTerm, cont: ValueCont): void {
    const loc = term.loc;
    switch (term.type) {
      case "local":
        return cont(local(term.local));
      case "null": {
        const target = this.frame.newLocal();
        this.emit({ type: "MakeNull", target }, loc);
        return cont(local(target));
      }
      case "boolean":
        return cont({ kind: "bool", value: term.value });
      case "number":
        return cont(local(this.makeNumber(term.text, loc)));
      case "string":
        return cont(this.str(term.value));
      case "var":
        return this.planVar(term, cont);
      case "ref":
        return this.planRef(term, cont);
      case "array":
        return this.planTerms(term.items, (items) => {
          const target = this.frame.newLocal();
          this.emit({ type: "MakeArray", capacity: items.length, target }, loc);
          for (const value of items) this.emit({ type: "ArrayAppend", value, array: target }, loc);
          cont(local(target));
        });
      case "set":
        return this.planTerms(term.items, (items) => {
          const target = this.frame.newLocal();
          this.emit({ type: "MakeSet", target }, loc);
          for (const value of items) this.emit({ type: "SetAdd", value, set: target }, loc);
          cont(local(target));
        });
      case "object":
        return this.planTerms(
          term.entries.flatMap((e) => [e.key, e.value]),
          (operands) => {
            const target = this.frame.newLocal();
            this.emit({ type: "MakeObject", target }, loc);
            for (let i = 0; i + 1 < operands.length; i += 2) {
              this.emit(
                {
                  type: "ObjectInsertOnce",
                  key: operands[i] as Operand,
                  value: operands[i + 1] as Operand,
                  object: target,
                },
                loc,
              );
            }
            cont(local(target));
          },
        );
      case "arraycomprehension":
        return this.planComprehension(
          term.body,
          loc,
          "MakeArray",
          (target) =>
            this.planTerm(term.term, (value) =>
              this.emit({ type: "ArrayAppend", value, array: target }, loc),
            ),
          cont,
        );
      case "setcomprehension":
        return this.planComprehension(
          term.body,
          loc,
          "MakeSet",
          (target) =>
            this.planTerm(term.term, (value) =>
              this.emit({ type: "SetAdd", value, set: target }, loc),
            ),
          cont,
        );
      case "objectcomprehension":
        return this.planComprehension(
          term.body,
          loc,
          "MakeObject",
          (target) =>
            this.planTerm(term.key, (key) =>
              this.planTerm(term.value, (value) =>
                this.emit({ type: "ObjectInsertOnce", key, value, object: target }, loc),
              ),
            ),
          cont,
        );
      case "call":
        return this.planCall(term, cont);
    }
  }

  private planTerms(terms: readonly PlanTerm[], cont: (values: Operand[]) => void): void {
    const values: Operand[] = [];
    this.chain(
      terms.length,
      (index, next) =>
        this.planTerm(terms[index] as PlanTerm, (value) => {
          values[index] = value;
          next();
        }),
      () => cont([...values]),
    );
  }

  private planComprehension(
    body: readonly Expr[],
    loc: Location,
    make: "MakeArray" | "MakeSet" | "MakeObject",
    add: (target: Local) => void,
    cont: ValueCont,
  ): void {
    const target = this.frame.newLocal();
    if (make === "MakeArray") this.emit({ type: "MakeArray", capacity: 0, target }, loc);
    else this.emit({ type: make, target }, loc);
    const block = this.frame.nested(() =>
      this.scoped(() => this.planBody(body, 0, () => add(target))),
    );
    this.emit({ type: "Block", blocks: [block] }, loc);
    cont(local(target));
  }

  private makeNumber(text: string, loc: Location): Local {
    const target = this.frame.newLocal();
    if (/^-?\d{1,9}$/.test(text))
      this.emit({ type: "MakeNumberInt", value: Number(text), target }, loc);
    else this.emit({ type: "MakeNumberRef", index: this.strIndex(text), target }, loc);
    return target;
  }

  private planVar(term: VarTerm, cont: ValueCont): void {
    if (term.name === "input") {
      this.emit({ type: "IsDefined", source: INPUT }, term.loc);
      return cont(local(INPUT));
    }
    if (term.name === "data") return this.planDataRef([], term.loc, cont);
    const bound = this.scope.get(term.name);
    if (bound !== undefined) return cont(local(bound));
    this.fail(term.loc, `var ${term.name} is unsafe`, "rego_unsafe_var_error");
  }

  private planRef(ref: RefTerm, cont: ValueCont): void {
    const head = ref.head;
    if (head.type === "var" && head.name === "data" && !this.scope.has(head.name))
      return this.planDataRef(ref.operands, ref.loc, cont);
    this.planTerm(head, (source) => this.planOperands(source, ref.operands, 0, ref.loc, cont));
  }

  /** `data.a.b[x]...`: walks the rule tree while the operands are constant strings. */
  private planDataRef(operands: readonly Term[], loc: Location, cont: ValueCont): void {
    let node: RuleNode = this.tree;
    let index = 0;
    for (;;) {
      if (this.isMocked(node.path) || !definesDocuments(node)) {
        return this.readBase(node.path, loc, (base) =>
          this.planOperands(base, operands, index, loc, cont),
        );
      }
      const isRuleNode = node.rules.length > 0 && node.kind !== "function";
      const operand = operands[index];
      if (isRuleNode || operand === undefined || operand.type !== "string") {
        return this.planNodeValue(node, loc, (value) =>
          this.planOperands(value, operands, index, loc, cont),
        );
      }
      const child = node.children.get(operand.value);
      if (child === undefined) {
        return this.readBase(node.path, loc, (base) =>
          this.planOperands(base, operands, index, loc, cont),
        );
      }
      node = child;
      index++;
    }
  }

  private planOperands(
    source: Operand,
    operands: readonly Term[],
    index: number,
    loc: Location,
    cont: ValueCont,
  ): void {
    const operand = operands[index];
    if (operand === undefined) return cont(source);
    const next = (value: Local): void =>
      this.planOperands(local(value), operands, index + 1, loc, cont);
    if (!this.hasUnbound(operand)) {
      return this.planTerm(operand, (key) => {
        const target = this.frame.newLocal();
        this.emit({ type: "Dot", source, key, target }, operand.loc);
        next(target);
      });
    }
    const collection = this.toLocal(source, loc);
    const key = this.frame.newLocal();
    const value = this.frame.newLocal();
    const block = this.frame.nested(() =>
      this.planUnify(operand, { type: "local", local: key, loc: operand.loc }, () => next(value)),
    );
    this.emit({ type: "Scan", source: collection, key, value, block }, operand.loc);
  }

  // -------------------------------------------------------------------------------------------
  // Calls

  private callName(call: CallTerm): string {
    const parts: string[] = [];
    const head = call.operator.head;
    if (head.type === "var") parts.push(head.name);
    for (const operand of call.operator.operands)
      if (operand.type === "string") parts.push(operand.value);
    return parts.join(".");
  }

  private planCall(call: CallTerm, cont: ValueCont): void {
    const loc = call.loc;
    const name = this.callName(call);
    const functionPath = this.functionPathOf(call);
    const target = functionPath !== undefined ? `data.${functionPath.join(".")}` : name;
    const mock = this.mocks.funcs.get(target);
    const arity =
      functionPath !== undefined
        ? this.nodeAt(functionPath)?.arity
        : BUILTINS.get(name)?.args.length;
    if (
      functionPath === undefined &&
      arity === undefined &&
      mock === undefined &&
      name !== "print"
    ) {
      return this.fail(loc, `undefined function ${name}`, "rego_type_error");
    }
    const args = call.args;
    if (name === "walk" && functionPath === undefined && mock === undefined && args.length === 2) {
      return this.planWalk(args[0] as Term, args[1] as Term, loc, cont);
    }
    if (arity !== undefined && args.length === arity + 1) {
      const output = args[arity] as Term;
      const reduced: CallTerm = { ...call, args: args.slice(0, arity) };
      return this.planCall(reduced, (value) =>
        this.planUnify(output, { type: "local", local: this.toLocal(value, loc), loc }, () =>
          cont({ kind: "bool", value: true }),
        ),
      );
    }
    if (mock !== undefined) return this.planMockedCall(target, mock, args, loc, cont);
    if (name === "print" && functionPath === undefined) return this.planPrint(args, loc, cont);
    if (name === "rego.metadata.rule" || name === "rego.metadata.chain") {
      return this.planTerm(jsonTerm(this.metadata(name), loc), cont);
    }
    if (functionPath !== undefined) return this.callFunction(functionPath, args, loc, cont);
    this.callBuiltin(name, args, loc, cont);
  }

  /** `walk(x, [path, value])` is a relation: the runtime lists every pair and the body scans them. */
  private planWalk(subject: Term, output: Term, loc: Location, cont: ValueCont): void {
    this.callBuiltin("walk", [subject], loc, (pairs) => {
      const source = this.toLocal(pairs, loc);
      const key = this.frame.newLocal();
      const value = this.frame.newLocal();
      const block = this.frame.nested(() =>
        this.planUnify(output, { type: "local", local: value, loc }, () =>
          cont({ kind: "bool", value: true }),
        ),
      );
      this.emit({ type: "Scan", source, key, value, block }, loc);
    });
  }

  /** A replaced call: the arguments are still evaluated (they must be defined), then the replacement. */
  private planMockedCall(
    target: string,
    mock: FuncMock,
    args: readonly Term[],
    loc: Location,
    cont: ValueCont,
  ): void {
    switch (mock.kind) {
      case "value":
        return this.planTerms(args, () => this.planTerm(mock.term, cont));
      case "data":
        return this.planTerms(args, () => this.readBase(mock.path, loc, cont));
      case "func": {
        if (!mock.name.startsWith("data.")) return this.callBuiltin(mock.name, args, loc, cont);
        // The replacement runs with no function mocks at all (OPA pushes an empty mock frame
        // for the call): inside it, the replaced function and every other one are the originals.
        const outer = this.mocks;
        this.mocks = { paths: outer.paths, funcs: new Map() };
        let func: string | undefined;
        try {
          func = this.functionFunc(mock.name.split(".").slice(1), loc);
        } finally {
          this.mocks = outer;
        }
        return this.callFunc(func, args, loc, cont);
      }
    }
  }

  private callFunction(
    path: string[],
    args: readonly Term[],
    loc: Location,
    cont: ValueCont,
  ): void {
    this.callFunc(this.functionFunc(path, loc), args, loc, cont);
  }

  private functionFunc(path: string[], loc: Location): string | undefined {
    const node = this.nodeAt(path);
    if (node !== undefined && node.kind === "function") return this.ruleFunc(node);
    this.error(loc, `undefined function data.${path.join(".")}`, "rego_type_error");
    return undefined;
  }

  private callFunc(
    func: string | undefined,
    args: readonly Term[],
    loc: Location,
    cont: ValueCont,
  ): void {
    if (func === undefined) return this.failStatically(loc);
    this.planTerms(args, (values) => {
      const result = this.frame.newLocal();
      this.emit({ type: "Call", func, args: [local(INPUT), local(DATA), ...values], result }, loc);
      cont(local(result));
    });
  }

  private callBuiltin(name: string, args: readonly Term[], loc: Location, cont: ValueCont): void {
    this.planTerms(args, (values) => {
      this.builtins.set(name, values.length);
      const result = this.frame.newLocal();
      this.emit({ type: "Call", func: name, args: values, result }, loc);
      cont(local(result));
    });
  }

  /**
   * `print(a, b)` as OPA lowers it: `internal.print([{x | x = a}, {x | x = b}])`, so an undefined
   * argument prints as an empty set instead of stopping the body.
   */
  private planPrint(args: readonly Term[], loc: Location, cont: ValueCont): void {
    const sets = this.frame.newLocal();
    this.emit({ type: "MakeArray", capacity: args.length, target: sets }, loc);
    for (const arg of args) {
      const set = this.frame.newLocal();
      this.emit({ type: "MakeSet", target: set }, loc);
      const block = this.frame.nested(() =>
        this.scoped(() =>
          this.planTerm(arg, (value) => this.emit({ type: "SetAdd", value, set }, loc)),
        ),
      );
      this.emit({ type: "Block", blocks: [block] }, loc);
      this.emit({ type: "ArrayAppend", value: local(set), array: sets }, loc);
    }
    this.builtins.set("internal.print", 1);
    const result = this.frame.newLocal();
    this.emit({ type: "Call", func: "internal.print", args: [local(sets)], result }, loc);
    cont({ kind: "bool", value: true });
  }

  /**
   * `rego.metadata.rule()` / `rego.metadata.chain()` are constants of the calling rule, as in
   * OPA: its `# METADATA` block, and that block followed by its package's, each with its path.
   */
  private metadata(name: "rego.metadata.rule" | "rego.metadata.chain"): JsonValue {
    const rule = this.rule;
    const own = rule?.entry.rule.annotations[0]?.value;
    if (name === "rego.metadata.rule") return own ?? {};
    const chain: JsonValue[] = [];
    if (rule !== undefined) {
      chain.push(
        own === undefined
          ? { path: ["data", ...rule.path] }
          : { path: ["data", ...rule.path], annotations: own },
      );
      for (const annotation of rule.entry.module.annotations) {
        chain.push({
          path: ["data", ...rule.entry.module.package.path],
          annotations: annotation.value,
        });
      }
    }
    return chain;
  }

  // -------------------------------------------------------------------------------------------
  // Names (resolved by the compile stage: rules and functions are `data` refs)

  private functionPathOf(call: CallTerm): string[] | undefined {
    const head = call.operator.head;
    if (head.type !== "var") return undefined;
    const segments: string[] = [];
    for (const operand of call.operator.operands) {
      if (operand.type !== "string") return undefined;
      segments.push(operand.value);
    }
    return this.functionPathAt(head.name, segments);
  }

  /** The path of the function a resolved name (`data.pkg.f`) calls, if it is one. */
  private functionPathAt(head: string, segments: string[]): string[] | undefined {
    return head === "data" && this.nodeAt(segments)?.kind === "function" ? segments : undefined;
  }

  private nodeAt(path: readonly string[]): RuleNode | undefined {
    let node: RuleNode | undefined = this.tree;
    for (const segment of path) {
      node = node.children.get(segment);
      if (node === undefined) return undefined;
    }
    return node;
  }

  // -------------------------------------------------------------------------------------------
  // Helpers

  private scoped(build: Cont): void {
    const saved = this.scope;
    this.scope = new Map(saved);
    try {
      build();
    } finally {
      this.scope = saved;
    }
  }

  /** Declares fresh locals: they shadow outer bindings of the same name. */
  private declare(names: Iterable<string>): void {
    for (const name of names) this.scope.delete(name);
  }

  private toLocal(value: Operand, loc: Location): Local {
    if (value.kind === "local") return value.local;
    return this.copy(value, loc);
  }

  private copy(value: Operand, loc: Location): Local {
    const target = this.frame.newLocal();
    this.emit({ type: "AssignVar", source: value, target }, loc);
    return target;
  }

  private emit(stmt: Stmt, loc: Location | undefined): void {
    const at = irLocation(loc);
    this.frame.emit(at === undefined ? stmt : { ...stmt, loc: at });
  }

  private str(value: string): Operand {
    return { kind: "string", index: this.strIndex(value) };
  }

  private strIndex(value: string): number {
    let index = this.stringIndexes.get(value);
    if (index === undefined) {
      index = this.strings.length;
      this.strings.push(value);
      this.stringIndexes.set(value, index);
    }
    return index;
  }

  private error(
    loc: Location,
    message: string,
    code: RegoError["code"] = "rego_compile_error",
  ): void {
    this.errors.push(regoError(code, loc, message));
  }

  /** Reports an error and plans a statement that never succeeds in its place. */
  private fail(
    loc: Location,
    message: string,
    code: RegoError["code"] = "rego_compile_error",
  ): void {
    this.error(loc, message, code);
    this.failStatically(loc);
  }

  /** A unification that can never hold (`[1] = [1, 2]`): the enclosing block just fails. */
  private failStatically(loc: Location): void {
    this.emit(
      { type: "Equal", a: { kind: "bool", value: true }, b: { kind: "bool", value: false } },
      loc,
    );
  }
}

/** A JSON value as a Rego term, for constants the planner computes. */
function jsonTerm(value: JsonValue, loc: Location): Term {
  if (value === null) return { type: "null", loc };
  if (typeof value === "boolean") return { type: "boolean", value, loc };
  if (typeof value === "number") return { type: "number", text: String(value), loc };
  if (typeof value === "string") return { type: "string", value, raw: false, loc };
  if (Array.isArray(value))
    return { type: "array", items: value.map((item) => jsonTerm(item, loc)), loc };
  return {
    type: "object",
    entries: Object.entries(value).map(([key, item]) => ({
      key: jsonTerm(key, loc),
      value: jsonTerm(item, loc),
    })),
    loc,
  };
}

function local(value: Local): Operand {
  return { kind: "local", local: value };
}

function varsOf(term: Term): string[] {
  switch (term.type) {
    case "var":
      return term.name === "_" ? [] : [term.name];
    case "array":
      return term.items.flatMap(varsOf);
    case "object":
      return term.entries.flatMap((e) => varsOf(e.value));
    default:
      return [];
  }
}

function isConstant(term: Term): boolean {
  switch (term.type) {
    case "null":
    case "boolean":
    case "number":
    case "string":
      return true;
    case "array":
    case "set":
      return term.items.every(isConstant);
    case "object":
      return term.entries.every((e) => isConstant(e.key) && isConstant(e.value));
    default:
      return false;
  }
}

/** Pairs the values of two object patterns by their (constant) keys; undefined if keys differ. */
function matchObjectPatterns(left: PlanTerm, right: PlanTerm): [Term, Term][] | undefined {
  if (
    left.type !== "object" ||
    right.type !== "object" ||
    left.entries.length !== right.entries.length
  )
    return undefined;
  const pairs: [Term, Term][] = [];
  for (const entry of left.entries) {
    if (!isConstant(entry.key)) return undefined;
    const key = JSON.stringify(constantValue(entry.key));
    const match = right.entries.find(
      (other) => isConstant(other.key) && JSON.stringify(constantValue(other.key)) === key,
    );
    if (match === undefined) return undefined;
    pairs.push([entry.value, match.value]);
  }
  return pairs;
}

function constantValue(term: Term): unknown {
  switch (term.type) {
    case "null":
      return null;
    case "boolean":
      return term.value;
    case "number":
      return Number(term.text);
    case "string":
      return term.value;
    case "array":
      return term.items.map(constantValue);
    case "set":
      return { set: term.items.map(constantValue) };
    case "object":
      return term.entries.map((e) => [constantValue(e.key), constantValue(e.value)]);
    default:
      return undefined;
  }
}

function describe(term: PlanTerm): string {
  return term.type === "var" ? term.name : term.type;
}

function firstLocation(node: RuleNode): Location {
  const own = node.rules[0]?.rule.loc;
  if (own !== undefined) return own;
  for (const child of node.children.values()) {
    const loc = firstLocation(child);
    if (loc.file !== "") return loc;
  }
  return { file: "", line: 0, column: 0, endLine: 0, endColumn: 0 };
}

const MAX_NAMED_DEFINITIONS = 3;

/**
 * OPA's conflict message, with the rule's name and where its other definitions are: the value
 * already held came from one of them, or from this one producing two. At most three are named:
 * each definition's message is static data in the module, which must fit the memory the host
 * gives at instantiation, and naming every other clause of a function of k clauses takes k² names.
 */
function conflictMessage(node: RuleNode, entry: RuleEntry): string {
  const problem =
    node.kind === "function"
      ? "functions must not produce multiple outputs for same inputs"
      : "complete rules must not produce multiple outputs";
  const others = node.rules
    .filter((other) => other !== entry && !other.rule.default)
    .map(({ rule }) => `${rule.loc.file}:${rule.loc.line}`);
  const name = ["data", ...node.path].join(".");
  if (others.length === 0) return `${problem} (${name})`;
  const more = others.length > MAX_NAMED_DEFINITIONS;
  const named = others.slice(0, MAX_NAMED_DEFINITIONS).join(", ");
  return `${problem} (${name}, also defined at ${named}${more ? ` and ${others.length - MAX_NAMED_DEFINITIONS} more` : ""})`;
}
