// Which provider versions may be in force for a root module: the `version` constraints of
// `required_providers` (and legacy `provider` blocks) in the root and the local modules it calls,
// which Terraform intersects, and the version the root's `.terraform.lock.hcl` selects. Rules
// need it where a provider changed a default between major versions (AWS provider v6 made
// `aws_redshift_cluster.publicly_accessible` default to false).
import type { Block, Body, Expression } from "../hcl/index.js";
import { parseHcl } from "../hcl/index.js";
import type { LoadError, ProviderVersions } from "../../model/types.js";
import type { SourceFile } from "../source.js";
import { attributeOf, literalString, type ModuleDefinition } from "./modules.js";

export const LOCK_FILE = ".terraform.lock.hcl";

/** Terraform's registry and OpenTofu's, which serves the same `hashicorp/aws` releases. */
const DEFAULT_REGISTRIES = ["registry.terraform.io/", "registry.opentofu.org/"];

type Version = readonly [number, number, number];

/** A half-open interval of release versions, `[lowest, below)`; `below` undefined is unbounded. */
interface VersionRange {
  lowest: Version;
  below: Version | undefined;
}

/** A constraint as written, located for warnings. */
interface WrittenConstraint {
  text: string;
  file: string;
  line: number;
  column: number;
}

/** `hashicorp/aws` for `hashicorp/aws`, `registry.terraform.io/hashicorp/aws` or `HashiCorp/AWS`. */
export function normalizeSource(source: string): string {
  const lower = source.trim().toLowerCase();
  const host = DEFAULT_REGISTRIES.find((registry) => lower.startsWith(registry));
  return host ? lower.slice(host.length) : lower;
}

const CONSTRAINT =
  /^(=|!=|>=|<=|>|<|~>)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The lower of two upper bounds, undefined being none. */
function lower(a: Version | undefined, b: Version | undefined): Version | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareVersions(a, b) <= 0 ? a : b;
}

function nextPatch(v: Version): Version {
  return [v[0], v[1], v[2] + 1];
}

export function formatVersion(v: Version): string {
  return v.join(".");
}

/**
 * The versions one constraint string allows (`"~> 5.0"`, `">= 4.0, < 6"`), or undefined when it
 * is not Terraform's syntax. Pre-release suffixes are read as their release (`6.0.0-beta1` as
 * 6.0.0: it already has 6.0's defaults); `!=` excludes one version and bounds nothing.
 */
export function constraintRange(text: string): VersionRange | undefined {
  let lowest: Version = [0, 0, 0];
  let below: Version | undefined;
  const raise = (v: Version) => {
    if (compareVersions(v, lowest) > 0) lowest = v;
  };
  const cap = (v: Version) => {
    below = lower(below, v);
  };
  for (const part of text.split(",")) {
    const match = CONSTRAINT.exec(part.trim());
    if (!match) return undefined;
    const [, operator = "=", major = "0", minor, patch] = match;
    const v: Version = [Number(major), Number(minor ?? 0), Number(patch ?? 0)];
    switch (operator) {
      case "=":
        raise(v);
        cap(nextPatch(v));
        break;
      case ">=":
        raise(v);
        break;
      case ">":
        raise(nextPatch(v));
        break;
      case "<":
        cap(v);
        break;
      case "<=":
        cap(nextPatch(v));
        break;
      case "~>":
        // `~> 1.2.3` stays within 1.2.x; `~> 1.2` and `~> 1` within 1.x.
        raise(v);
        cap(patch === undefined ? [v[0] + 1, 0, 0] : [v[0], v[1] + 1, 0]);
        break;
    }
  }
  return { lowest, below };
}

function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.exec(
    text.trim(),
  );
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** The provider versions `.terraform.lock.hcl` selects, by normalized source address. */
export function readLockFile(
  file: SourceFile,
  report: (error: LoadError) => void,
): Map<string, string> {
  const locked = new Map<string, string>();
  const parsed = parseHcl(file.text, file.path);
  // The resources load without it: what is lost is only which version is in force.
  for (const error of parsed.errors) report({ ...error, level: "warning" });
  for (const item of parsed.body.items) {
    const address = item.kind === "Block" && item.type === "provider" ? item.labels[0] : undefined;
    if (!address || item.kind !== "Block") continue;
    const versionAttribute = attributeOf(item.body, "version");
    const version = versionAttribute ? literalString(versionAttribute.expr) : undefined;
    if (version !== undefined) locked.set(normalizeSource(address.value), version);
  }
  return locked;
}

interface Requirement {
  source: string;
  constraints: WrittenConstraint[];
}

/** `required_providers` entries of a module by local name, and legacy `provider` block versions. */
function moduleRequirements(definition: ModuleDefinition): Map<string, Requirement> {
  const requirements = new Map<string, Requirement>();
  const requirement = (name: string): Requirement => {
    let found = requirements.get(name);
    if (!found) {
      found = { source: `hashicorp/${name}`, constraints: [] };
      requirements.set(name, found);
    }
    return found;
  };
  const constraintOf = (expr: Expression, file: string): WrittenConstraint | undefined => {
    const text = literalString(expr);
    return text === undefined ? undefined : { text, file, line: expr.line, column: expr.column };
  };
  for (const file of definition.files) {
    for (const item of file.body.items) {
      if (item.kind !== "Block") continue;
      if (item.type === "provider" && item.labels[0]) {
        const version = attributeOf(item.body, "version");
        const written = version && constraintOf(version.expr, file.path);
        if (written) requirement(item.labels[0].value).constraints.push(written);
      }
      if (item.type !== "terraform") continue;
      for (const [name, value] of requiredProviderEntries(item)) {
        const entry = requirement(name);
        // Legacy form: `aws = "~> 2.0"`, a version constraint alone.
        const legacy = constraintOf(value, file.path);
        if (legacy) {
          entry.constraints.push(legacy);
          continue;
        }
        if (value.kind !== "Object") continue;
        for (const field of value.items) {
          if (field.keyName === "source") {
            const source = literalString(field.value);
            if (source !== undefined) entry.source = normalizeSource(source);
          } else if (field.keyName === "version") {
            const written = constraintOf(field.value, file.path);
            if (written) entry.constraints.push(written);
          }
        }
      }
    }
  }
  return requirements;
}

/**
 * `required_providers` is a block in native syntax and, in `.tf.json`, an object attribute, or a
 * list of objects when given as a list or more than once.
 */
function requiredProviderEntries(terraform: Block): [string, Expression][] {
  const entries: [string, Expression][] = [];
  for (const item of terraform.body.items) {
    if (item.kind === "Block" && item.type === "required_providers") {
      for (const attribute of bodyAttributes(item.body)) entries.push(attribute);
    } else if (item.kind === "Attribute" && item.name === "required_providers") {
      const objects = item.expr.kind === "Tuple" ? item.expr.elements : [item.expr];
      for (const object of objects) {
        if (object.kind !== "Object") continue;
        for (const field of object.items)
          if (field.keyName !== null) entries.push([field.keyName, field.value]);
      }
    }
  }
  return entries;
}

function bodyAttributes(body: Body): [string, Expression][] {
  return body.items.flatMap((item): [string, Expression][] =>
    item.kind === "Attribute" ? [[item.name, item.expr]] : [],
  );
}

/**
 * What one root module runs: for a resource of a module among its own and its local modules',
 * which provider it uses and which versions of it may be in force.
 */
export class RootProviders {
  private readonly requirementsByModule = new Map<string, Map<string, Requirement>>();
  private readonly versionsBySource = new Map<string, ProviderVersions>();

  constructor(
    private readonly root: ModuleDefinition,
    private readonly modules: ReadonlyMap<string, ModuleDefinition>,
    private readonly files: ReadonlyMap<string, SourceFile>,
    private readonly report: (error: LoadError) => void,
  ) {
    this.collect();
  }

  /** The provider of a resource declared in `definition`: its `provider` argument, else its type's prefix. */
  providerOf(
    definition: ModuleDefinition,
    block: Block,
    type: string,
  ): ProviderVersions | undefined {
    const written = attributeOf(block.body, "provider")?.expr;
    const localName = written?.kind === "ScopeTraversal" ? written.root : type.split("_")[0];
    return localName ? this.versionsFor(definition, localName) : undefined;
  }

  /** The provider `localName` names in `definition` and which of its versions may be in force. */
  versionsFor(definition: ModuleDefinition, localName: string): ProviderVersions | undefined {
    // `terraform_data` and `terraform_remote_state` belong to Terraform itself, which has no versions here.
    if (localName === "terraform") return undefined;
    const source = this.sourceOf(definition, localName);
    return this.versionsBySource.get(source) ?? this.versionsOf(source, [], undefined);
  }

  /** The source address `localName` stands for in `definition` (`hashicorp/<name>` unless required otherwise). */
  sourceOf(definition: ModuleDefinition, localName: string): string {
    return this.requirements(definition).get(localName)?.source ?? `hashicorp/${localName}`;
  }

  /** The local name `definition` gives the provider at `source`, when it requires it under another. */
  localNameOf(definition: ModuleDefinition, source: string): string | undefined {
    for (const [name, requirement] of this.requirements(definition))
      if (requirement.source === source) return name;
    return source.startsWith("hashicorp/") ? source.slice("hashicorp/".length) : undefined;
  }

  private requirements(definition: ModuleDefinition): Map<string, Requirement> {
    let found = this.requirementsByModule.get(definition.directory);
    if (!found) {
      found = moduleRequirements(definition);
      this.requirementsByModule.set(definition.directory, found);
    }
    return found;
  }

  /** Constraints by source over the root and every local module it calls, then the lock file. */
  private collect(): void {
    const constraints = new Map<string, WrittenConstraint[]>();
    const visited = new Set<string>();
    const pending = [this.root];
    for (let definition = pending.pop(); definition; definition = pending.pop()) {
      if (visited.has(definition.directory)) continue;
      visited.add(definition.directory);
      for (const requirement of this.requirements(definition).values()) {
        const list = constraints.get(requirement.source) ?? [];
        list.push(...requirement.constraints);
        constraints.set(requirement.source, list);
      }
      for (const call of definition.calls.values()) {
        const child = call.directory === undefined ? undefined : this.modules.get(call.directory);
        if (child) pending.push(child);
      }
    }
    const lockPath = this.root.directory === "" ? LOCK_FILE : `${this.root.directory}/${LOCK_FILE}`;
    const lockFile = this.files.get(lockPath);
    const locked = lockFile ? readLockFile(lockFile, this.report) : new Map<string, string>();
    for (const source of new Set([...constraints.keys(), ...locked.keys()])) {
      this.versionsBySource.set(
        source,
        this.versionsOf(source, constraints.get(source) ?? [], locked.get(source)),
      );
    }
  }

  private versionsOf(
    source: string,
    written: WrittenConstraint[],
    locked: string | undefined,
  ): ProviderVersions {
    let range: VersionRange = { lowest: [0, 0, 0], below: undefined };
    for (const constraint of written) {
      const allowed = constraintRange(constraint.text);
      if (!allowed) {
        this.warn(
          constraint,
          `${JSON.stringify(constraint.text)} is not a version constraint Terraform reads; it is left out of ${source}'s versions`,
        );
        continue;
      }
      range = {
        lowest: compareVersions(allowed.lowest, range.lowest) > 0 ? allowed.lowest : range.lowest,
        below: lower(range.below, allowed.below),
      };
    }
    const first = written[0];
    if (first && range.below !== undefined && compareVersions(range.lowest, range.below) >= 0) {
      // `terraform init` fails on constraints nothing satisfies; nothing is known to be in force.
      this.warn(
        first,
        `the version constraints on ${source} allow no version together (${written.map((c) => c.text).join("; ")})`,
      );
      range = { lowest: [0, 0, 0], below: undefined };
    }
    const lockedVersion = locked === undefined ? undefined : parseVersion(locked);
    // A lock outside the constraints makes `terraform init` fail until `-upgrade` picks anew.
    if (
      lockedVersion &&
      compareVersions(lockedVersion, range.lowest) >= 0 &&
      (range.below === undefined || compareVersions(lockedVersion, range.below) < 0)
    )
      range = { lowest: lockedVersion, below: nextPatch(lockedVersion) };
    const constraints = [...new Set(written.map((constraint) => constraint.text))];
    return {
      source,
      constraints,
      ...(locked === undefined ? {} : { locked }),
      lowest: formatVersion(range.lowest),
      ...(range.below === undefined ? {} : { below: formatVersion(range.below) }),
    };
  }

  private warn(at: WrittenConstraint, message: string): void {
    this.report({
      file: at.file,
      line: at.line,
      column: at.column,
      message,
      code: "terraform-provider-version",
      level: "warning",
    });
  }
}
