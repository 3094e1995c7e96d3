// Terraform's `moved` blocks: read once per module with ends relative to it and checked as
// Terraform checks one block, made absolute for each instance of the module (instance.ts), then
// checked across a root module as Terraform checks them together. A block Terraform would refuse
// is a located warning and is left out, so findings on its resources stay new rather than
// matching through a move Terraform never makes. Also a root module's `removed` blocks that keep
// what they remove deployed, and every module's `import` blocks (what they adopt is deployed
// already), checked alike and made absolute per instance as `moved` blocks are.
import { parseHcl, type Expression, type ScopeTraversalExpr } from "../hcl/index.js";
import { covers, followMoves, type Adopted, type LoadError, type Move } from "../../model/index.js";
import { keySuffix } from "./instance.js";
import { attributeOf, literalString, type ModuleDefinition } from "./modules.js";
import { compareVersions, constraintRange } from "./providers.js";

const CODE = "terraform-moved";
const NOT_AN_ADDRESS =
  "not a resource or module address (aws_instance.a, aws_instance.a[0], module.net, module.net.aws_instance.a)";

/** A `moved` block of one module: `from` and `to` relative to it. */
export type MoveDeclaration = Omit<Move, "root">;

/** One end of a block: what it names, written as `Resource.address` writes it. */
interface Endpoint {
  address: string;
  kind: "resource" | "module";
  /** The resource type, for a resource end. */
  type?: string;
  /** The last step has an instance key (`aws_instance.a[0]`, `module.m["k"]`). */
  keyed: boolean;
  /** Names something this module declares itself: a resource or a module call, without a path. */
  local: string;
}

/** The module's `moved` blocks Terraform would accept on their own, in file order. */
export function declaredMoves(
  definition: ModuleDefinition,
  report: (error: LoadError) => void,
): MoveDeclaration[] {
  const moves: MoveDeclaration[] = [];
  for (const { node, file } of definition.moved) {
    const warn = leftOut(report, file.path, CODE);
    const ends = (["from", "to"] as const).map((name) => {
      const attribute = attributeOf(node.body, name);
      if (!attribute) {
        warn(node, `a moved block needs "${name}"`);
        return undefined;
      }
      const endpoint = parseEndpoint(attribute.expr);
      if (typeof endpoint === "string") warn(attribute, `moved block "${name}": ${endpoint}`);
      return typeof endpoint === "string" ? undefined : endpoint;
    });
    const [from, to] = ends;
    if (!from || !to) continue;
    const problem = mismatch(from, to, definition);
    if (problem) {
      warn(node, `moved block from ${from.address} to ${to.address}: ${problem}`);
      continue;
    }
    moves.push({
      from: from.address,
      to: to.address,
      whole: !from.keyed && !to.keyed,
      file: file.path,
      line: node.line,
      column: node.column,
    });
  }
  return moves;
}

/**
 * What a root module's `removed` blocks with `lifecycle { destroy = false }` forget: Terraform
 * drops it from its state and leaves it deployed. Other `removed` blocks destroy, as deleting
 * the resource would, and an unreadable `from` is Terraform's error to report, not a finding's.
 */
export function forgottenAddresses(
  definition: ModuleDefinition,
): Array<{ address: string; file: string; line: number }> {
  const forgotten: Array<{ address: string; file: string; line: number }> = [];
  for (const { node, file } of definition.removed) {
    const from = attributeOf(node.body, "from");
    const lifecycle = node.body.items.find(
      (item) => item.kind === "Block" && item.type === "lifecycle",
    );
    const destroy =
      lifecycle?.kind === "Block" ? attributeOf(lifecycle.body, "destroy") : undefined;
    if (!from || destroy?.expr.kind !== "Literal" || destroy.expr.value !== false) continue;
    const endpoint = parseEndpoint(from.expr);
    if (typeof endpoint !== "string")
      forgotten.push({ address: endpoint.address, file: file.path, line: node.line });
  }
  return forgotten;
}

const IMPORT_CODE = "terraform-import";
const NOT_AN_INSTANCE =
  'not a resource instance address (aws_instance.a, aws_instance.a["k"], aws_instance.a[each.key], module.net.aws_instance.a)';

/** An `import` block of one module: what it adopts, relative to the module. */
export type ImportDeclaration = Omit<Adopted, "root">;

/**
 * What a module's `import` blocks adopt, relative to the module: the instance `to` names, a key
 * written as an expression (`aws_instance.a[each.key]`, under `for_each`) standing for any key
 * (`[*]`). A root module's are absolute; a called module's (Terraform 1.16 and later) are made
 * absolute for each of its instances (instance.ts), as its `moved` blocks are. A block Terraform
 * would refuse (no `to`, or one that is no managed resource instance; no `id` nor `identity`, or
 * both; a key from an expression without `for_each`) is a located warning and is left out, so
 * findings on what it names stay new.
 */
export function declaredImports(
  definition: ModuleDefinition,
  report: (error: LoadError) => void,
): ImportDeclaration[] {
  const adopted: ImportDeclaration[] = [];
  for (const { node, file } of definition.imports) {
    const warn = leftOut(report, file.path, IMPORT_CODE);
    const to = attributeOf(node.body, "to");
    const id = attributeOf(node.body, "id");
    const identity =
      attributeOf(node.body, "identity") ??
      node.body.items.find((item) => item.kind === "Block" && item.type === "identity");
    if (!to) {
      warn(node, 'an import block needs "to"');
      continue;
    }
    if (!id && !identity) {
      warn(node, 'an import block needs "id" (or "identity")');
      continue;
    }
    if (id && identity) {
      warn(node, 'an import block takes "id" or "identity", not both');
      continue;
    }
    const address = instanceAddress(to.expr);
    if (typeof address !== "string") {
      warn(to, `import block "to": ${address.problem}`);
      continue;
    }
    if (address.includes("[*]") && !attributeOf(node.body, "for_each")) {
      warn(to, 'import block "to": a key written as an expression needs "for_each"');
      continue;
    }
    adopted.push({ address, file: file.path, line: node.line });
  }
  return adopted;
}

/** The first Terraform release that reads an `import` block in a module another module calls. */
const IMPORTS_IN_CALLED_MODULES: readonly [number, number, number] = [1, 16, 0];

/**
 * The `required_version` among `definitions` (a root and the modules down to one it calls) that
 * allows only releases before 1.16, which refuse an `import` block in a called module; undefined
 * when every constraint allows 1.16 or later, or is not Terraform's syntax (Terraform then
 * refuses the configuration itself).
 */
export function refusingImportsInCalledModules(
  definitions: readonly ModuleDefinition[],
): { text: string; file: string; line: number } | undefined {
  for (const definition of definitions) {
    for (const file of definition.files) {
      for (const item of file.body.items) {
        if (item.kind !== "Block" || item.type !== "terraform") continue;
        const required = attributeOf(item.body, "required_version");
        const text = required && literalString(required.expr);
        const range = text === undefined ? undefined : constraintRange(text);
        const below = range?.below;
        if (
          text !== undefined &&
          below !== undefined &&
          compareVersions(below, IMPORTS_IN_CALLED_MODULES) <= 0
        )
          return { text, file: file.path, line: required?.line ?? item.line };
      }
    }
  }
  return undefined;
}

/**
 * A located warning for an `import` block of a called module whose configuration allows only
 * Terraform before 1.16 (`refusing`, a `required_version`), which refuses it: what it names is not
 * adopted, and findings on it stay new.
 */
export function importRefused(
  block: ImportDeclaration,
  refusing: { text: string; file: string; line: number },
  report: (error: LoadError) => void,
): void {
  leftOut(
    report,
    block.file,
    IMPORT_CODE,
  )(
    { line: block.line, column: 1 },
    `an import block in a module another module calls, where required_version ${JSON.stringify(refusing.text)} (${refusing.file}:${refusing.line}) allows only Terraform before 1.16, which refuses it, so what it names is not taken as adopted`,
  );
}

/** How a block Terraform would refuse is reported: a warning where `at` is, saying it is left out. */
function leftOut(
  report: (error: LoadError) => void,
  file: string,
  code: string,
): (at: { line: number; column: number }, message: string) => void {
  return (at, message) =>
    report({
      file,
      line: at.line,
      column: at.column,
      message: `${message}; it is left out`,
      code,
      level: "warning",
    });
}

/** A step of an import block's `to`: a name, a key, or a key an expression gives. */
type InstanceStep = { name: string } | { key: string | number } | { anyKey: true };

/**
 * Reads an import block's `to` (`module.net["k"].aws_instance.a[each.key]`; `.tf.json` writes it
 * as a string) as an address, `[*]` for a key an expression gives; or says why it is not one.
 */
function instanceAddress(expr: Expression): string | { problem: string } {
  const written = literalString(expr);
  const parsed = written === undefined ? expr : writtenExpression(written);
  const steps = parsed && instanceSteps(parsed);
  if (!steps) return { problem: NOT_AN_INSTANCE };
  const nameAt = (i: number): string | undefined => {
    const step = steps[i];
    return step && "name" in step ? step.name : undefined;
  };
  const keyAt = (i: number): string | undefined => {
    const step = steps[i];
    if (step === undefined || "name" in step) return undefined;
    return "anyKey" in step ? "[*]" : keySuffix(step.key);
  };
  const parts: string[] = [];
  let i = 0;
  while (nameAt(i) === "module") {
    const call = nameAt(i + 1);
    if (call === undefined) return { problem: NOT_AN_INSTANCE };
    const key = keyAt(i + 2);
    parts.push(`module.${call}${key ?? ""}`);
    i += key === undefined ? 2 : 3;
  }
  const type = nameAt(i);
  const name = nameAt(i + 1);
  if (type === "data") return { problem: "a data resource cannot be imported" };
  const key = keyAt(i + 2);
  if (type === undefined || name === undefined || i + (key === undefined ? 2 : 3) !== steps.length)
    return { problem: NOT_AN_INSTANCE };
  parts.push(`${type}.${name}${key ?? ""}`);
  return parts.join(".");
}

function instanceSteps(expr: Expression): InstanceStep[] | undefined {
  switch (expr.kind) {
    case "ScopeTraversal":
      return [
        { name: expr.root },
        ...expr.steps.map((step) =>
          step.kind === "TraverseAttr" ? { name: step.name } : { key: step.key },
        ),
      ];
    case "Index": {
      const collection = instanceSteps(expr.collection);
      if (!collection) return undefined;
      const key =
        expr.key.kind === "Literal" && typeof expr.key.value === "number"
          ? expr.key.value
          : literalString(expr.key);
      return [...collection, key === undefined ? { anyKey: true } : { key }];
    }
    case "GetAttr": {
      const object = instanceSteps(expr.object);
      return object && [...object, { name: expr.name }];
    }
    default:
      return undefined;
  }
}

/** Why Terraform refuses to move `from` to `to`, or undefined when it accepts the block. */
function mismatch(from: Endpoint, to: Endpoint, definition: ModuleDefinition): string | undefined {
  if (from.kind !== to.kind) return "one end is a resource and the other a module";
  if (from.address === to.address) return "both ends are the same address";
  if (from.type !== to.type)
    return "the resource type changes, and Tollgate follows a move within one resource type only";
  // Terraform refuses a move from what the module still declares; between instances, whether
  // one is still declared depends on the expansion, which Terraform checks at plan.
  const stillDeclared =
    !from.keyed &&
    !to.keyed &&
    (from.kind === "resource"
      ? definition.resourcesByKey.has(from.local)
      : definition.calls.has(from.local));
  if (stillDeclared) return `${from.address} is still declared in this module`;
  return undefined;
}

/**
 * Reads an end: `aws_instance.a`, `aws_instance.a[0]`, `module.net["k"].aws_instance.a`,
 * `module.net`. `.tf.json` writes the same traversal as a string. Returns why it is not one.
 */
function parseEndpoint(expr: Expression): Endpoint | string {
  const traversal = traversalOf(expr);
  if (!traversal) return NOT_AN_ADDRESS;
  const steps: Array<{ name: string } | { key: string | number }> = [
    { name: traversal.root },
    ...traversal.steps.map((step) =>
      step.kind === "TraverseAttr" ? { name: step.name } : { key: step.key },
    ),
  ];
  const nameAt = (i: number): string | undefined => {
    const step = steps[i];
    return step && "name" in step ? step.name : undefined;
  };
  const keyAt = (i: number): string | undefined => {
    const step = steps[i];
    return step && "key" in step ? keySuffix(step.key) : undefined;
  };
  const parts: string[] = [];
  let firstCall = "";
  let keyed = false;
  let i = 0;
  while (nameAt(i) === "module") {
    const call = nameAt(i + 1);
    if (call === undefined) return NOT_AN_ADDRESS;
    const key = keyAt(i + 2);
    parts.push(`module.${call}${key ?? ""}`);
    if (parts.length === 1) firstCall = call;
    keyed = key !== undefined;
    i += key === undefined ? 2 : 3;
  }
  if (i === steps.length) {
    if (parts.length === 0) return NOT_AN_ADDRESS;
    const local = parts.length === 1 ? firstCall : "";
    return { address: parts.join("."), kind: "module", keyed, local };
  }
  const type = nameAt(i);
  const name = nameAt(i + 1);
  if (type === "data") return "a data resource cannot be moved";
  const key = keyAt(i + 2);
  if (type === undefined || name === undefined || i + (key === undefined ? 2 : 3) !== steps.length)
    return NOT_AN_ADDRESS;
  parts.push(`${type}.${name}${key ?? ""}`);
  const local = parts.length === 1 ? `${type}.${name}` : "";
  return { address: parts.join("."), kind: "resource", type, keyed: key !== undefined, local };
}

/** The traversal written, natively or (`.tf.json`) as a string. */
function traversalOf(expr: Expression): ScopeTraversalExpr | undefined {
  const written = literalString(expr);
  const parsed = written === undefined ? expr : writtenExpression(written);
  return parsed?.kind === "ScopeTraversal" ? parsed : undefined;
}

/** The expression a `.tf.json` string writes for an address, if it parses. */
function writtenExpression(written: string): Expression | undefined {
  const parsed = parseHcl(`end = ${written}\n`, "moved");
  const item = parsed.body.items[0];
  return parsed.errors.length > 0 || item?.kind !== "Attribute" ? undefined : item.expr;
}

/**
 * The moves of one root module as Terraform makes them: its `moved` blocks checked together, and
 * its implied moves of resources no `moved` block names (Terraform leaves those to the blocks).
 */
export function rootMovesInForce(
  root: string,
  moves: readonly MoveDeclaration[],
  report: (error: LoadError) => void,
): Move[] {
  const explicit = checkedMoves(
    moves.filter((move) => !move.implied).map((move) => ({ root, ...move })),
    report,
  );
  const implied = moves.filter((move) => {
    if (!move.implied) return false;
    // The end without a key is the resource itself.
    const resource = move.from.length < move.to.length ? move.from : move.to;
    return !explicit.some(
      (named) => covers(resource, true, named.from) || covers(resource, true, named.to),
    );
  });
  return [...explicit, ...implied.map((move) => ({ root, ...move }))];
}

/**
 * The moves of one root module that Terraform would carry out: a source moved to two places, a
 * destination with two sources, and moves that come back to where they started are reported
 * (once per block) and left out.
 */
function checkedMoves(moves: readonly Move[], report: (error: LoadError) => void): Move[] {
  const unique = [
    ...new Map(moves.map((m) => [JSON.stringify([m.from, m.to, m.whole]), m])).values(),
  ];
  const refused = new Map<Move, string>();
  for (const move of unique) {
    const otherTo = unique.find((m) => m.from === move.from && m.to !== move.to);
    const otherFrom = unique.find((m) => m.to === move.to && m.from !== move.from);
    if (otherTo) refused.set(move, `${move.from} is also moved to ${otherTo.to}`);
    else if (otherFrom) refused.set(move, `${otherFrom.from} is also moved to ${move.to}`);
  }
  const unambiguous = unique.filter((move) => !refused.has(move));
  for (const move of unambiguous) {
    if (followMoves(move.to, unambiguous).path.includes(move.from))
      refused.set(move, "the chain of moves leads back to where it starts");
  }
  for (const [move, reason] of refused)
    leftOut(
      report,
      move.file,
      CODE,
    )(move, `moved block from ${move.from} to ${move.to}: ${reason}`);
  return unique.filter((move) => !refused.has(move));
}
