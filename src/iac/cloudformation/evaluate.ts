// Static evaluation of CloudFormation intrinsics over the positioned template tree: what a
// deployment would compute from the template alone, and `{ $unknown }` for what only a stack
// knows (resource ids and attributes, unset pseudo parameters, imports, AZ lists, macros).
// Unknown is never guessed: an expression with any unknown part is unknown as a whole, except
// policy documents written as `!Sub` JSON strings, where only the strings holding `${...}` are,
// and as `Fn::ToJsonString` of an object, which is read as that object.
//
// An `Fn::If` whose condition the template cannot decide (a parameter without default, an
// undeclared condition, `Fn::Equals`/`And`/`Or`/`Not` over such values) is one of its branches in
// every deployment, so inside `Properties` every branch that may be deployed stays visible, and
// the resource records where (`conditional`: pointer -> condition, `alternatives`: pointer ->
// the values it may take); a property or item no branch keeps is gone, as with `AWS::NoValue`.
// With `C` undecided and `D` decided false:
// - a list item `!If [C, A, !Ref AWS::NoValue]` is the item `A`, `conditional["/L/1"] = "C"`;
//   `!If [C, A, B]` is two items, `A` ("C") then `B` ("not C"): the list holds every item some
//   deployment may have (items after them move down), so "some item is public" is answered, and
//   a rule asking for a protective item must not count a conditional one as always there
//   (`util.unconditional`); `!If [C, A, A]` is `A`, unconditional;
// - a property `P: !If [C, {...}, !Ref AWS::NoValue]` holds the object, `conditional["/P"] = "C"`;
//   a list-valued one whose branches are all lists (`!If [C, [a], [b, c]]`) is their items in
//   turn, each item conditional as above;
// - a property whose branches are other values that differ (`PubliclyAccessible: !If [C, true,
//   false]`, `CidrIp: !If [C, 0.0.0.0/0, 10.0.0.0/8]`) stays `{ $unknown: "!If [C, true, false]" }`
//   (no value is both, and an unknown alone never makes a finding) with `alternatives["/P"] =
//   [{condition: "C", value: true}, {condition: "not C", value: false}]`, which rules read through
//   `util.possible_values` to say "public when C" at their own severity, not lower: the template
//   offers that deployment on purpose; branches that are equal are the value itself;
// - nested ifs conjoin: `!If [C, !If [E, A, B], !Ref AWS::NoValue]` as a list item is `A` ("C and
//   E") and `B` ("C and not E"); a decided `!If [D, X, Y]` is `Y`; inside a branch chosen whole
//   (`P: !If [C, {K: !If [E, a, !Ref AWS::NoValue]}, {...}]`) each assignment of the inner
//   conditions is an alternative of its own (`{K: a}` "C and E", `{}` "C and not E"), for up to
//   four of them (2^n values); past that a `cfn-if-limit` warning, and what they choose is unknown;
// - a resource whose own `Condition` is undecided is loaded with `conditional[""]`;
// - a `Fn::FindInMap` with an undecided key that is the whole value at its position returns one
//   of the entries written in the mapping (or the deployment fails): `alternatives` holds each,
//   under "AWS::Region is eu-west-1", one opaque condition name;
// - a parameter with several `AllowedValues` and no given value may be deployed with each: a
//   value at a position that reads it (a `Fn::FindInMap` key, a `!Ref`, a `Fn::Sub` variable, a
//   condition an `Fn::If` inside names) is evaluated once per value (per combination, up to
//   MAX_CHOICE_COMBINATIONS), and differing results are `alternatives` under "Env is prod",
//   while `config` holds the value of record, the one the `Default`s give (an unknown without
//   one); a condition reading it is undecided unless every value decides it alike. Inside a
//   branch of an undecided `Fn::If` each value is spelled out too, under the branch's conditions
//   ("IsProd and AdminCidr is 0.0.0.0/0"); a combination that contradicts them (IsProd with Env
//   dev, when IsProd is Env prod) is no deployment and left out. A list parameter's
//   `AllowedValues` are the values each of its items may take: each value is spelled out as a list
//   of the `Default`'s length holding only it ("Cidrs is 0.0.0.0/0").
// A finding under a conditional pointer says "Only when C." (policy/findings.ts), at the rule's
// severity and with the evidence it would have unconditionally.
// What the template decides is recorded too (`readFrom`: pointer -> places), for the value written
// at that pointer, or holding the expression when it is not positioned (a `Fn::Join` argument): a
// decided `Fn::If`'s condition (its definition, the conditions it names and the parameter
// `Default`s they read), and a `Fn::FindInMap`'s entry with the `Default`s of its keys. A pull
// request that changes only one of those lines changes the value, so its finding goes there.
// A decided `Fn::If` inside a branch of an undecided one whose value is one of `alternatives`
// records its places under that branch's conditions (`when`): only a finding holding there takes
// them.
// Outside `Properties` positions (arguments of `Fn::Join`, `Fn::Sub` bindings, parameter
// defaults) an undecided `Fn::If` is still one unknown. Deployments are not enumerated (2^n
// models for n conditions, and identities that would repeat): combinations of conditions across
// properties or resources are not correlated, which over-reports only where a rule joins values
// that no single deployment has together.

import { toPointer } from "../../model/pointer.js";
import type { PathSegment } from "../../model/pointer.js";
import { isUnknown, META_KEY, unknown } from "../../model/types.js";
import { containsUnknown } from "../../model/values.js";
import type { LoadError, ReadPlace, SourceLocation, Value } from "../../model/types.js";
import { cidrBlocks } from "../cidr.js";
import { MAX_NESTING_DEPTH } from "./parse.js";
import type { Span, TemplateEntry, TemplateNode } from "./parse.js";

/** What `Ref: AWS::NoValue` yields: the enclosing property or list item disappears. */
/** The code of the warning on a `Fn::Transform` whose macro output is not read (the gate's `includedSinceBase`). */
export const MACRO_UNREAD = "cfn-macro-unread";

export const NO_VALUE: unique symbol = Symbol("AWS::NoValue");
export type Evaluated = Value | typeof NO_VALUE;

/** Everything a template declares that intrinsics look up. */
export interface TemplateScope {
  file: string;
  locate(span: Span): SourceLocation;
  /** Parameters and given pseudo parameters (`AWS::Region`), known or `{ $unknown }`. */
  parameters: Map<string, Value>;
  /**
   * Where the value of each parameter is written, when it is written somewhere: the `Default` a
   * parameter takes, or the parent stack's `Parameters` entry that passes it (stacks.ts).
   */
  parameterPlaces?: Map<string, SourceLocation>;
  /**
   * Parameters taking their `Default` that whoever deploys the template may give another value:
   * no value was given, the template is no nested stack, and no `AllowedValues` pins them.
   */
  overridable?: Set<string>;
  /**
   * Parameters no value was given for whose `AllowedValues` list several values: each one a
   * deployment may choose (`parameters` holds the `Default`, the value of record, or an unknown).
   */
  choices?: Map<string, Value[]>;
  /**
   * Parameters a parent stack passes a value that differs by the deployment of the parent's
   * parameters with several `AllowedValues` (stacks.ts): each value under the "P is v" texts that
   * give it, each P in `choices` (`parameters` holds the value of record). Reading one reads
   * those P, so a nested stack follows the parent's deployments, not only its `Default`s.
   */
  passedChoices?: Map<string, PassedChoice[]>;
  resourceIds: Set<string>;
  mappings: Map<string, TemplateNode>;
  conditions: Map<string, TemplateNode>;
  /** Where each condition is written, its name included. */
  conditionDefinitions: Map<string, Span>;
}

/** What evaluating one resource collects besides its value. */
export interface Trace {
  references: Set<string>;
  locations: { [pointer: string]: SourceLocation };
  /** Pointers whose value exists only when a condition the template cannot decide holds. */
  conditional: { [pointer: string]: string };
  /** Pointers holding an unknown that is one of these values, each under its condition. */
  alternatives: { [pointer: string]: ConditionalAlternative[] };
  /**
   * Pointers located at a parameter's `Default` (`locations`), to the `!Ref` that reads it in
   * the resource: an inline waiver written there still covers a finding located at the Default.
   */
  readAt: { [pointer: string]: SourceLocation };
  /** Pointers whose value is the `Default` of an `overridable` parameter, to its name. */
  parameterDefaults: { [pointer: string]: string };
  /**
   * Pointers whose value a decided `Fn::If` or a `Fn::FindInMap` chose, to where what chose it is
   * written: the condition and the `Default`s it reads, the mapping entry and its keys' `Default`s.
   */
  readFrom: { [pointer: string]: ReadPlace[] };
}

/** A value a parent stack passes in the deployments whose parameters take the values `when` names. */
export interface PassedChoice {
  /** "P is v" texts, one per parameter of the parent it depends on. */
  when: string[];
  value: Value;
  /** Where the parent writes what decides it: its `Parameters` entry, a mapping entry it reads. */
  places: SourceLocation[];
}

export interface ConditionalAlternative {
  condition: string;
  value: Value;
}

/** A branch an undecided `Fn::If` may take: a node that is not an undecided `Fn::If`. */
interface Outcome {
  when: string[];
  /** The decided conditions of the `Fn::If`s followed on the way to `node`. */
  decidedBy: string[];
  node: TemplateNode;
}

/** Properties whose value is an IAM policy even when written as a JSON string. */
const POLICY_DOCUMENT_KEYS = new Set([
  "PolicyDocument",
  "AssumeRolePolicyDocument",
  "KeyPolicy",
  "PolicyText",
  "AccessPolicies",
  "ResourcePolicy",
  "RepositoryPolicyText",
  "FileSystemPolicy",
  "InlinePolicy",
]);

const MAX_EXPRESSION_TEXT = 200;
/** Undecided conditions inside one branch chosen whole that are spelled out deployment by deployment. */
const MAX_SPELLED_OUT = 4;
/** Entries of a mapping an undecided `Fn::FindInMap` key may choose that are spelled out. */
const MAX_MAPPING_ALTERNATIVES = 64;
/** Combinations of `AllowedValues` of the parameters one value reads that are spelled out. */
const MAX_CHOICE_COMBINATIONS = 64;
const CONDITION_WORDS = new Set(["and", "or", "not", ""]);
const HOLE_START = "\uE000";
const HOLE_END = "\uE001";

/** Literal text, a `${...}` variable the template cannot resolve, or a dynamic reference. */
type SubPart = string | { variable: string } | { reference: string };

/**
 * A dynamic reference (`{{resolve:ssm:/network/admin-cidr}}`, `ssm-secure`, `secretsmanager`):
 * CloudFormation reads the value from Parameter Store or Secrets Manager at deploy time, so the
 * template alone cannot know it.
 */
const DYNAMIC_REFERENCE = /\{\{resolve:(?:ssm|ssm-secure|secretsmanager):[^{}]*\}\}/g;

interface Intrinsic {
  name: string;
  argument: TemplateNode;
  node: TemplateNode;
}

export function asIntrinsic(node: TemplateNode): Intrinsic | null {
  if (node.kind !== "mapping" || node.entries.length !== 1) return null;
  const entry = node.entries[0] as TemplateEntry;
  if (entry.key !== "Ref" && !entry.key.startsWith("Fn::")) return null;
  return { name: entry.key, argument: entry.value, node };
}

export class TemplateEvaluator {
  readonly errors: LoadError[] = [];
  private readonly conditionResults = new Map<string, boolean | undefined>();
  private readonly conditionsInProgress = new Set<string>();
  /** Undecided conditions taken as true or false while one branch's deployments are spelled out. */
  private readonly assumed = new Map<string, boolean>();
  /** Parameters taken as one of their `AllowedValues` while a value's deployments are spelled out. */
  private readonly chosen = new Map<string, Value>();
  /** True while one value is evaluated per combination of `AllowedValues` (or for the record). */
  private choosing = false;
  /** True while the value of record is evaluated, parameters in `chosen` at their `Default`s. */
  private recordingDefaults = false;
  /** True while conditions are decided with the `overridable` parameters unknown (`overriddenFalse`). */
  private overriding = false;
  /** Conditions taken as true while a resource that exists only where they hold is evaluated. */
  private readonly held = new Set<string>();
  /**
   * The path of the innermost positioned value being evaluated: an expression evaluated without
   * a path of its own (an intrinsic's arguments) decides that value.
   */
  private enclosingPath: PathSegment[] | null = null;

  constructor(private readonly scope: TemplateScope) {}

  /** A resource's `Properties`, with every written property's location recorded in `trace`. */
  evaluateProperties(node: TemplateNode, trace: Trace): Evaluated {
    return this.evaluate(node, [], trace);
  }

  /**
   * A resource's attributes beside `Properties` (a mapping of the entries written), recorded in
   * `trace` below `/$meta` as `Properties` are below the root.
   */
  evaluateAttributes(node: TemplateNode, trace: Trace): Evaluated {
    return this.evaluate(node, [META_KEY], trace);
  }

  /** A plain value (parameter default, mapping entry) whose positions are not recorded. */
  evaluateValue(node: TemplateNode, trace: Trace): Evaluated {
    return this.evaluate(node, null, trace);
  }

  /** true or false when the template alone decides the condition, undefined when it cannot. */
  condition(name: string, at: Span): boolean | undefined {
    if (this.assumed.has(name)) return this.assumed.get(name);
    if (this.held.has(name)) return true;
    // A result that leans on an assumed condition or a chosen parameter value holds for those
    // deployments only.
    const general =
      this.assumed.size === 0 && this.chosen.size === 0 && this.held.size === 0 && !this.overriding;
    if (general && this.conditionResults.has(name)) return this.conditionResults.get(name);
    const body = this.scope.conditions.get(name);
    // Undeclared (a snippet, or a typo `cfn-lint` reports): the loader cannot decide it.
    if (body === undefined) return undefined;
    if (this.conditionsInProgress.has(name)) {
      this.error(at, "cfn-condition-cycle", `condition "${name}" depends on itself`);
      return undefined;
    }
    this.conditionsInProgress.add(name);
    // A condition on a parameter with `AllowedValues` is decided only when every value it may
    // take decides it alike (`!Equals [!Ref Env, staging]` with staging not allowed is false).
    const open = [...this.choicesRead(body)].filter((parameter) => !this.chosen.has(parameter));
    const results = this.acrossChoices(open, () => this.conditionExpression(body, newTrace()));
    this.conditionsInProgress.delete(name);
    const [first] = results ?? [];
    const result = results?.every((one) => one === first) ? first : undefined;
    if (general) this.conditionResults.set(name, result);
    return result;
  }

  /**
   * Whether condition `name`, false as the template's values decide it, is so only because of the
   * `Default`s of parameters a deployment may override (`scope.overridable`, no `AllowedValues`
   * and no value given): with them unknown it is undecided. What it guards may then be deployed.
   */
  overriddenFalse(name: string, at: Span): boolean {
    if (this.scope.overridable === undefined || this.scope.overridable.size === 0) return false;
    // It was evaluated with the Defaults already: its errors are reported then.
    const errorCount = this.errors.length;
    this.overriding = true;
    try {
      return this.condition(name, at) === undefined;
    } finally {
      this.overriding = false;
      this.errors.length = errorCount;
    }
  }

  /**
   * `evaluate` with condition `name` taken as true: the properties of a resource that exists only
   * where it holds (`overriddenFalse`), whose `Fn::If`s on it choose as they would there.
   */
  holding<T>(name: string, evaluate: () => T): T {
    this.held.add(name);
    try {
      return evaluate();
    } finally {
      this.held.delete(name);
    }
  }

  /**
   * What the undecided condition `name` means over the parameters with several `AllowedValues` it
   * reads, when their values alone decide it: the combinations in which it holds, as a condition
   * text ("Env is prod", "Env is dev or Env is test"); undefined when something else leaves it
   * undecided, or it reads a parameter outside `exclusive` (one a deployment may give other
   * values than those spelled out, as a list's).
   */
  choiceDefinition(name: string, exclusive: ReadonlySet<string>): string | undefined {
    const body = this.scope.conditions.get(name);
    if (body === undefined) return undefined;
    const parameters = [...this.choicesRead(body)];
    if (parameters.length === 0 || parameters.some((parameter) => !exclusive.has(parameter)))
      return undefined;
    // Each combination was evaluated when the condition was: its errors are reported then.
    const errorCount = this.errors.length;
    const results = this.acrossChoices(parameters, (combination) => ({
      combination,
      holds: this.conditionExpression(body, newTrace()),
    }));
    this.errors.length = errorCount;
    if (results === null || results.some(({ holds }) => holds === undefined)) return undefined;
    const holding = results.filter(({ holds }) => holds);
    if (holding.length === 0) return undefined;
    return holding
      .map(({ combination }) =>
        combination.map(([parameter, value]) => choiceText(parameter, value)).join(" and "),
      )
      .join(" or ");
  }

  /**
   * What the undecided condition `name` means over parameters a deployment may give any value
   * (unknown to the template: no value given and no `Default`, or an SSM parameter's; no
   * `AllowedValues`): a condition text of their values ("Env is prod or Env is staging") and the
   * names of other undecided conditions it reads, so that the diff can tell a condition
   * redefined wider under its name (policy/conditions.ts `widening`). Parts the template decides
   * are folded in. undefined when anything else leaves it undecided (an import, a pseudo
   * parameter, a parameter with `AllowedValues`, which `choiceDefinition` says, a value no one
   * word names): the name is then all that is known of it.
   */
  conditionMeaning(name: string): string | undefined {
    const body = this.scope.conditions.get(name);
    if (body === undefined) return undefined;
    const errorCount = this.errors.length;
    const meaning = this.meaningOf(body);
    // Each part was evaluated when the condition was: its errors are reported then.
    this.errors.length = errorCount;
    return typeof meaning === "string" ? meaning : undefined;
  }

  /** `conditionMeaning` of one condition expression: decided, a text, or unknown (undefined). */
  private meaningOf(node: TemplateNode): boolean | string | undefined {
    const decided = this.conditionExpression(node, newTrace());
    if (decided !== undefined) return decided;
    const only = node.kind === "mapping" && node.entries.length === 1 ? node.entries[0] : undefined;
    const operands = only?.value.kind === "sequence" ? only.value.items : [];
    switch (only?.key) {
      case "Condition": {
        const named = only.value.kind === "scalar" ? only.value.value : undefined;
        return typeof named === "string" && /^[A-Za-z0-9]+$/.test(named) ? named : undefined;
      }
      case "Fn::Equals": {
        const [left, right] = operands;
        if (operands.length !== 2 || !left || !right) return undefined;
        return (
          this.valueIs(left, right) ??
          this.valueIs(right, left) ??
          this.mappedValueIs(left, right) ??
          this.mappedValueIs(right, left)
        );
      }
      case "Fn::And":
      case "Fn::Or": {
        const decisive = only.key === "Fn::Or";
        const parts: string[] = [];
        for (const operand of operands) {
          const part = this.meaningOf(operand);
          if (part === undefined) return undefined;
          if (part === decisive) return decisive;
          if (typeof part === "string") parts.push(part);
        }
        if (parts.length === 0) return !decisive;
        return parts.length === 1 ? parts[0] : `(${parts.join(decisive ? " or " : " and ")})`;
      }
      case "Fn::Not": {
        const part = operands.length === 1 ? this.meaningOf(operands[0]!) : undefined;
        return typeof part === "string" ? `not ${part}` : part === undefined ? undefined : !part;
      }
    }
    return undefined;
  }

  /**
   * "P is v" for `Fn::Equals` of `reference`, a `Ref` to a parameter whose value the template
   * leaves unknown and no `AllowedValues` bounds, or to a pseudo parameter given no value
   * (`AWS::Region is us-east-1`), and `value`, one word the template decides. A pseudo
   * parameter's values are a few (the regions) but read as any value, which can only make
   * more of a redefinition look wider, never less.
   */
  private valueIs(reference: TemplateNode, value: TemplateNode): string | undefined {
    const parameter = this.anyValueParameter(reference);
    const text = parameter === undefined ? undefined : this.wordOf(value);
    return parameter === undefined || text === undefined ? undefined : choiceText(parameter, text);
  }

  /**
   * "P is k1 or P is k2" for `Fn::Equals` of `reference`, a `Fn::FindInMap` (with no
   * `DefaultValue`) whose top-level key is a parameter `anyValueParameter` reads
   * (`!Ref AWS::Region`) and whose map name and second-level key are written as words, and
   * `value`, one word the template decides: each top-level key whose entry is that value. Under
   * a key the mapping does not list, or without that second-level key, the lookup fails the
   * deployment, so none holds there; false when no entry is the value.
   */
  private mappedValueIs(reference: TemplateNode, value: TemplateNode): string | false | undefined {
    const lookup =
      reference.kind === "mapping" && reference.entries.length === 1
        ? reference.entries[0]
        : undefined;
    if (lookup?.key !== "Fn::FindInMap" || lookup.value.kind !== "sequence") return undefined;
    const [mapName, topKey, secondKey, ...options] = lookup.value.items;
    const word = (node: TemplateNode | undefined): string | undefined =>
      node?.kind === "scalar" && typeof node.value === "string" ? node.value : undefined;
    const map = word(mapName);
    const second = word(secondKey);
    const mapping = map === undefined ? undefined : this.scope.mappings.get(map);
    const parameter = topKey === undefined ? undefined : this.anyValueParameter(topKey);
    const text = this.wordOf(value);
    if (
      options.length > 0 ||
      mapping?.kind !== "mapping" ||
      second === undefined ||
      parameter === undefined ||
      text === undefined
    )
      return undefined;
    const holding: string[] = [];
    for (const top of mapping.entries) {
      if (top.value.kind !== "mapping") return undefined;
      const entry = top.value.entries.find(({ key }) => key === second);
      if (entry === undefined) continue;
      const evaluated = this.evaluate(entry.value, null, newTrace());
      const entryText =
        evaluated === undefined || evaluated === NO_VALUE ? null : scalarText(evaluated);
      if (
        entryText === null ||
        !/^[^\s()]+$/.test(top.key) ||
        ["and", "or", "not"].includes(top.key)
      )
        return undefined;
      if (entryText === text) holding.push(choiceText(parameter, top.key));
    }
    if (holding.length === 0) return false;
    return holding.length === 1 ? holding[0] : `(${holding.join(" or ")})`;
  }

  /**
   * The parameter a `Ref` (`reference`) names when its value the template leaves unknown and no
   * `AllowedValues` bounds it, or a pseudo parameter given no value (`AWS::Region`), whose values
   * are a few (the regions) but read as any value, which can only make more of a redefinition
   * look wider, never less.
   */
  private anyValueParameter(reference: TemplateNode): string | undefined {
    const ref =
      reference.kind === "mapping" && reference.entries.length === 1
        ? reference.entries[0]
        : undefined;
    const parameter =
      ref?.key === "Ref" && ref.value.kind === "scalar" ? ref.value.value : undefined;
    if (typeof parameter !== "string") return undefined;
    const current = this.scope.parameters.get(parameter);
    if (ANY_VALUE_PSEUDO_PARAMETERS.has(parameter)) {
      if (current !== undefined && !isUnknown(current)) return undefined;
    } else if (
      !/^[A-Za-z0-9]+$/.test(parameter) ||
      current === undefined ||
      !isUnknown(current) ||
      this.scope.choices?.has(parameter)
    )
      return undefined;
    return parameter;
  }

  /** The one word `value` is, as the template decides it: none with spaces, parentheses or `and`. */
  private wordOf(value: TemplateNode): string | undefined {
    const evaluated = this.evaluate(value, null, newTrace());
    const text = evaluated === undefined || evaluated === NO_VALUE ? null : scalarText(evaluated);
    if (text === null || !/^[^\s()]+$/.test(text) || ["and", "or", "not"].includes(text))
      return undefined;
    return text;
  }

  /**
   * `evaluate` run once per combination of the `AllowedValues` of `parameters` (all of them
   * when `parameters` is empty, once), each taken in `chosen`; null past MAX_CHOICE_COMBINATIONS.
   */
  private acrossChoices<T>(
    parameters: readonly string[],
    evaluate: (combination: ReadonlyArray<[string, Value]>) => T,
  ): T[] | null {
    const combinations = choiceCombinations(parameters, this.scope.choices ?? new Map());
    if (combinations === null) return null;
    return combinations.map((combination) => {
      for (const [parameter, value] of combination) this.chosen.set(parameter, value);
      try {
        return evaluate(combination);
      } finally {
        for (const [parameter] of combination) this.chosen.delete(parameter);
      }
    });
  }

  /**
   * The parameters with several `AllowedValues` (`scope.choices`) that `node` reads: by `Ref`,
   * as a `Fn::Sub` variable, or through a condition it names (`Fn::If`, `Condition`).
   */
  private choicesRead(
    node: TemplateNode,
    found: Set<string> = new Set(),
    conditionsSeen: Set<string> = new Set(),
  ): Set<string> {
    const choices = this.scope.choices;
    if (choices === undefined || choices.size === 0) return found;
    const viaCondition = (name: unknown): void => {
      if (typeof name !== "string" || conditionsSeen.has(name)) return;
      conditionsSeen.add(name);
      const body = this.scope.conditions.get(name);
      if (body !== undefined) this.choicesRead(body, found, conditionsSeen);
    };
    const visit = (inner: TemplateNode): void => {
      if (inner.kind === "scalar") return;
      if (inner.kind === "sequence") return inner.items.forEach(visit);
      const only = inner.entries.length === 1 ? (inner.entries[0] as TemplateEntry) : undefined;
      if (only?.key === "Ref" && only.value.kind === "scalar") {
        const name = only.value.value;
        if (typeof name === "string") this.choicesOf(name).forEach((read) => found.add(read));
        return;
      }
      if (only?.key === "Condition" && only.value.kind === "scalar")
        return viaCondition(only.value.value);
      if (only?.key === "Fn::If" && only.value.kind === "sequence") {
        const [condition] = only.value.items;
        if (condition?.kind === "scalar") viaCondition(condition.value);
      }
      if (only?.key === "Fn::Sub") {
        const template = subTemplate(only.value);
        const bindings = only.value.kind === "sequence" ? only.value.items[1] : undefined;
        const bound = new Set(
          bindings?.kind === "mapping" ? bindings.entries.map((e) => e.key) : [],
        );
        for (const match of (template ?? "").matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const variable = (match[1] ?? "").trim();
          if (!bound.has(variable)) this.choicesOf(variable).forEach((read) => found.add(read));
        }
      }
      for (const entry of inner.entries) visit(entry.value);
    };
    visit(node);
    return found;
  }

  /** The parameters with several `AllowedValues` reading parameter `name` reads. */
  private choicesOf(name: string): string[] {
    const passed = this.scope.passedChoices?.get(name);
    if (passed !== undefined)
      return [...new Set(passed.flatMap(({ when }) => when.map(choiceParameter)))];
    return this.scope.choices?.has(name) ? [name] : [];
  }

  /**
   * Parameter `name`'s value in the deployment being spelled out (`chosen`), else as bound; a
   * value a parent passes per deployment (`passedChoices`) is the one the chosen values give,
   * decided where the parent writes it (`trace.readFrom`).
   */
  private parameterValue(name: string, trace: Trace): Value | undefined {
    if (this.overriding && this.scope.overridable?.has(name)) return unknown(`!Ref ${name}`);
    const passed = this.scope.passedChoices?.get(name);
    if (passed === undefined) return this.chosen.get(name) ?? this.scope.parameters.get(name);
    const deployed = passed.find(({ when }) =>
      when.every((text) => {
        const chosen = this.chosen.get(choiceParameter(text));
        return chosen !== undefined && choiceText(choiceParameter(text), chosen) === text;
      }),
    );
    if (deployed === undefined) return this.scope.parameters.get(name);
    this.decidedBy(trace, null, deployed.places);
    return deployed.value;
  }

  /**
   * Where what decides a condition is written: its definition, then, in the order it reads them,
   * the conditions it names (each as this) and the `Default`s of the parameters it `!Ref`s that
   * take theirs. The template's text besides the resource decides what a `Condition` or a decided
   * `Fn::If` keeps.
   */
  conditionPlaces(name: string, seen: Set<string> = new Set()): SourceLocation[] {
    const body = this.scope.conditions.get(name);
    if (body === undefined || seen.has(name)) return [];
    seen.add(name);
    const definition = this.scope.conditionDefinitions.get(name);
    const spans: SourceLocation[] = definition === undefined ? [] : [this.scope.locate(definition)];
    const visit = (node: TemplateNode): void => {
      const intrinsic = asIntrinsic(node);
      const place = this.parameterPlace(node);
      if (place !== undefined) spans.push(place);
      else if (intrinsic === null && node.kind === "mapping" && node.entries.length === 1) {
        const only = node.entries[0] as TemplateEntry;
        if (only.key === "Condition" && only.value.kind === "scalar")
          spans.push(...this.conditionPlaces(String(only.value.value), seen));
        else visit(only.value);
      } else if (intrinsic !== null) visit(intrinsic.argument);
      else if (node.kind === "sequence") node.items.forEach(visit);
    };
    visit(body);
    return spans;
  }

  /**
   * Where what made a `Fn::ForEach` entry is written (`TemplateEntry.generatedBy`): each
   * collection item, or a `!Ref` collection and the parameter value it reads.
   */
  loopPlaces(madeBy: readonly TemplateNode[]): SourceLocation[] {
    return madeBy.flatMap((node) => {
      const value = this.parameterPlace(node);
      const written = this.scope.locate(node.span);
      return value === undefined ? [written] : [written, value];
    });
  }

  private evaluate(node: TemplateNode, path: PathSegment[] | null, trace: Trace): Evaluated {
    // A YAML alias decides the value as much as the anchor it names: a PR that adds only the
    // alias (a new resource reusing another's rules) changed that line, not the anchor's.
    if (node.alias !== undefined)
      this.decidedBy(trace, path, [this.scope.locate(node.alias), this.scope.locate(node.span)]);
    if (path === null) return this.evaluateNode(node, path, trace);
    const intrinsic = asIntrinsic(node);
    if (
      intrinsic !== null &&
      intrinsic.name !== "Fn::If" &&
      !this.choosing &&
      this.assumed.size === 0
    ) {
      const read = this.choicesRead(node);
      if (read.size > 0) return this.chosenValues(node, [...read], path, trace);
    }
    const enclosing = this.enclosingPath;
    this.enclosingPath = path;
    try {
      return this.evaluateNode(node, path, trace);
    } finally {
      this.enclosingPath = enclosing;
    }
  }

  /**
   * Records in `trace.readFrom` that `places` decide the value at `path`, or, for an expression
   * without a path, the positioned value holding it. Outside a resource's `Properties` (a
   * parameter's `Default`, a condition) there is none.
   */
  private decidedBy(
    trace: Trace,
    path: PathSegment[] | null,
    places: readonly SourceLocation[],
  ): void {
    const at = path ?? this.enclosingPath;
    if (at === null || places.length === 0) return;
    addPlaces(trace.readFrom, toPointer(at), places);
  }

  /**
   * A value at `path` that reads parameters with several `AllowedValues`: any of them may be
   * deployed, so each combination is an alternative under "Env is prod" (as an undecided
   * `Fn::FindInMap` key's entries are), its places deciding it under that condition; the value
   * of record is the one with the `Default`s (unknown when one has none). Values all alike are
   * that value. Past MAX_CHOICE_COMBINATIONS a warning says so and the value of record stands.
   */
  private chosenValues(
    node: TemplateNode,
    parameters: string[],
    path: PathSegment[],
    trace: Trace,
  ): Evaluated {
    const pointer = toPointer(path);
    const errorCount = this.errors.length;
    this.choosing = true;
    let deployments: { condition: string; value: Evaluated; trace: Trace }[] | null;
    try {
      deployments = this.acrossChoices(parameters, (combination) => {
        const branchTrace = newTrace();
        const value = this.evaluate(node, path, branchTrace);
        const condition = combination
          .map(([parameter, value]) => choiceText(parameter, value))
          .join(" and ");
        return { condition, value, trace: branchTrace };
      });
    } finally {
      this.choosing = false;
    }
    // Each deployment was evaluated once already: its errors are reported by the value of record.
    this.errors.length = errorCount;
    const record = this.valueOfRecord(node, parameters, path, trace);
    if (deployments === null) {
      this.error(
        node.span,
        "cfn-allowed-values-limit",
        `the AllowedValues of ${parameters.join(", ")} make more than ${MAX_CHOICE_COMBINATIONS} combinations; only the Defaults are evaluated here`,
        "warning",
      );
      return record;
    }
    if (deployments.some(({ value }) => value === NO_VALUE)) return record;
    const alternatives = deployments.flatMap(({ condition, value, trace: branch }) =>
      (branch.alternatives[pointer] ?? [{ condition: "", value: value as Value }]).map((inner) => ({
        condition: inner.condition === "" ? condition : `${condition} and ${inner.condition}`,
        value: inner.value,
      })),
    );
    const [first] = alternatives;
    if (first !== undefined && alternatives.every(({ value }) => equalJson(value, first.value))) {
      delete trace.alternatives[pointer];
      return first.value;
    }
    trace.alternatives[pointer] = alternatives;
    for (const { condition, trace: branch } of deployments)
      for (const [at, places] of Object.entries(branch.readFrom))
        addPlaces(
          trace.readFrom,
          at,
          places.map((place) => ({ ...place, when: [condition, ...(place.when ?? [])] })),
        );
    return record;
  }

  /** `node` evaluated with each of `parameters` at its `Default`, into `trace`. */
  private valueOfRecord(
    node: TemplateNode,
    parameters: readonly string[],
    path: PathSegment[],
    trace: Trace,
  ): Evaluated {
    const defaults = parameters.map((name) => [name, this.scope.parameters.get(name)] as const);
    this.choosing = true;
    this.recordingDefaults = true;
    try {
      if (defaults.every(([, value]) => value !== undefined && !containsUnknown(value)))
        for (const [name, value] of defaults) this.chosen.set(name, value as Value);
      return this.evaluate(node, path, trace);
    } finally {
      for (const [name] of defaults) this.chosen.delete(name);
      this.choosing = false;
      this.recordingDefaults = false;
    }
  }

  private evaluateNode(node: TemplateNode, path: PathSegment[] | null, trace: Trace): Evaluated {
    if (node.kind === "scalar") {
      if (typeof node.value !== "string" || !node.value.includes("{{resolve:")) return node.value;
      // A string holding a dynamic reference is resolved at deploy time: unknown, named by it.
      const [reference] = node.value.match(DYNAMIC_REFERENCE) ?? [];
      return reference === undefined
        ? node.value
        : unknown(node.value.length > MAX_EXPRESSION_TEXT ? reference : node.value);
    }
    if (node.kind === "sequence") {
      const items: Value[] = [];
      for (const item of node.items) {
        const outcomes = path && this.outcomes(item);
        if (outcomes) this.conditionalItems(items, outcomes, path, trace);
        else this.addItem(items, item, path, trace);
      }
      return items;
    }
    const intrinsic = asIntrinsic(node);
    if (intrinsic !== null) return this.intrinsic(intrinsic, path, trace);
    const properties: Array<[string, Value]> = [];
    for (const entry of node.entries) {
      const entryPath = path && [...path, entry.key];
      const outcomes = entryPath && this.outcomes(entry.value);
      const value = outcomes
        ? this.conditionalProperty(entry.key, outcomes, entry.value, entryPath, trace)
        : this.propertyValue(entry.key, entry.value, entryPath, trace);
      if (value === NO_VALUE) continue;
      if (entryPath) this.locate(trace, toPointer(entryPath), entry.value, entrySpan(entry));
      if (entry.generatedBy !== undefined)
        this.decidedBy(trace, entryPath, this.loopPlaces(entry.generatedBy));
      properties.push([entry.key, value]);
    }
    // fromEntries defines own properties, so a `__proto__` key stays data.
    return Object.fromEntries(properties);
  }

  /**
   * Appends a list item unless it is `AWS::NoValue`, located at the node that writes it. What
   * removed an item (a decided `Fn::If`) is recorded for the list, since the item's pointer goes
   * to the next one.
   */
  private addItem(
    items: Value[],
    node: TemplateNode,
    path: PathSegment[] | null,
    trace: Trace,
  ): void {
    const itemPath = path && [...path, items.length];
    const value = this.evaluate(node, itemPath, trace);
    if (value === NO_VALUE) {
      const removedBy = itemPath && trace.readFrom[toPointer(itemPath)];
      if (path !== null && removedBy) {
        delete trace.readFrom[toPointer(itemPath)];
        addPlaces(trace.readFrom, toPointer(path), removedBy);
      }
      return;
    }
    if (itemPath) this.locate(trace, toPointer(itemPath), node, node.span);
    items.push(value);
  }

  /**
   * Locates the value `node` written at `span` (a property with its key, a list item): at the
   * parameter value it reads (`parameterPlace`), keeping `span` in `readAt`, else at `span`. A
   * `!Ref` a decided `Fn::If` chose reads the `Default` as a plain one does; the condition's places
   * are in `readFrom` (`fnIf`). A value that differs by the `AllowedValues` deployed is not the
   * one written at the `Default`: it is located at `span`.
   */
  private locate(trace: Trace, pointer: string, node: TemplateNode, span: Span): void {
    const read =
      trace.alternatives[pointer] === undefined
        ? this.parameterRead(this.chosenBranch(node))
        : undefined;
    const written = read === undefined ? undefined : this.scope.parameterPlaces?.get(read);
    trace.locations[pointer] = written ?? this.scope.locate(span);
    if (written !== undefined) trace.readAt[pointer] = this.scope.locate(span);
    if (written !== undefined && read !== undefined && this.scope.overridable?.has(read))
      trace.parameterDefaults[pointer] = read;
  }

  /** The branch a decided `Fn::If` takes, through nested decided ones; any other node itself. */
  private chosenBranch(node: TemplateNode): TemplateNode {
    for (;;) {
      const branches = ifBranches(node);
      if (branches === null) return node;
      const decided = this.condition(branches.condition.value, branches.condition.span);
      if (decided === undefined) return node;
      node = decided ? branches.whenTrue : branches.whenFalse;
    }
  }

  /**
   * The parameter P whose value `!Ref P` is, written where P takes its `Default` or a parent stack
   * passes it (`parameterPlaces`): the value is located there, as a Terraform variable's default
   * or module argument is, so a PR that only changes that line is reported on it. An item
   * `!Select [1, !Ref P]` picks of a list parameter is written there too.
   */
  private parameterRead(node: TemplateNode): string | undefined {
    const intrinsic = asIntrinsic(node);
    if (intrinsic?.name === "Fn::Select" && intrinsic.argument.kind === "sequence") {
      const list = intrinsic.argument.items[1];
      return list === undefined ? undefined : this.parameterRead(this.chosenBranch(list));
    }
    if (intrinsic?.name !== "Ref" || intrinsic.argument.kind !== "scalar") return undefined;
    const name = intrinsic.argument.value;
    // A value chosen among `AllowedValues` is not the one written at the `Default`.
    if (
      typeof name !== "string" ||
      (this.choicesOf(name).some((read) => this.chosen.has(read)) && !this.recordingDefaults)
    )
      return undefined;
    return name;
  }

  /** Where the parameter value `node` reads (`parameterRead`) is written. */
  private parameterPlace(node: TemplateNode): SourceLocation | undefined {
    const name = this.parameterRead(node);
    return name === undefined ? undefined : this.scope.parameterPlaces?.get(name);
  }

  /** A list item written as an undecided `Fn::If`: see the module header. */
  private conditionalItems(
    items: Value[],
    outcomes: Outcome[],
    path: PathSegment[],
    trace: Trace,
  ): void {
    const listPointer = toPointer(path);
    const itemPath = [...path, items.length];
    const evaluated = outcomes.map((outcome) => {
      const branchTrace = newTrace();
      const value = this.evaluate(outcome.node, itemPath, branchTrace);
      branchTrace.locations[toPointer(itemPath)] = this.scope.locate(outcome.node.span);
      this.decidedBy(branchTrace, itemPath, this.placesOf(outcome.decidedBy));
      return { when: outcome.when, value, trace: branchTrace };
    });
    const deployed = evaluated.filter(
      (branch): branch is typeof branch & { value: Value } => branch.value !== NO_VALUE,
    );
    const [first] = deployed;
    if (
      first !== undefined &&
      deployed.length === evaluated.length &&
      deployed.every((branch) => sameDeployments(branch, first))
    ) {
      mergeTrace(trace, first.trace, listPointer, 0);
      this.decidedBy(trace, itemPath, this.placesOf(outcomes.flatMap((o) => o.decidedBy)));
      items.push(first.value);
      return;
    }
    for (const [offset, branch] of deployed.entries()) {
      mergeTrace(trace, branch.trace, listPointer, offset);
      trace.conditional[toPointer([...path, items.length])] = branch.when.join(" and ");
      items.push(branch.value);
    }
    for (const branch of evaluated) {
      for (const reference of branch.trace.references) trace.references.add(reference);
    }
  }

  /**
   * The branches an undecided `Fn::If` may take, decided ones followed, nested ones conjoined;
   * null for a node that is no undecided `Fn::If` (or a malformed one, reported when evaluated).
   */
  private outcomes(
    node: TemplateNode,
    when: string[] = [],
    decidedBy: string[] = [],
  ): Outcome[] | null {
    const branches = ifBranches(node);
    if (branches === null) return null;
    const { condition, whenTrue, whenFalse } = branches;
    let decided = this.condition(condition.value, condition.span);
    // A property or item that only `Default`s a deployment may override leave out may be
    // deployed; one they choose between two values keeps the `Default`s' (out of this rule).
    if (
      decided === false &&
      isNoValue(whenFalse) &&
      this.overriddenFalse(condition.value, condition.span)
    )
      decided = undefined;
    if (decided !== undefined) {
      const chosen = decided ? whenTrue : whenFalse;
      const chosenBy = [...decidedBy, condition.value];
      return (
        this.outcomes(chosen, when, chosenBy) ??
        (when.length > 0 ? [{ when, decidedBy: chosenBy, node: chosen }] : null)
      );
    }
    const branchOutcomes = (branch: TemplateNode, branchWhen: string[]): Outcome[] =>
      this.outcomes(branch, branchWhen, decidedBy) ?? [
        { when: branchWhen, decidedBy, node: branch },
      ];
    return [
      ...branchOutcomes(whenTrue, [...when, condition.value]),
      ...branchOutcomes(whenFalse, [...when, `not ${condition.value}`]),
    ];
  }

  /** Where the decided conditions of `names` are written (`conditionPlaces`), each place once. */
  private placesOf(names: readonly string[]): SourceLocation[] {
    const seen = new Set<string>();
    return names.flatMap((name) => this.conditionPlaces(name, seen));
  }

  /** A property written as an undecided `Fn::If`: see the module header. */
  private conditionalProperty(
    key: string,
    outcomes: Outcome[],
    node: TemplateNode,
    path: PathSegment[],
    trace: Trace,
  ): Evaluated {
    const pointer = toPointer(path);
    this.decidedBy(trace, path, this.placesOf(outcomes.flatMap((outcome) => outcome.decidedBy)));
    const evaluated = outcomes.map((outcome) => {
      const branchTrace = newTrace();
      const value = this.propertyValue(key, outcome.node, path, branchTrace);
      for (const reference of branchTrace.references) trace.references.add(reference);
      return { when: outcome.when, node: outcome.node, value, trace: branchTrace };
    });
    const deployed = evaluated.filter(
      (branch): branch is typeof branch & { value: Value } => branch.value !== NO_VALUE,
    );
    const [first] = deployed;
    if (first === undefined) return NO_VALUE;
    const allDeployed = deployed.length === evaluated.length;
    if (deployed.every((branch) => sameDeployments(branch, first))) {
      mergeTrace(trace, first.trace, pointer, 0);
      if (!allDeployed)
        trace.conditional[pointer] = deployed
          .map((branch) => branch.when.join(" and "))
          .join(" or ");
      return first.value;
    }
    if (deployed.every((branch) => Array.isArray(branch.value))) {
      const items: Value[] = [];
      for (const branch of deployed) {
        const offset = items.length;
        mergeTrace(trace, branch.trace, pointer, offset);
        (branch.value as Value[]).forEach((item, index) => {
          const itemPointer = `${pointer}/${offset + index}`;
          trace.locations[itemPointer] ??= this.scope.locate(node.span);
          const inner = branch.trace.conditional[`${pointer}/${index}`];
          trace.conditional[itemPointer] = [...branch.when, ...(inner ? [inner] : [])].join(
            " and ",
          );
          items.push(item);
        });
      }
      return items;
    }
    trace.alternatives[pointer] = deployed.flatMap((branch) =>
      this.branchDeployments(key, path, branch),
    );
    // What a decided Fn::If chose inside a branch decides the value under that branch only.
    for (const branch of deployed)
      for (const [at, places] of Object.entries(branch.trace.readFrom))
        addPlaces(
          trace.readFrom,
          at,
          places.map((place) => ({ ...place, when: [...branch.when, ...(place.when ?? [])] })),
        );
    return this.unknownFor(node);
  }

  /**
   * The values a branch chosen whole may hold, each under its conditions: the branch itself, or,
   * when undecided `Fn::If`s inside it choose or drop parts (`{HttpTokens: !If [D, required,
   * !Ref AWS::NoValue]}`), one value per assignment of their conditions (`C and D`, `C and not
   * D`), so that no part counts as there in every deployment of the branch; and when it reads
   * parameters with several `AllowedValues` (`!Ref AdminCidr`), one per combination of their
   * values (`C and AdminCidr is 0.0.0.0/0`), but none whose values contradict the conditions
   * assumed. Past MAX_SPELLED_OUT such conditions (2^n evaluations and values), or
   * MAX_CHOICE_COMBINATIONS combinations, a warning says so, and the branch is one value: its
   * parts those conditions choose between stay unknown (those values chosen take the value of
   * record), and when they decide whether a part exists at all, the whole value is unknown
   * rather than that part always there.
   */
  private branchDeployments(
    key: string,
    path: PathSegment[],
    branch: { when: string[]; node: TemplateNode; value: Value; trace: Trace },
  ): ConditionalAlternative[] {
    const choiceTexts = this.choiceTexts();
    const texts = [
      ...Object.values(branch.trace.conditional),
      ...Object.values(branch.trace.alternatives).flatMap((list) => list.map((a) => a.condition)),
    ].map((text) => choiceTexts.reduce((rest, choice) => rest.split(choice).join(" "), text));
    const names = [
      ...new Set(
        texts.flatMap((text) => text.split(" ")).filter((word) => !CONDITION_WORDS.has(word)),
      ),
    ].filter((name) => !branch.when.includes(name) && !branch.when.includes(`not ${name}`));
    // Parameters read only through conditions taken as true or false here need no values.
    const assumedNames = [...names, ...branch.when.map((literal) => literal.replace(/^not /, ""))];
    const parameters = [...this.choicesRead(branch.node, new Set(), new Set(assumedNames))].filter(
      (name) => !this.chosen.has(name),
    );
    // With no names left (the branch's own conditions decide every inner one), the branch is
    // still evaluated again under its own conditions: `!If [C, {...}, {K: !If [C, a, b]}]` gives
    // `{K: b}` when not C, not an unknown.
    const condition = branch.when.join(" and ");
    if (texts.length === 0 && parameters.length === 0) return [{ condition, value: branch.value }];
    const combinations = choiceCombinations(parameters, this.scope.choices ?? new Map());
    if (names.length > MAX_SPELLED_OUT || combinations === null) {
      const existence = Object.keys(branch.trace.conditional).length > 0;
      const why =
        combinations === null
          ? `the AllowedValues of ${parameters.join(", ")} make more than ${MAX_CHOICE_COMBINATIONS} combinations`
          : `this branch holds ${names.length} undecided conditions (${[...names].sort().join(", ")}), more than the ${MAX_SPELLED_OUT} whose deployments are spelled out`;
      this.error(
        branch.node.span,
        combinations === null ? "cfn-allowed-values-limit" : "cfn-if-limit",
        `${key}: ${why}; under ${condition} ${existence ? "its value is unknown" : "the parts they choose are unknown"}`,
        "warning",
      );
      return [{ condition, value: existence ? this.unknownFor(branch.node) : branch.value }];
    }
    const deployments: ConditionalAlternative[] = [];
    for (let assignment = 0; assignment < 2 ** names.length; assignment += 1) {
      const literals = names.map((name, bit) =>
        (assignment & (1 << bit)) !== 0 ? name : `not ${name}`,
      );
      for (const combination of combinations) {
        const value = this.deployedBranch(
          key,
          path,
          branch.node,
          [...branch.when, ...literals],
          combination,
        );
        if (value === NO_VALUE) continue;
        const chosen = combination.map(([parameter, chosenValue]) =>
          choiceText(parameter, chosenValue),
        );
        deployments.push({
          condition: [...branch.when, ...literals, ...chosen].join(" and "),
          value,
        });
      }
    }
    return deployments;
  }

  /**
   * A branch's value with `literals` ("C", "not D") assumed and the parameters of `combination`
   * taking those values; NO_VALUE when the branch is not deployed there, or the values decide one
   * of `literals` the other way (no deployment has both).
   */
  private deployedBranch(
    key: string,
    path: PathSegment[],
    node: TemplateNode,
    literals: readonly string[],
    combination: ReadonlyArray<[string, Value]>,
  ): Evaluated {
    const assumptions = literals.map((literal): [string, boolean] =>
      literal.startsWith("not ") ? [literal.slice(4), false] : [literal, true],
    );
    for (const [parameter, value] of combination) this.chosen.set(parameter, value);
    // The branch was evaluated once already: its errors are reported then, not per deployment.
    const errorCount = this.errors.length;
    try {
      if (
        combination.length > 0 &&
        assumptions.some(([name, holds]) => {
          const decided = this.condition(name, node.span);
          return decided !== undefined && decided !== holds;
        })
      )
        return NO_VALUE;
      for (const [name, holds] of assumptions) this.assumed.set(name, holds);
      return this.propertyValue(key, node, path, newTrace());
    } finally {
      this.errors.length = errorCount;
      this.assumed.clear();
      for (const [parameter] of combination) this.chosen.delete(parameter);
    }
  }

  /** Each "P is v" text a parameter with several `AllowedValues` may give, longest first. */
  private choiceTexts(): string[] {
    return [...(this.scope.choices ?? new Map<string, Value[]>())]
      .flatMap(([parameter, values]) => values.map((value) => choiceText(parameter, value)))
      .sort((left, right) => right.length - left.length);
  }

  /** A property's value; a policy document written as JSON text is parsed. */
  private propertyValue(
    key: string,
    node: TemplateNode,
    path: PathSegment[] | null,
    trace: Trace,
  ): Evaluated {
    if (!POLICY_DOCUMENT_KEYS.has(key)) return this.evaluate(node, path, trace);
    const intrinsic = asIntrinsic(node);
    if (intrinsic?.name === "Fn::Sub" && subTemplate(intrinsic.argument)?.trim().startsWith("{")) {
      return this.policyFromSub(intrinsic, trace);
    }
    // The JSON text of a document is that document once read, so it is evaluated as one, in
    // place: an intrinsic inside (`Resource: !Sub "${Bucket.Arn}/*"`) leaves only its own part
    // unknown, as in a policy written as an object.
    if (intrinsic?.name === "Fn::ToJsonString" && intrinsic.argument.kind === "mapping") {
      const document = this.evaluate(intrinsic.argument, path, trace);
      if (document !== null && typeof document === "object" && !Array.isArray(document))
        return document;
    }
    const value = this.evaluate(node, path, trace);
    if (typeof value !== "string" || !value.trim().startsWith("{")) return value;
    const policy = parsePolicy(value);
    if ("value" in policy) return policy.value;
    this.error(node.span, "cfn-policy-json", `${key} ${policy.problem}`);
    return value;
  }

  private intrinsic(
    { name, argument, node }: Intrinsic,
    path: PathSegment[] | null,
    trace: Trace,
  ): Evaluated {
    switch (name) {
      case "Ref":
        return this.ref(argument, trace);
      case "Fn::GetAtt":
        return this.getAtt(argument, trace);
      case "Fn::If":
        return this.fnIf(node, path, trace);
      case "Fn::Sub":
        return this.sub(argument, node, trace);
      case "Fn::Equals":
      case "Fn::And":
      case "Fn::Or":
      case "Fn::Not":
        return this.conditionExpression(node, trace) ?? this.unknownFor(node);
      case "Fn::Transform":
        return this.transform(argument, node);
    }
    const args = this.evaluate(argument, null, trace);
    const list = Array.isArray(args) ? args : null;
    switch (name) {
      case "Fn::Join": {
        const [delimiter, items] = list ?? [];
        if (typeof delimiter !== "string" || !Array.isArray(items))
          return this.malformed(node, name, "[delimiter, [values...]]");
        const parts = items.map(scalarText);
        return parts.every((part) => part !== null) ? parts.join(delimiter) : this.unknownFor(node);
      }
      case "Fn::Select": {
        const [index, items] = list ?? [];
        const position =
          typeof index === "number" ? index : typeof index === "string" ? Number(index) : NaN;
        if (isUnknown(index) || isUnknown(items)) return this.unknownFor(node);
        if (!Number.isInteger(position) || !Array.isArray(items))
          return this.malformed(node, name, "[index, [values...]]");
        if (position < 0 || position >= items.length) {
          this.error(
            node.span,
            "cfn-select-index",
            `Fn::Select index ${position} is outside a list of ${items.length}`,
          );
          return this.unknownFor(node);
        }
        return items[position] as Value;
      }
      case "Fn::Split": {
        const [delimiter, source] = list ?? [];
        if (isUnknown(source)) return this.unknownFor(node);
        if (typeof delimiter !== "string" || delimiter === "" || typeof source !== "string")
          return this.malformed(node, name, "[delimiter, string]");
        return source.split(delimiter);
      }
      case "Fn::FindInMap":
        return this.findInMap(list, { name, argument, node }, path, trace);
      case "Fn::Base64":
        return typeof args === "string"
          ? Buffer.from(args, "utf8").toString("base64")
          : this.unknownFor(node);
      case "Fn::Cidr": {
        const [block, count, hostBits] = list ?? [];
        if (typeof block !== "string") return this.unknownFor(node);
        return cidrBlocks(block, Number(count), Number(hostBits)) ?? this.unknownFor(node);
      }
      case "Fn::Length":
        return Array.isArray(args) ? args.length : this.unknownFor(node);
      case "Fn::ToJsonString":
        return args !== NO_VALUE && !containsUnknown(args)
          ? JSON.stringify(args)
          : this.unknownFor(node);
      case "Fn::GetAZs":
      case "Fn::ImportValue":
        return this.unknownFor(node);
    }
    this.error(
      node.span,
      "cfn-unsupported-intrinsic",
      `${name} is not a CloudFormation intrinsic function this loader knows; its value is unknown`,
    );
    return this.unknownFor(node);
  }

  /**
   * A macro's output is unknown: CloudFormation replaces the `Fn::Transform` with what the macro
   * returns, which this loader does not read (an `AWS::Include` snippet included). Its value stays
   * unknown, and a located `cfn-macro-unread` warning says what goes unjudged; the gate makes it an
   * error in a diff whose base did not have it (`includedSinceBase`).
   */
  private transform(argument: TemplateNode, node: TemplateNode): Evaluated {
    const field = (key: string) =>
      argument.kind === "mapping"
        ? argument.entries.find((entry) => entry.key === key)?.value
        : undefined;
    const name = field("Name");
    const macro = name?.kind === "scalar" ? String(name.value) : "(a macro not written literally)";
    const parameters = field("Parameters");
    const location =
      parameters?.kind === "mapping"
        ? parameters.entries.find((entry) => entry.key === "Location")?.value
        : undefined;
    const what =
      macro === "AWS::Include"
        ? `Fn::Transform AWS::Include of ${location?.kind === "scalar" ? JSON.stringify(location.value) : "a Location not written literally"} is not read: the snippet it includes is deployed but not judged`
        : `Fn::Transform ${macro} is not run: the value the macro returns is deployed but not judged`;
    this.error(node.span, MACRO_UNREAD, `${what}; its value is unknown`, "warning");
    return this.unknownFor(node);
  }

  private ref(argument: TemplateNode, trace: Trace): Evaluated {
    const name = argument.kind === "scalar" ? argument.value : null;
    if (typeof name !== "string")
      return this.malformed(argument, "Ref", "a parameter or resource name");
    if (name === "AWS::NoValue") return NO_VALUE;
    const parameter = this.parameterValue(name, trace);
    if (parameter !== undefined) return parameter;
    if (this.scope.resourceIds.has(name)) trace.references.add(name);
    return unknown(`!Ref ${name}`);
  }

  private getAtt(argument: TemplateNode, trace: Trace): Evaluated {
    let target: string | undefined;
    let attribute: string | undefined;
    if (argument.kind === "scalar" && typeof argument.value === "string") {
      const dot = argument.value.indexOf(".");
      target = dot === -1 ? argument.value : argument.value.slice(0, dot);
      attribute = dot === -1 ? undefined : argument.value.slice(dot + 1);
    } else if (argument.kind === "sequence" && argument.items.length === 2) {
      const [resource, name] = this.evaluate(argument, null, trace) as Value[];
      target = typeof resource === "string" ? resource : undefined;
      attribute = typeof name === "string" ? name : isUnknown(name) ? name.$unknown : undefined;
    }
    if (target === undefined || attribute === undefined)
      return this.malformed(
        argument,
        "Fn::GetAtt",
        "LogicalId.Attribute or [LogicalId, Attribute]",
      );
    if (this.scope.resourceIds.has(target)) trace.references.add(target);
    return unknown(`!GetAtt ${target}.${attribute}`);
  }

  private fnIf(node: TemplateNode, path: PathSegment[] | null, trace: Trace): Evaluated {
    const branches = ifBranches(node);
    if (branches === null)
      return this.malformed(node, "Fn::If", "[ConditionName, value if true, value if false]");
    const { condition, whenTrue, whenFalse } = branches;
    const decided = this.condition(condition.value, condition.span);
    if (decided !== undefined) {
      const value = this.evaluate(decided ? whenTrue : whenFalse, path, trace);
      this.decidedBy(trace, path, this.conditionPlaces(condition.value));
      return value;
    }
    // Both branches still name the resources this one may refer to.
    this.evaluate(whenTrue, null, trace);
    this.evaluate(whenFalse, null, trace);
    return this.unknownFor(node);
  }

  private sub(argument: TemplateNode, node: TemplateNode, trace: Trace): Evaluated {
    const sub = this.subParts(argument, trace);
    if (sub === null)
      return this.malformed(node, "Fn::Sub", "a string or [string, { Name: value }]");
    const { parts, bound } = sub;
    if (parts.every((part) => typeof part === "string")) return parts.join("");
    return unknown(`!Sub ${bound}`);
  }

  /** A `!Sub` policy: parsed as JSON with each `${...}` as a hole, holes make only their strings unknown. */
  private policyFromSub({ argument, node }: Intrinsic, trace: Trace): Evaluated {
    const sub = this.subParts(argument, trace);
    if (sub === null)
      return this.malformed(node, "Fn::Sub", "a string or [string, { Name: value }]");
    const { parts } = sub;
    // Each hole's text as written: `${Bucket.Arn}`, or a dynamic reference.
    const holes: string[] = [];
    const marked = parts
      .map((part) =>
        typeof part === "string"
          ? part
          : `${HOLE_START}${holes.push("variable" in part ? `\${${part.variable}}` : part.reference) - 1}${HOLE_END}`,
      )
      .join("");
    const policy = parsePolicy(marked);
    if (!("value" in policy)) {
      // A `${...}` outside a JSON string (`"Version": ${V}`) leaves the document unreadable.
      if (holes.length > 0) return this.unknownFor(node);
      this.error(node.span, "cfn-policy-json", `policy document ${policy.problem}`);
      return marked;
    }
    const holePattern = new RegExp(`${HOLE_START}(\\d+)${HOLE_END}`, "g");
    const restore = (text: string): string =>
      text.replace(holePattern, (_, index: string) => holes[Number(index)] ?? "");
    const fill = (value: Value): Value => {
      if (typeof value === "string")
        return value.includes(HOLE_START) ? unknown(restore(value)) : value;
      if (Array.isArray(value)) return value.map(fill);
      if (value === null || typeof value !== "object") return value;
      return Object.fromEntries(
        Object.entries(value).map(([key, inner]) => [restore(key), fill(inner)]),
      );
    };
    return fill(policy.value);
  }

  /**
   * The literal text and variables of a `Fn::Sub`, variables resolved where the template knows
   * them; `bound` is the template with each variable of its own `{ Name: value }` map that is
   * known written in, the text of the whole when it stays unknown: the map is no other
   * expression's, so `${BucketName}` bound to `*` reads `*` (SAM's policy templates bind so).
   */
  private subParts(
    argument: TemplateNode,
    trace: Trace,
  ): { parts: SubPart[]; bound: string } | null {
    const template = subTemplate(argument);
    if (template === null) return null;
    const variables = new Map<string, Evaluated>();
    if (argument.kind === "sequence") {
      const bindings = argument.items[1];
      if (bindings?.kind !== "mapping") return null;
      for (const binding of bindings.entries)
        variables.set(binding.key, this.evaluate(binding.value, null, trace));
    }
    const parts: SubPart[] = [];
    let bound = "";
    let last = 0;
    for (const match of template.matchAll(/\$\{([^}]*)\}/g)) {
      parts.push(...literalParts(template.slice(last, match.index)));
      bound += template.slice(last, match.index);
      last = match.index + match[0].length;
      const variable = match[1] ?? "";
      if (variable.startsWith("!")) {
        parts.push(`\${${variable.slice(1)}}`);
        bound += match[0];
        continue;
      }
      const value = variables.has(variable)
        ? variables.get(variable)
        : this.subVariable(variable.trim(), trace);
      const text = value === undefined || value === NO_VALUE ? null : scalarText(value);
      parts.push(text ?? { variable });
      bound += variables.has(variable) && text !== null ? text : match[0];
    }
    parts.push(...literalParts(template.slice(last)));
    return { parts, bound: bound + template.slice(last) };
  }

  /** A parameter's value; otherwise a resource (`Name` or `Name.Attribute`) or a name we cannot resolve. */
  private subVariable(variable: string, trace: Trace): Value | undefined {
    const parameter = this.parameterValue(variable, trace);
    if (parameter !== undefined) return parameter;
    const dot = variable.indexOf(".");
    const target = dot === -1 ? variable : variable.slice(0, dot);
    if (this.scope.resourceIds.has(target)) trace.references.add(target);
    return undefined;
  }

  private findInMap(
    list: Value[] | null,
    { argument, node }: Intrinsic,
    path: PathSegment[] | null,
    trace: Trace,
  ): Evaluated {
    const [mapName, topKey, secondKey, options] = list ?? [];
    if (isUnknown(mapName)) return this.unknownFor(node);
    if (isUnknown(topKey) || isUnknown(secondKey))
      return this.mappingAlternatives(mapName, topKey, secondKey, node, path, trace);
    const [map, top, second] = [mapName, topKey, secondKey].map((key) =>
      key === undefined ? null : scalarText(key),
    );
    if (map == null || top == null || second == null)
      return this.malformed(node, "Fn::FindInMap", "[MapName, TopLevelKey, SecondLevelKey]");
    const found = lookupEntry(lookup(this.scope.mappings.get(map), top), second);
    if (found !== undefined) {
      const value = this.evaluate(found.value, null, trace);
      const keys = argument.kind === "sequence" ? argument.items.slice(0, 3) : [];
      const defaults = keys.flatMap((key) => this.parameterPlace(key) ?? []);
      this.decidedBy(trace, path, [this.scope.locate(entrySpan(found)), ...defaults]);
      return value;
    }
    const fallback =
      options !== null &&
      typeof options === "object" &&
      !Array.isArray(options) &&
      !isUnknown(options)
        ? options.DefaultValue
        : undefined;
    if (fallback !== undefined) return fallback;
    this.error(node.span, "cfn-find-in-map", `Mappings has no entry ${map}.${top}.${second}`);
    return this.unknownFor(node);
  }

  /**
   * A `Fn::FindInMap` whose key the template cannot decide (`!Ref AWS::Region`, a parameter
   * without `Default`) still returns an entry written in the mapping, or fails the deployment:
   * every entry the known keys leave is one of `alternatives` under "<key> is <entry key>", as an
   * undecided `Fn::If`'s branches are, and each entry's place decides the value under its own
   * condition. Entries that all hold one value are that value. Only a lookup that is the whole
   * value at its position is spelled out, at most MAX_MAPPING_ALTERNATIVES entries; a
   * `DefaultValue` (AWS::LanguageExtensions) is one more alternative, for any other key.
   */
  private mappingAlternatives(
    mapName: Value | undefined,
    topKey: Value | undefined,
    secondKey: Value | undefined,
    node: TemplateNode,
    path: PathSegment[] | null,
    trace: Trace,
  ): Evaluated {
    const map = mapName === undefined ? null : scalarText(mapName);
    const mapping = map === null ? undefined : this.scope.mappings.get(map);
    if (path === null || mapping?.kind !== "mapping") return this.unknownFor(node);
    const keyText = (key: Value | undefined): string | null | undefined =>
      key === undefined ? undefined : isUnknown(key) ? null : scalarText(key);
    const [top, second] = [keyText(topKey), keyText(secondKey)];
    if (top === undefined || second === undefined) return this.unknownFor(node);
    const named = (key: Value | undefined): string =>
      isUnknown(key) ? key.$unknown.replace(/^!Ref /, "") : String(key);
    const entries: { condition: string; entry: TemplateEntry }[] = [];
    for (const topEntry of mapping.entries) {
      if (top !== null && topEntry.key !== top) continue;
      const inner = topEntry.value;
      if (inner.kind !== "mapping") continue;
      for (const secondEntry of inner.entries) {
        if (second !== null && secondEntry.key !== second) continue;
        const when = [
          ...(top === null ? [`${named(topKey)} is ${topEntry.key}`] : []),
          ...(second === null ? [`${named(secondKey)} is ${secondEntry.key}`] : []),
        ];
        entries.push({ condition: when.join(" and "), entry: secondEntry });
      }
    }
    const list = asIntrinsic(node)?.argument;
    const options = list?.kind === "sequence" ? list.items[3] : undefined;
    const fallback =
      options?.kind === "mapping"
        ? options.entries.find((entry) => entry.key === "DefaultValue")
        : undefined;
    if (fallback !== undefined) entries.push({ condition: "no entry matches", entry: fallback });
    if (entries.length === 0 || entries.length > MAX_MAPPING_ALTERNATIVES)
      return this.unknownFor(node);
    const values = entries.map(({ condition, entry }) => ({
      condition,
      entry,
      value: this.evaluate(entry.value, null, trace),
    }));
    if (values.some(({ value }) => value === NO_VALUE)) return this.unknownFor(node);
    const deployed = values as { condition: string; entry: TemplateEntry; value: Value }[];
    const [first] = deployed;
    const pointer = toPointer(path);
    if (first !== undefined && deployed.every(({ value }) => equalJson(value, first.value))) {
      this.decidedBy(
        trace,
        path,
        deployed.map(({ entry }) => this.scope.locate(entrySpan(entry))),
      );
      return first.value;
    }
    trace.alternatives[pointer] = deployed.map(({ condition, value }) => ({ condition, value }));
    for (const { condition, entry } of deployed)
      addPlaces(trace.readFrom, pointer, [
        { ...this.scope.locate(entrySpan(entry)), when: [condition] },
      ]);
    return this.unknownFor(node);
  }

  private conditionExpression(node: TemplateNode, trace: Trace): boolean | undefined {
    if (node.kind === "scalar" && typeof node.value === "boolean") return node.value;
    const only = node.kind === "mapping" && node.entries.length === 1 ? node.entries[0] : undefined;
    const operands = only?.value.kind === "sequence" ? only.value.items : [];
    switch (only?.key) {
      case "Condition":
        if (only.value.kind === "scalar" && typeof only.value.value === "string")
          return this.condition(only.value.value, only.value.span);
        break;
      case "Fn::Equals": {
        if (operands.length !== 2) break;
        const [left, right] = operands.map((operand) => this.evaluate(operand, null, trace));
        if (left === undefined || right === undefined || left === NO_VALUE || right === NO_VALUE)
          return undefined;
        if (containsUnknown(left) || containsUnknown(right)) return undefined;
        return equalValues(left, right);
      }
      case "Fn::And":
      case "Fn::Or": {
        if (operands.length === 0) break;
        const decisive = only.key === "Fn::Or";
        const results = operands.map((operand) => this.conditionExpression(operand, trace));
        if (results.includes(decisive)) return decisive;
        return results.includes(undefined) ? undefined : !decisive;
      }
      case "Fn::Not": {
        if (operands.length !== 1) break;
        const result = this.conditionExpression(operands[0] as TemplateNode, trace);
        return result === undefined ? undefined : !result;
      }
    }
    this.error(
      node.span,
      "cfn-condition",
      "a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or { Condition: Name }",
    );
    return undefined;
  }

  private malformed(node: TemplateNode, name: string, expected: string): Evaluated {
    this.error(node.span, "cfn-intrinsic-arguments", `${name} expects ${expected}`);
    return this.unknownFor(node);
  }

  /** Unknown, named by the expression in short form whether it was written as YAML or JSON. */
  private unknownFor(node: TemplateNode): Value {
    const text = shortForm(node, MAX_EXPRESSION_TEXT);
    return unknown(
      text.length > MAX_EXPRESSION_TEXT ? `${text.slice(0, MAX_EXPRESSION_TEXT)}…` : text,
    );
  }

  private error(at: Span, code: string, message: string, level?: "warning"): void {
    const { line, column } = this.scope.locate(at);
    this.errors.push({
      file: this.scope.file,
      line,
      column,
      code,
      message,
      ...(level && { level }),
    });
  }
}

export function newTrace(): Trace {
  return {
    references: new Set(),
    locations: {},
    conditional: {},
    alternatives: {},
    readAt: {},
    parameterDefaults: {},
    readFrom: {},
  };
}

/** A well-formed `Fn::If`'s condition name and branches; null for anything else. */
/** `!Ref AWS::NoValue`. */
function isNoValue(node: TemplateNode): boolean {
  const intrinsic = asIntrinsic(node);
  return (
    intrinsic?.name === "Ref" &&
    intrinsic.argument.kind === "scalar" &&
    intrinsic.argument.value === "AWS::NoValue"
  );
}

function ifBranches(node: TemplateNode): {
  condition: { value: string; span: Span };
  whenTrue: TemplateNode;
  whenFalse: TemplateNode;
} | null {
  const intrinsic = asIntrinsic(node);
  if (intrinsic?.name !== "Fn::If" || intrinsic.argument.kind !== "sequence") return null;
  const [condition, whenTrue, whenFalse, ...rest] = intrinsic.argument.items;
  if (
    condition?.kind !== "scalar" ||
    typeof condition.value !== "string" ||
    !whenTrue ||
    !whenFalse ||
    rest.length > 0
  )
    return null;
  return { condition: { value: condition.value, span: condition.span }, whenTrue, whenFalse };
}

/**
 * Adds what one branch's evaluation recorded to `target`; pointers below the list at
 * `listPointer` move down by `offset` items (the branch's items follow earlier branches' items).
 */
function mergeTrace(target: Trace, source: Trace, listPointer: string, offset: number): void {
  const move = (pointer: string): string => {
    if (offset === 0 || !pointer.startsWith(`${listPointer}/`)) return pointer;
    const rest = pointer.slice(listPointer.length + 1);
    const slash = rest.indexOf("/");
    const index = Number(slash === -1 ? rest : rest.slice(0, slash));
    return `${listPointer}/${index + offset}${slash === -1 ? "" : rest.slice(slash)}`;
  };
  for (const reference of source.references) target.references.add(reference);
  for (const [pointer, location] of Object.entries(source.locations))
    target.locations[move(pointer)] = location;
  for (const [pointer, condition] of Object.entries(source.conditional))
    target.conditional[move(pointer)] = condition;
  for (const [pointer, alternatives] of Object.entries(source.alternatives))
    target.alternatives[move(pointer)] = alternatives;
  for (const [pointer, location] of Object.entries(source.readAt))
    target.readAt[move(pointer)] = location;
  for (const [pointer, name] of Object.entries(source.parameterDefaults))
    target.parameterDefaults[move(pointer)] = name;
  for (const [pointer, places] of Object.entries(source.readFrom))
    addPlaces(target.readFrom, move(pointer), places);
}

/** Adds to `readFrom[pointer]` the places it does not hold yet (under the same conditions). */
function addPlaces(
  readFrom: Trace["readFrom"],
  pointer: string,
  places: readonly ReadPlace[],
): void {
  const recorded = (readFrom[pointer] ??= []);
  for (const place of places)
    if (
      !recorded.some(
        (known) =>
          known.line === place.line &&
          known.column === place.column &&
          String(known.when) === String(place.when),
      )
    )
      recorded.push(place);
}

function equalJson(left: Value, right: Value): boolean {
  return JSON.stringify(left) === JSON.stringify(right);
}

/** From the key to the end of the value: where a property is written. */
export function entrySpan(entry: TemplateEntry): Span {
  return { start: entry.keySpan.start, end: Math.max(entry.keySpan.end, entry.value.span.end) };
}

/** `!Select ["0", !GetAZs ""]`: one line, stopping once `budget` characters are written. */
function shortForm(node: TemplateNode, budget: number): string {
  if (node.kind === "scalar") {
    return typeof node.value === "string" &&
      /^[A-Za-z_][\w:./*@-]*$/.test(node.value) &&
      !/^(true|false|null)$/i.test(node.value)
      ? node.value
      : JSON.stringify(node.value);
  }
  const parts: string[] = [];
  let used = 0;
  const add = (text: string): boolean => {
    parts.push(text);
    used += text.length + 2;
    return used < budget;
  };
  if (node.kind === "sequence") {
    for (const item of node.items) if (!add(shortForm(item, budget - used))) break;
    return `[${parts.join(", ")}]`;
  }
  const intrinsic = asIntrinsic(node);
  if (intrinsic !== null)
    return `!${intrinsic.name.replace(/^Fn::/, "")} ${shortForm(intrinsic.argument, budget)}`;
  for (const entry of node.entries)
    if (!add(`${entry.key}: ${shortForm(entry.value, budget - used)}`)) break;
  return `{${parts.join(", ")}}`;
}

/** A policy written as a JSON string, refused past the template nesting limit. */
function parsePolicy(text: string): { value: Value } | { problem: string } {
  let value: Value;
  try {
    value = JSON.parse(text) as Value;
  } catch (error) {
    return { problem: `is not valid JSON: ${(error as Error).message}` };
  }
  const pending: Array<[Value, number]> = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [inner, depth] = next;
    if (inner === null || typeof inner !== "object") continue;
    if (depth > MAX_NESTING_DEPTH)
      return { problem: `nests deeper than ${MAX_NESTING_DEPTH} levels` };
    for (const child of Object.values(inner)) pending.push([child, depth + 1]);
  }
  return { value };
}

function subTemplate(argument: TemplateNode): string | null {
  const template = argument.kind === "sequence" ? argument.items[0] : argument;
  return template?.kind === "scalar" && typeof template.value === "string" ? template.value : null;
}

function lookup(node: TemplateNode | undefined, key: string): TemplateNode | undefined {
  return lookupEntry(node, key)?.value;
}

function lookupEntry(node: TemplateNode | undefined, key: string): TemplateEntry | undefined {
  return node?.kind === "mapping" ? node.entries.find((entry) => entry.key === key) : undefined;
}

function scalarText(value: Value): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

/** CloudFormation compares condition operands as strings: `1` equals `"1"`. */
function equalValues(left: Value, right: Value): boolean {
  const leftText = scalarText(left);
  const rightText = scalarText(right);
  if (leftText !== null || rightText !== null) return leftText === rightText;
  return JSON.stringify(left) === JSON.stringify(right);
}

/**
 * Every combination of the values `choices` lists for `parameters`, one `[parameter, value]` per
 * parameter; `[[]]` for none; null past MAX_CHOICE_COMBINATIONS.
 */
function choiceCombinations(
  parameters: readonly string[],
  choices: ReadonlyMap<string, readonly Value[]>,
): Array<Array<[string, Value]>> | null {
  let combinations: Array<Array<[string, Value]>> = [[]];
  for (const parameter of parameters) {
    const values = choices.get(parameter) ?? [];
    if (combinations.length * values.length > MAX_CHOICE_COMBINATIONS) return null;
    combinations = combinations.flatMap((combination) =>
      values.map((value): Array<[string, Value]> => [...combination, [parameter, value]]),
    );
  }
  return combinations;
}

/** The parameter a `choiceText` names ("Env" of "Env is prod"). */
function choiceParameter(text: string): string {
  return text.slice(0, text.indexOf(" is "));
}

/**
 * The pseudo parameters that hold one string per deployment, so that a condition comparing one
 * with a word has a meaning (`valueIs`); not the list `AWS::NotificationARNs` nor `AWS::NoValue`.
 */
const ANY_VALUE_PSEUDO_PARAMETERS = new Set([
  "AWS::AccountId",
  "AWS::Partition",
  "AWS::Region",
  "AWS::StackId",
  "AWS::StackName",
  "AWS::URLSuffix",
]);

/** "Env is prod": the condition under which `parameter` takes `value` (a list's items joined by commas). */
export function choiceText(parameter: string, value: Value): string {
  const text = (item: Value): string => scalarText(item) ?? JSON.stringify(item);
  return `${parameter} is ${Array.isArray(value) ? value.map(text).join(",") : text(value)}`;
}

/**
 * Whether two branches evaluated at one position deploy alike: the same value, holding the same
 * conditional parts and alternatives (`!If [C, !Ref AdminCidr, 10.0.0.0/8]` holds 10.0.0.0/8 in
 * both with AdminCidr's Default, but 0.0.0.0/0 only in the first when AdminCidr is that).
 */
function sameDeployments(
  left: { value: Value; trace: Trace },
  right: { value: Value; trace: Trace },
): boolean {
  return (
    equalJson(left.value, right.value) &&
    JSON.stringify(left.trace.alternatives) === JSON.stringify(right.trace.alternatives) &&
    JSON.stringify(left.trace.conditional) === JSON.stringify(right.trace.conditional)
  );
}

/** A `Fn::Sub` template's literal text, each dynamic reference in it a part of its own. */
function literalParts(text: string): SubPart[] {
  if (!text.includes("{{resolve:")) return [text];
  const parts: SubPart[] = [];
  let last = 0;
  for (const match of text.matchAll(DYNAMIC_REFERENCE)) {
    parts.push(text.slice(last, match.index), { reference: match[0] });
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}
