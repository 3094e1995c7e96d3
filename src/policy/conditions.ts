// The condition texts findings carry ("IsProd", "not IsProd", "IsProd and not HasKey", "IsA or
// not IsA and IsB", "not (IsA and IsB)"), read as formulas over CloudFormation condition names,
// so that findings can tell when their conditions exclude each other, imply one another or
// together hold in every deployment. A text that is no such formula (a Terraform
// "<expression> is not empty") is one opaque name of its own; so is any name a rule's text holds
// only in part. Answers err towards "some deployment may differ": a finding is dropped, or a
// condition left out of its wording, only when the formulas prove it.
// Written here rather than taken from a package: the grammar is three operators and parentheses,
// and a truth table over at most 12 names (4,096 rows) answers every question asked of it, where
// a SAT or BDD library would bring far more than this file's hundred lines.
// A parameter's value is a name too ("Env is prod"); given a `ChoiceDomain` (a CloudFormation
// parameter's `AllowedValues`, and the conditions they decide), a deployment gives each such
// parameter exactly one of its values, so "Env is dev or Env is prod" holds in every deployment.

import { UNLISTED_VALUE, type ChoiceDomain, type FindingDeployments } from "../model/types.js";

type Formula =
  | { kind: "name"; name: string }
  | { kind: "not"; operand: Formula }
  | { kind: "and" | "or"; operands: Formula[] };

/** A truth table over more names than this is not built: the answer is "may differ". */
const MAX_NAMES = 12;
/** Deployments (parameter values times free names' truths) beyond which none are tried. */
const MAX_DEPLOYMENTS = 2 ** MAX_NAMES;

/**
 * A condition name, qualified by a nested stack's path (`Net.IsProd`) in that stack's resources,
 * or a parameter (`Env`, the pseudo parameter `AWS::Region`) before `is`.
 */
const NAME = /^[A-Za-z0-9_]+(?:(?:\.|::)[A-Za-z0-9_]+)*$/;
const KEYWORDS = new Set(["and", "or", "not"]);

/** The formula a condition text writes: `not` binds tighter than `and`, `and` than `or`. */
export function parseCondition(text: string): Formula {
  const tokens = text.match(/\(|\)|[^\s()]+/g) ?? [];
  let next = 0;
  const peek = (): string | undefined => tokens[next];
  const disjunction = (): Formula | null => {
    const operands = [conjunction()];
    while (peek() === "or") {
      next += 1;
      operands.push(conjunction());
    }
    if (operands.some((operand) => operand === null)) return null;
    return operands.length === 1 ? operands[0]! : { kind: "or", operands: operands as Formula[] };
  };
  const conjunction = (): Formula | null => {
    const operands = [unary()];
    while (peek() === "and") {
      next += 1;
      operands.push(unary());
    }
    if (operands.some((operand) => operand === null)) return null;
    return operands.length === 1 ? operands[0]! : { kind: "and", operands: operands as Formula[] };
  };
  const unary = (): Formula | null => {
    const token = tokens[next++];
    if (token === "not") {
      const operand = unary();
      return operand && { kind: "not", operand };
    }
    if (token === "(") {
      const inner = disjunction();
      return tokens[next++] === ")" ? inner : null;
    }
    if (token === undefined || KEYWORDS.has(token) || !NAME.test(token)) return null;
    // "Env is prod": a parameter's value, one name.
    const value = tokens[next + 1];
    if (peek() === "is" && value !== undefined && !KEYWORDS.has(value) && !/[()]/.test(value)) {
      next += 2;
      return { kind: "name", name: `${token} is ${value}` };
    }
    return { kind: "name", name: token };
  };
  const formula = disjunction();
  return formula !== null && next === tokens.length ? formula : { kind: "name", name: text };
}

function namesOf(formula: Formula, names: Set<string>): Set<string> {
  if (formula.kind === "name") names.add(formula.name);
  else if (formula.kind === "not") namesOf(formula.operand, names);
  else for (const operand of formula.operands) namesOf(operand, names);
  return names;
}

function holds(formula: Formula, truth: ReadonlyMap<string, boolean>): boolean {
  switch (formula.kind) {
    case "name":
      return truth.get(formula.name) ?? false;
    case "not":
      return !holds(formula.operand, truth);
    case "and":
      return formula.operands.every((operand) => holds(operand, truth));
    case "or":
      return formula.operands.some((operand) => holds(operand, truth));
  }
}

/** Whether the condition `text` holds in a deployment giving each name its truth (absent: false). */
export function conditionHolds(text: string, truth: ReadonlyMap<string, boolean>): boolean {
  return holds(parseCondition(text), truth);
}

/**
 * The deployments `names` may take, each as the truth of every name: without `domain` every
 * assignment; with it, each parameter it lists takes exactly one of its values ("Env is prod"
 * holds when Env takes prod), a condition it defines holds as its definition says, and the other
 * names take every assignment. null when there are too many to try them all.
 */
function deployments(
  names: ReadonlySet<string>,
  domain: ChoiceDomain | undefined,
): Array<Map<string, boolean>> | null {
  const parameterOf = (name: string): string | undefined => {
    const match = /^([A-Za-z0-9_]+(?:(?:\.|::)[A-Za-z0-9_]+)*) is /.exec(name);
    return match && domain && Object.hasOwn(domain.parameters, match[1]!) ? match[1] : undefined;
  };
  const defined = new Map<string, Formula>();
  const parameters = new Set<string>();
  const free: string[] = [];
  for (const name of names) {
    const definition =
      domain && Object.hasOwn(domain.conditions, name) ? domain.conditions[name] : undefined;
    if (definition !== undefined) {
      const formula = parseCondition(definition);
      defined.set(name, formula);
      for (const atom of namesOf(formula, new Set())) {
        const parameter = parameterOf(atom);
        if (parameter !== undefined) parameters.add(parameter);
      }
    } else if (parameterOf(name) !== undefined) parameters.add(parameterOf(name)!);
    else free.push(name);
  }
  if (free.length > MAX_NAMES) return null;
  let valuations: Array<Map<string, boolean>> = [new Map()];
  for (const parameter of parameters) {
    const values = domain?.parameters[parameter] ?? [];
    if (valuations.length * values.length * 2 ** free.length > MAX_DEPLOYMENTS) return null;
    valuations = valuations.flatMap((truth) =>
      values.map((value) => new Map([...truth, [`${parameter} is ${value}`, true]])),
    );
  }
  return valuations.flatMap((atoms) => {
    const rows: Array<Map<string, boolean>> = [];
    for (let assignment = 0; assignment < 2 ** free.length; assignment += 1) {
      const truth = new Map(atoms);
      for (const [bit, name] of free.entries()) truth.set(name, (assignment & (1 << bit)) !== 0);
      for (const [name, formula] of defined) truth.set(name, holds(formula, atoms));
      rows.push(truth);
    }
    return rows;
  });
}

/**
 * Whether some deployment (`deployments`) of the texts' names makes `test` true; true (may be)
 * when there are too many to try them all.
 */
function someDeployment(
  texts: readonly string[],
  test: (holdsText: (text: string) => boolean) => boolean,
  domain?: ChoiceDomain,
): boolean {
  const formulas = new Map(texts.map((text) => [text, parseCondition(text)]));
  const names = new Set<string>();
  for (const formula of formulas.values()) namesOf(formula, names);
  const rows = deployments(names, domain);
  if (rows === null) return true;
  return rows.some((truth) => test((text) => holds(formulas.get(text)!, truth)));
}

/** Whether some deployment has all of `conditions` hold. */
export function satisfiable(conditions: readonly string[], domain?: ChoiceDomain): boolean {
  return someDeployment(conditions, (holdsText) => conditions.every(holdsText), domain);
}

/** Whether every deployment has one of `conditions` hold. */
export function coversEveryDeployment(
  conditions: readonly string[],
  domain?: ChoiceDomain,
): boolean {
  return !someDeployment(conditions, (holdsText) => !conditions.some(holdsText), domain);
}

/** Whether `conclusion` holds in every deployment in which all of `premises` do. */
export function implies(
  premises: readonly string[],
  conclusion: string,
  domain?: ChoiceDomain,
): boolean {
  return !someDeployment(
    [...premises, conclusion],
    (holdsText) => premises.every(holdsText) && !holdsText(conclusion),
    domain,
  );
}

/** Names beyond which `readableText` keeps the text as written. */
const MAX_SIMPLIFIED_NAMES = 8;

/**
 * The deployments in which all of `conditions` hold, as the text a finding's message names:
 * `conjunctionText`, or, when they are the deployments of a plain conjunction of names and negated
 * names that is shorter or has no parentheses or `or`, that conjunction (`C and not (C and D)` is
 * `C and not D`, `not (A and B) and not (A and not B)` is `not A`, `not (A or B)` is `not A and
 * not B`); "" when they hold in every deployment (of `domain`'s too). Texts with a name of their own (a Terraform
 * `... is not empty`) or more than MAX_SIMPLIFIED_NAMES names stay as written.
 */
export function readableText(conditions: readonly string[], domain?: ChoiceDomain): string {
  const written = conjunctionText(conditions);
  if (conditions.length === 0) return written;
  if (domain !== undefined) {
    if (coversEveryDeployment([written], domain)) return "";
    // One name, or its negation, that holds in the same deployments: "IsProd and Env is prod" is
    // IsProd when IsProd is Env prod; "not IsDev and Env is prod or not IsDev and Env is test" is
    // not IsDev when Env is one of dev, test and prod.
    const literals = [...namesOf(parseCondition(written), new Set())].flatMap((name) => [
      name,
      `not ${name}`,
    ]);
    const same = literals.find(
      (literal) => implies([written], literal, domain) && implies([literal], written, domain),
    );
    if (same !== undefined) return same;
  }
  const formula = parseCondition(written);
  const names = [...namesOf(formula, new Set())];
  if (names.length > MAX_SIMPLIFIED_NAMES || names.some((name) => !NAME.test(name))) return written;
  const rows: number[] = [];
  for (let row = 0; row < 2 ** names.length; row += 1) {
    const truth = new Map(names.map((name, bit) => [name, (row & (1 << bit)) !== 0]));
    if (holds(formula, truth)) rows.push(row);
  }
  if (rows.length === 2 ** names.length) return "";
  const [first] = rows;
  if (first === undefined) return written;
  // The names every such deployment gives the same truth; the rest must take every combination.
  const fixed = names.flatMap((name, bit) =>
    rows.every((row) => (row & (1 << bit)) === (first & (1 << bit)))
      ? [(first & (1 << bit)) !== 0 ? name : `not ${name}`]
      : [],
  );
  if (rows.length !== 2 ** (names.length - fixed.length)) return written;
  const writtenNames = written
    .split(/[\s()]+/)
    .filter((word) => NAME.test(word) && !KEYWORDS.has(word));
  const plainer = written.includes("(") || / or /.test(written);
  return fixed.length < writtenNames.length || plainer ? fixed.join(" and ") : written;
}

/** `conditions` joined with `and`, a disjunction among several in parentheses. */
export function conjunctionText(conditions: readonly string[]): string {
  if (conditions.length === 1) return conditions[0] ?? "";
  return conditions
    .map((condition) => (parseCondition(condition).kind === "or" ? `(${condition})` : condition))
    .join(" and ");
}

/**
 * The formula with each condition `domain` defines, or else `meanings` (a condition's meaning over
 * parameters any value of which may be deployed), replaced by its definition.
 */
function expanded(
  formula: Formula,
  domain: ChoiceDomain | undefined,
  meanings: FindingDeployments["meanings"],
  seen = new Set<string>(),
): Formula {
  switch (formula.kind) {
    case "name": {
      const definition =
        domain && Object.hasOwn(domain.conditions, formula.name)
          ? domain.conditions[formula.name]
          : meanings && Object.hasOwn(meanings, formula.name)
            ? meanings[formula.name]
            : undefined;
      if (definition === undefined || seen.has(formula.name)) return formula;
      return expanded(
        parseCondition(definition),
        domain,
        meanings,
        new Set([...seen, formula.name]),
      );
    }
    case "not":
      return { kind: "not", operand: expanded(formula.operand, domain, meanings, seen) };
    default:
      return {
        kind: formula.kind,
        operands: formula.operands.map((operand) => expanded(operand, domain, meanings, seen)),
      };
  }
}

/**
 * A condition text with each condition name `deployments` defines (`choices`, `meanings`)
 * replaced by what it means (`IsProd` as `Env is prod`), so that texts of two commits compare by
 * meaning where one redefines a name. A text that is no formula stays as written.
 */
export function meaningText(text: string, deployments: FindingDeployments | undefined): string {
  if (deployments?.choices === undefined && deployments?.meanings === undefined) return text;
  return formulaText(expanded(parseCondition(text), deployments.choices, deployments.meanings));
}

/** A formula as a condition text `parseCondition` reads back. */
function formulaText(formula: Formula): string {
  switch (formula.kind) {
    case "name":
      return formula.name;
    case "not":
      return `not ${formula.operand.kind === "name" ? formulaText(formula.operand) : `(${formulaText(formula.operand)})`}`;
    default:
      return formula.operands.length === 1
        ? formulaText(formula.operands[0]!)
        : formula.operands
            .map((operand) =>
              operand.kind === "name" || operand.kind === "not"
                ? formulaText(operand)
                : `(${formulaText(operand)})`,
            )
            .join(` ${formula.kind} `);
  }
}

/** A parameter value no domain lists and no condition names: a deployment none of them foresaw. */
const FRESH_VALUE = "\u0000fresh";

/**
 * Where a finding holds at head and did not at base, across the pull request: the deployments
 * the head's conditions (over the head's domain) cover and the base's (over the base's) do not,
 * as the text a message names after "now" (`also when terraform.workspace is qa`); undefined when
 * the base's finding held in every deployment (it is as open as before wherever the head adds one)
 * or no such deployment is proven. A deployment is a value for each parameter either domain
 * lists; one the base's domain cannot take (a workspace the base could not plan, an
 * `AllowedValues` entry the pull request added) is one where the base's finding did not hold. A
 * condition name neither domain defines (an undecided CloudFormation condition, an unknown
 * `for_each`'s "is not empty") may hold or not, as within one scan: a head that drops it, or adds
 * one in `or`, is wider. When each side writes such a name the other does not (a renamed
 * condition, `var.rules` refactored into `local.rules`), the two cannot be compared, and nothing
 * is widened: an unreadable comparison never makes a finding new.
 */
export function widening(base: FindingDeployments, head: FindingDeployments): string | undefined {
  if (base.when.length === 0) return undefined;
  const always: Formula = { kind: "and", operands: [] };
  const baseFormula = expanded(
    parseCondition(conjunctionText(base.when)),
    base.choices,
    base.meanings,
  );
  const headFormula =
    head.when.length === 0
      ? always
      : expanded(parseCondition(conjunctionText(head.when)), head.choices, head.meanings);
  const listed = (domain: ChoiceDomain | undefined, parameter: string): string[] | undefined =>
    domain && Object.hasOwn(domain.parameters, parameter)
      ? domain.parameters[parameter]
      : undefined;
  // Parameters a condition's meaning reads (`Env is prod`) may take any value: each side deploys
  // every value as itself.
  const unbounded = new Set(
    [base.meanings, head.meanings].flatMap((meanings) =>
      Object.values(meanings ?? {}).flatMap((text) =>
        [...namesOf(parseCondition(text), new Set())].flatMap(
          (name) => /^([A-Za-z0-9_.:]+) is \S+$/.exec(name)?.[1] ?? [],
        ),
      ),
    ),
  );
  const parameterOf = (name: string): string | undefined => {
    const match = /^([A-Za-z0-9_.:]+) is (\S+)$/.exec(name);
    if (!match) return undefined;
    const parameter = match[1]!;
    return listed(base.choices, parameter) ||
      listed(head.choices, parameter) ||
      unbounded.has(parameter)
      ? parameter
      : undefined;
  };
  const baseNames = namesOf(baseFormula, new Set());
  const headNames = namesOf(headFormula, new Set());
  const values = new Map<string, Set<string>>();
  const free: string[] = [];
  for (const name of new Set([...baseNames, ...headNames])) {
    const parameter = parameterOf(name);
    if (parameter === undefined) {
      free.push(name);
      continue;
    }
    values.set(parameter, values.get(parameter) ?? new Set());
    values.get(parameter)!.add(name.slice(parameter.length + 4));
  }
  const onlyIn = (names: ReadonlySet<string>, other: ReadonlySet<string>): boolean =>
    free.some((name) => names.has(name) && !other.has(name));
  if (onlyIn(baseNames, headNames) && onlyIn(headNames, baseNames)) return undefined;
  for (const domain of [base.choices, head.choices])
    for (const [parameter, listedValues] of Object.entries(domain?.parameters ?? {}))
      if (values.has(parameter))
        for (const value of listedValues)
          if (value !== UNLISTED_VALUE) values.get(parameter)!.add(value);
  for (const parameterValues of values.values()) parameterValues.add(FRESH_VALUE);
  const parameters = [...values.keys()];
  let combinations = 2 ** free.length;
  for (const parameterValues of values.values()) combinations *= parameterValues.size;
  if (combinations > MAX_DEPLOYMENTS) return undefined;
  // What a side's `P is v` names read in a deployment giving P `value`: undefined when the side
  // could not be deployed so.
  const seenAs = (
    domain: ChoiceDomain | undefined,
    parameter: string,
    value: string,
  ): string | undefined => {
    const sideValues = listed(domain, parameter);
    if (sideValues === undefined || sideValues.includes(value)) return value;
    return sideValues.includes(UNLISTED_VALUE) ? UNLISTED_VALUE : undefined;
  };
  const truthOf = (
    domain: ChoiceDomain | undefined,
    deployment: readonly string[],
    truths: ReadonlyMap<string, boolean>,
  ): Map<string, boolean> | undefined => {
    const truth = new Map(truths);
    for (const [index, parameter] of parameters.entries()) {
      const value = seenAs(domain, parameter, deployment[index]!);
      if (value === undefined) return undefined;
      for (const candidate of values.get(parameter)!)
        truth.set(`${parameter} is ${candidate}`, candidate === value);
    }
    return truth;
  };
  const witnesses: string[][] = [];
  const deploymentsOf = (index: number): string[][] =>
    index === parameters.length
      ? [[]]
      : [...values.get(parameters[index]!)!].flatMap((value) =>
          deploymentsOf(index + 1).map((rest) => [value, ...rest]),
        );
  for (const deployment of deploymentsOf(0)) {
    for (let row = 0; row < 2 ** free.length; row += 1) {
      const truths = new Map(free.map((name, bit) => [name, (row & (1 << bit)) !== 0]));
      const headTruth = truthOf(head.choices, deployment, truths);
      const baseTruth = truthOf(base.choices, deployment, truths);
      if (
        headTruth !== undefined &&
        holds(headFormula, headTruth) &&
        (baseTruth === undefined || !holds(baseFormula, baseTruth))
      ) {
        witnesses.push(deployment);
        break;
      }
    }
  }
  if (witnesses.length === 0) return undefined;
  const [parameter] = parameters;
  if (parameters.length === 1 && free.length === 0) {
    const named = [...new Set(witnesses.map(([value]) => value!))].filter(
      (value) => value !== FRESH_VALUE,
    );
    const others = witnesses.some(([value]) => value === FRESH_VALUE)
      ? [`${parameter} is another value`]
      : [];
    return `also when ${[...named.map((value) => `${parameter} is ${value}`), ...others].join(" or ")}`;
  }
  const was = spokenCondition(conjunctionText(base.when));
  return head.when.length === 0
    ? `in every deployment (was only when ${was})`
    : `also where it did not hold (was only when ${was})`;
}

/**
 * A condition text as a message says it: `not terraform.workspace is prod` reads
 * `terraform.workspace is not prod`, and `not var.env is "dev"` (a root variable's default a
 * deployment may override, iac/terraform/defaults.ts) `var.env is not "dev"`.
 */
export function spokenCondition(when: string): string {
  return when.replace(
    /\bnot (terraform\.workspace|var\.[A-Za-z0-9_]+) is (?=[^\s()])/g,
    "$1 is not ",
  );
}
