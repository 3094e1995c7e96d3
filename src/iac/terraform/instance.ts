// One instance of a module (a root, or a child called with bound inputs) and everything it
// resolves: variables, locals in dependency order, resources expanded by count/for_each with
// their evaluated config, and child module calls. It is the evaluator's host for names.
import { createHash, createHmac, randomBytes } from "node:crypto";
import type { Attribute, Block, Body, Expression, ScopeTraversalExpr } from "../hcl/index.js";
import { fromPointer, toPointer } from "../../model/pointer.js";
import type { FileListing } from "../source.js";
import {
  isUnknown,
  unknown,
  type LoadError,
  type Resource,
  type SourceLocation,
  type UnknownValue,
  type Value,
} from "../../model/types.js";
import {
  entriesOf,
  markOpen,
  setOrigin,
  type Bound,
  sourceText,
  type EvaluationHost,
  type ExpressionEvaluator,
  type MissingFile,
  type Resolution,
  type Scope,
} from "./evaluate.js";
import { collectLocations } from "./locations.js";
import {
  attributeOf,
  isLocalSource,
  joinPath,
  jsonArgumentBlocks,
  jsonDynamicBlocks,
  jsonDynamicNames,
  leavesTop,
  literalString,
  type Declared,
  type ModuleCall,
  type ModuleDefinition,
  type ParsedFile,
  type ResourceDeclaration,
} from "./modules.js";
import {
  at,
  attributeOrigin,
  originAtPath,
  originTree,
  passThrough,
  relocate,
  toSourceLocation,
  unknownForEachAlong,
  type Evaluated,
  type Hop,
  type Origin,
} from "./origin.js";
import { holdsAnything, listedAbsent, listFileset, type FilesetResult } from "./fileset.js";
import { writtenIn } from "./overrides.js";
import {
  importRefused,
  refusingImportsInCalledModules,
  type ImportDeclaration,
  type MoveDeclaration,
} from "./moved.js";
import { resourceMeta } from "./meta.js";
import {
  providerBlocks,
  providerReference,
  providersMap,
  tagsAll,
  withoutSecrets,
  type ProviderBlock,
} from "./provider-config.js";
import { isRest, mapRest, partialMap, settlePartial } from "./partial.js";
import { renderPolicyDocument, type DocumentLink } from "./policy-document.js";
import type { RootProviders } from "./providers.js";
import { collectionType, convertToType } from "./types.js";
import { retyped, typeText, withCollectionType } from "./collection-types.js";
import { defaultsRead, overriddenCondition, type OverridableDefault } from "./defaults.js";
import {
  EvaluationError,
  isObject,
  toNumberValue,
  toSetValue,
  type ValueObject,
} from "./values.js";

/** Shared by every instance of one load: the evaluator, the sinks and the limits. */
export interface LoadContext {
  evaluator: ExpressionEvaluator;
  modules: Map<string, ModuleDefinition>;
  files: Map<string, { path: string; text: string }>;
  report(error: LoadError): void;
  /**
   * The strings held by variables declared `sensitive` (4 characters or more), which the load
   * writes as `(sensitive value)` wherever an error message would quote one (`loadTerraform`).
   */
  sensitiveTexts: Set<string>;
  emit(resource: Resource): void;
  recordModuleCall(call: ModuleCallRecord): void;
  /** The `moved` blocks of each module, by directory, relative to the module (moved.ts). */
  declaredMoves: ReadonlyMap<string, MoveDeclaration[]>;
  /** A `moved` block made absolute for one instance of its module. */
  emitMove(move: MoveDeclaration): void;
  /** The `import` blocks Terraform would accept of each module, by directory, relative to it. */
  declaredImports: ReadonlyMap<string, ImportDeclaration[]>;
  /** An `import` block made absolute for one instance of its module. */
  emitImport(block: ImportDeclaration): void;
  /** Instances created so far; creation stops at MAX_MODULE_INSTANCES. */
  instanceCount: number;
  /** Locals, variables, outputs and resources being resolved inside one another right now. */
  resolutionDepth: number;
  /** The providers of the root module being loaded and their versions that may be in force. */
  providers?: RootProviders;
  /** The names the fetch stage listed, which `fileset()` enumerates; undefined when it listed none. */
  listing?: FileListing;
  /** The value of `terraform.workspace` in the world being evaluated (workspaces.ts); unknown without. */
  workspace?: string;
  /** The root module's variables taking a default a deployment may override (defaults.ts). */
  overridableDefaults?: readonly OverridableDefault[];
  /** The paths of the files `file()`, `templatefile()` and the like read, when the root wants them. */
  read?: Set<string>;
  /** Each listing `fileset()` gave (its folder, pattern and files, `listingEntry`), when the root wants them. */
  listed?: Set<string>;
}

/** A module call as written, local or remote (remote sources are recorded, never fetched). */
export interface ModuleCallRecord {
  /** `module.net`, `module.a.module.b`. */
  address: string;
  source: string;
  /** The directory a local source resolved to; undefined for remote sources. */
  directory: string | undefined;
  file: string;
  line: number;
  column: number;
}

/** The AWS provider's source address, whose resources get `tags_all`. */
const AWS_PROVIDER = "hashicorp/aws";

export const MAX_MODULE_DEPTH = 32;
export const MAX_MODULE_INSTANCES = 5_000;
/** Chains of references (local to local, resource to resource) deeper than this are unknown, not a stack overflow. */
export const MAX_RESOLUTION_DEPTH = 200;

/** Meta-arguments and blocks Terraform interprets itself; they stay out of `config`. */
const RESOURCE_META = new Set([
  "count",
  "for_each",
  "provider",
  "depends_on",
  "lifecycle",
  "provisioner",
  "connection",
]);
const MODULE_META = new Set(["source", "version", "count", "for_each", "providers", "depends_on"]);

interface Memo {
  state: "evaluating" | "done";
  result: Evaluated;
  references: Set<string>;
  /** Of a variable or local: where the variables and locals its value was computed from are written. */
  reads?: SourceLocation[];
  /** Of a variable or local: whether its evaluation read something a workspace may change (`worldReads`). */
  world?: boolean;
}

/** A module call's argument, evaluated in the caller for the variable it binds. */
interface BoundInput {
  result: Evaluated;
  references: Set<string>;
  /** Where the root defaults a deployment may override that the argument read are written. */
  defaultReads: SourceLocation[];
}

interface InstanceKey {
  /** `[0]`, `["a"]`, or "" for a single instance. */
  suffix: string;
  iteration: Map<string, Evaluated>;
  /** Meta-arguments that could not be known (count/for_each), kept visible in config. */
  unknownMeta: ValueObject;
  /** What decided this instance: `Resource.readFrom` of its count or for_each. */
  readFrom: { [by: string]: SourceLocation[] };
  /** The instance standing for what a partial for_each's unknown part adds: `Resource.unknownPart`. */
  unknownPart?: string;
  /**
   * The condition under which the instance standing for a block that root variables' defaults
   * make empty exists (`not var.env is "dev"`, defaults.ts).
   */
  overridden?: string;
}

interface Expansion {
  kind: "single" | "count" | "for_each" | "unknown";
  keys: { key: string | number; instance: InstanceKey }[];
  /**
   * A resource's `for_each` over a partial collection (./partial.ts): the one instance, without a
   * key, standing for those its unknown part may make, beside the known `keys`.
   */
  others?: InstanceKey;
}

/** `[0]` or `["key"]` as Terraform writes instance keys in addresses. */
export function keySuffix(key: string | number): string {
  return typeof key === "number" ? `[${key}]` : `[${JSON.stringify(key)}]`;
}

export class ModuleInstance implements EvaluationHost {
  private readonly variables = new Map<string, Memo>();
  /** The unknown values standing for variables nothing gives a value, told apart by identity. */
  private readonly unsetValues = new WeakSet<object>();
  private readonly locals = new Map<string, Memo>();
  private readonly outputs = new Map<string, Memo>();
  private readonly expansions = new Map<string, Expansion>();
  private readonly resourceInstances = new Map<string, Memo>();
  /** `Resource.readFrom` of each resource instance evaluated, by instance key. */
  private readonly instanceReads = new Map<string, { [by: string]: SourceLocation[] }>();
  private readonly children = new Map<
    string,
    {
      kind: Expansion["kind"];
      instances: { key: string | number | undefined; instance: ModuleInstance }[];
    }
  >();
  private readonly collectors: Set<string>[] = [];
  /** This module's `provider` blocks by key (`aws`, `aws.west`), found once. */
  private ownProviderBlocks: Map<string, ProviderBlock> | undefined;
  /** The entry of each of this instance's provider blocks, evaluated once. */
  private readonly providerEntries = new Map<string, Resource>();
  /** Where the variables and locals read by the expressions being evaluated are written, by place. */
  private readonly readers: Map<string, SourceLocation>[] = [];
  private readonly localStack: string[] = [];
  /**
   * Reads so far of what may differ from one workspace world to another: `terraform.*`, a
   * resource, data source, module output or iteration variable, or a variable or local computed
   * from one. A local during whose evaluation it did not grow is the same in every world.
   */
  private worldReads = 0;

  constructor(
    private readonly context: LoadContext,
    readonly definition: ModuleDefinition,
    /** `""` at a root, else `module.a`, `module.a[0].module.b`. */
    readonly path: string,
    /** Input expressions bound by the calling module block, evaluated lazily in the caller's scope. */
    private readonly inputs: Map<string, () => BoundInput>,
    /** Variable values for a root module from tfvars files and options. */
    private readonly rootValues: Map<string, Evaluated>,
    private readonly depth: number,
    private readonly ancestry: readonly string[],
    /**
     * What decides this instance of a module: the `Resource.readFrom` of the count or for_each of
     * the call that made it, then of the calls enclosing that one, keyed by call
     * (`module.logs.count`). Every resource instance in it takes them.
     */
    private readonly createdBy: { [by: string]: SourceLocation[] } = {},
    /**
     * The instance calling this one and the call's `providers` map (child name to the caller's),
     * undefined when the call has none: the child then inherits the caller's default configurations.
     * With the call as written, its address without a key, and how it expands, which tell how
     * the call decides this instance's expansions (`expansionAsWritten`).
     */
    private readonly caller?: {
      instance: ModuleInstance;
      providers: Map<string, string> | undefined;
      call: ModuleCall;
      callPath: string;
      kind: Expansion["kind"];
      /** `InstanceKey.overridden` of the call's instance: its resources exist only then. */
      overridden?: string;
    },
  ) {}

  qualify(address: string): string {
    return this.path === "" ? address : `${this.path}.${address}`;
  }

  report(error: LoadError): void {
    this.context.report(error);
  }

  /**
   * A file named in `file()`/`templatefile()`: relative to this module, else to the root module
   * (Terraform's working directory), else to the repository root, which is where
   * `"${path.module}/x.json"` lands because `path.module` is repository-relative here.
   */
  readFile(path: string): { path: string; text: string } | undefined {
    const bases = [this.definition.directory, this.ancestry[0] ?? this.definition.directory, ""];
    for (const base of bases) {
      const file = this.context.files.get(joinPath(base, path));
      if (file) {
        this.context.read?.add(file.path);
        return file;
      }
    }
    return undefined;
  }

  /** Why `readFile` found no file at `path`: every place it looked leaves the files read, or where it looked first. */
  missingFile(path: string): MissingFile {
    const bases = [this.definition.directory, this.ancestry[0] ?? this.definition.directory, ""];
    if (path.startsWith("/") || bases.every((base) => leavesTop(joinPath(base, path))))
      return { outside: true };
    return { outside: false, directory: this.definition.directory, root: this.depth === 0 };
  }

  listedAbsent(written: string): boolean | undefined {
    return listedAbsent(this.context.listing, written);
  }

  /**
   * `fileset()` of `path`: a repository path when written from `path.module`/`path.root`, else
   * Terraform's own reading, relative to the root module. A path from elsewhere (a variable, a
   * local) may be either: the one of the two folders that holds files decides, and when both do
   * the result is not known.
   */
  fileset(path: string, pattern: string, written: "repository" | "root" | "either"): FilesetResult {
    if (path.startsWith("/")) return { unknown: "its path is absolute" };
    const root = this.ancestry[0] ?? this.definition.directory;
    const fromRoot = joinPath(root, path);
    const fromTop = joinPath("", path);
    const folders =
      written === "repository" ? [fromTop] : written === "root" ? [fromRoot] : [fromRoot, fromTop];
    const results = [...new Set(folders)].map((folder) =>
      listFileset(this.context.listing, folder, pattern),
    );
    const [first, second] = results as [FilesetResult, FilesetResult | undefined];
    const listed = (result: FilesetResult, folder: string | undefined): FilesetResult => {
      if ("files" in result)
        this.context.listed?.add(JSON.stringify([folder, pattern, ...result.files]));
      return result;
    };
    if (second === undefined || "unknown" in first) return listed(first, folders[0]);
    if ("unknown" in second) return second;
    const existing = folders.filter((folder) => holdsAnything(this.context.listing, folder));
    if (existing.length === 2)
      return {
        unknown: `its path ${JSON.stringify(path)} may be read from the root module or from the repository's top, and both folders exist`,
      };
    return existing[0] === folders[1] ? listed(second, folders[1]) : listed(first, folders[0]);
  }

  repositoryFile(path: string): { path: string; text: string } | undefined {
    return this.context.files.get(path);
  }

  scope(file: ParsedFile, iteration: ReadonlyMap<string, Evaluated> = new Map()): Scope {
    return { file: file.path, text: file.text, iteration, host: this };
  }

  /**
   * Takes from `record`, the same root module evaluated with the workspace unknown, every local
   * that read nothing a workspace may change: each world evaluates only what can differ in it,
   * so data a root decodes and reshapes once is not decoded and reshaped again per workspace.
   */
  reuseLocals(record: ModuleInstance): void {
    for (const [name, memo] of record.locals)
      if (memo.state === "done" && memo.world === false) this.locals.set(name, memo);
  }

  /** Evaluates every resource, local, output and child module of this instance, emitting resources. */
  load(): void {
    for (const name of this.definition.locals.keys()) this.local(name);
    for (const name of this.definition.variables.keys()) this.variable(name);
    for (const key of this.providerBlocks().keys()) {
      const entry = this.providerEntry(key);
      if (entry) this.context.emit(entry);
    }
    for (const declaration of this.definition.resources) {
      const expansion = this.expand(declaration);
      for (const { instance } of expansion.keys) this.emitResource(declaration, instance);
      if (expansion.others) this.emitResource(declaration, expansion.others);
      this.impliedMove(declaration, expansion.kind);
    }
    for (const name of this.definition.outputs.keys()) this.output(name);
    // A module's moves apply to each of its instances, wherever it is called.
    for (const move of this.context.declaredMoves.get(this.definition.directory) ?? []) {
      if (this.movesOntoOthers(move)) continue;
      this.context.emitMove({ ...move, from: this.qualify(move.from), to: this.qualify(move.to) });
    }
    this.emitImports();
    for (const [name, call] of this.definition.calls) {
      if (call.source !== undefined && !isLocalSource(call.source)) this.emitModuleCall(call);
      for (const child of this.childInstances(name)) child.instance.load();
    }
  }

  /**
   * This instance's `import` blocks, absolute: a called module's adopt in each of its instances
   * (Terraform 1.16 and later; `module.app["a"].aws_s3_bucket.b`), and in every instance an
   * unknown `count` or `for_each` stands for, whose resources are written without a key too. A
   * `required_version` of the root or a module down to this one that allows only earlier
   * releases leaves them out, with a warning.
   */
  private emitImports(): void {
    const blocks = this.context.declaredImports.get(this.definition.directory) ?? [];
    if (blocks.length === 0) return;
    if (this.path !== "") {
      const refusing = refusingImportsInCalledModules(
        [...this.ancestry, this.definition.directory].flatMap(
          (directory) => this.context.modules.get(directory) ?? [],
        ),
      );
      if (refusing) {
        for (const block of blocks) importRefused(block, refusing, this.context.report);
        return;
      }
    }
    for (const block of blocks)
      this.context.emitImport({ ...block, address: this.qualify(block.address) });
  }

  /**
   * Whether `move` takes an instance to the address without a key of a resource whose `for_each`
   * is a partial collection: that address is the one instance standing for what the unknown part
   * may make, no instance Terraform has, so a keyed instance's findings must not become its. The
   * move is reported and left out.
   */
  private movesOntoOthers(move: MoveDeclaration): boolean {
    if (move.whole || move.implied) return false;
    const declaration = this.definition.resources.find(({ key }) => key === move.to);
    if (!declaration || !this.expand(declaration).others) return false;
    this.report({
      file: move.file,
      line: move.line,
      column: move.column,
      message: `moved block from ${move.from} to ${move.to}: ${move.to} uses for_each, so its instances have keys; it is left out`,
      code: "terraform-moved",
      level: "warning",
    });
    return true;
  }

  private collect<T>(run: () => T): { result: T; references: Set<string> } {
    const references = new Set<string>();
    this.collectors.push(references);
    try {
      return { result: run(), references };
    } finally {
      this.collectors.pop();
    }
  }

  private addReferences(references: Iterable<string>): void {
    const current = this.collectors[this.collectors.length - 1];
    if (current) for (const reference of references) current.add(reference);
  }

  refer(addresses: Iterable<string>): void {
    this.addReferences(addresses);
  }

  /** Runs `run`, returning also where the variables and locals it read are written. */
  private collectReads<T>(run: () => T): { result: T; reads: SourceLocation[] } {
    const reads = new Map<string, SourceLocation>();
    this.readers.push(reads);
    try {
      return { result: run(), reads: [...reads.values()] };
    } finally {
      this.readers.pop();
    }
  }

  /**
   * Runs `run`, returning also where the variables and locals it read are written; they count as
   * read by the expression being evaluated too (a conditional's condition).
   */
  readsDuring<T>(run: () => T): { result: T; reads: SourceLocation[] } {
    const collected = this.collectReads(run);
    this.addReads(collected.reads);
    return collected;
  }

  private addReads(reads: Iterable<SourceLocation>): void {
    const current = this.readers[this.readers.length - 1];
    if (!current) return;
    for (const read of reads) current.set(`${read.file}:${read.line}:${read.column}`, read);
  }

  private evaluateIn(
    expr: Expression,
    file: ParsedFile,
    iteration?: ReadonlyMap<string, Evaluated>,
  ): Evaluated {
    return this.context.evaluator.evaluateReported(
      expr,
      this.scope(writtenIn(expr, file), iteration),
    );
  }

  // ---- names -------------------------------------------------------------------------------

  declaredType(traversal: ScopeTraversalExpr): string | undefined {
    const [step, ...rest] = traversal.steps;
    if (traversal.root !== "var" || step?.kind !== "TraverseAttr" || rest.length > 0)
      return undefined;
    const declared = this.definition.variables.get(step.name);
    const type = declared && attributeOf(declared.node.body, "type");
    return type ? typeText(type.expr) : undefined;
  }

  resolve(traversal: ScopeTraversalExpr, scope: Scope): Resolution | undefined {
    const [first, second, third] = traversal.steps;
    const attribute = (step: typeof first): string | undefined =>
      step?.kind === "TraverseAttr" ? step.name : undefined;
    const here = at(scope.file, traversal);
    if (traversal.root !== "var" && traversal.root !== "local" && traversal.root !== "path")
      this.worldReads++;
    switch (traversal.root) {
      case "var": {
        const name = attribute(first);
        if (name === undefined || !this.definition.variables.has(name))
          return this.undeclared("input variable", traversal, scope);
        const result = this.variable(name);
        // A variable nothing gives a value is unknown wherever it is read: point at the reading,
        // which the diff may touch, not at the declaration.
        if (isUnknown(result.value) && this.unsetValues.has(result.value))
          return { result: { value: result.value, origin: here }, consumed: 1 };
        this.addReads([toSourceLocation(result.origin)]);
        return { result, consumed: 1 };
      }
      case "local": {
        const name = attribute(first);
        if (name === undefined || !this.definition.locals.has(name))
          return this.undeclared("local value", traversal, scope);
        const result = this.local(name);
        // Where the value is written, and the local's own line: `enabled = var.b` instead of
        // `var.a` changes what is read there, though the value is written at var.b's default.
        const { file, node } = this.definition.locals.get(name) as Declared<Attribute>;
        const declaration = { file: file.path, line: node.line, column: node.column };
        this.addReads([
          toSourceLocation(result.origin),
          { ...declaration, endLine: node.line, endColumn: node.column + name.length },
        ]);
        return {
          result: passThrough(result, `local.${name}`, { file: file.path, range: node }),
          consumed: 1,
        };
      }
      case "path": {
        const name = attribute(first);
        const root = this.ancestry[0] ?? this.definition.directory;
        const value =
          name === "module"
            ? this.definition.directory || "."
            : name === "root" || name === "cwd"
              ? root || "."
              : undefined;
        if (value === undefined)
          throw new EvaluationError(
            `unknown path attribute ${sourceText(traversal, scope)}`,
            "terraform-undeclared-reference",
          );
        return { result: { value, origin: here }, consumed: 1 };
      }
      case "terraform":
        if (this.context.workspace !== undefined && attribute(first) === "workspace")
          return { result: { value: this.context.workspace, origin: here }, consumed: 1 };
        return {
          result: { value: unknown(sourceText(traversal, scope)), origin: here },
          consumed: traversal.steps.length,
        };
      case "self":
      case "count":
      case "each":
        return {
          result: { value: unknown(sourceText(traversal, scope)), origin: here },
          consumed: traversal.steps.length,
        };
      case "ephemeral": {
        const type = attribute(first);
        const name = attribute(second);
        if (!type || !name || !this.definition.ephemeral.has(`${type}.${name}`))
          return this.undeclared("ephemeral resource", traversal, scope);
        return {
          result: { value: unknown(sourceText(traversal, scope)), origin: here },
          consumed: traversal.steps.length,
        };
      }
      case "module": {
        const name = attribute(first);
        if (name === undefined || !this.definition.calls.has(name))
          return this.undeclared("module call", traversal, scope);
        return this.moduleReference(name, second, third, traversal, scope);
      }
      case "data": {
        const type = attribute(first);
        const name = attribute(second);
        const declaration =
          type && name ? this.definition.resourcesByKey.get(`data.${type}.${name}`) : undefined;
        if (!declaration) return this.undeclared(`data source`, traversal, scope);
        return this.resourceReference(declaration, traversal, scope, 2);
      }
      default: {
        const name = attribute(first);
        const declaration = name
          ? this.definition.resourcesByKey.get(`${traversal.root}.${name}`)
          : undefined;
        if (!declaration)
          return name && traversal.root.includes("_")
            ? this.undeclared("resource", traversal, scope)
            : undefined;
        return this.resourceReference(declaration, traversal, scope, 1);
      }
    }
  }

  /**
   * A resource or data source named by the traversal's first `named` steps: the instance an index
   * after them selects, else the whole resource. An attribute read from an instance passes through
   * where the instance sets it (`Origin.instance`), however it is read.
   */
  private resourceReference(
    declaration: ResourceDeclaration,
    traversal: ScopeTraversalExpr,
    scope: Scope,
    named: number,
  ): Resolution {
    const index = traversal.steps[named];
    const instance =
      index?.kind === "TraverseIndex"
        ? this.resolveInstance({ ...traversal, steps: traversal.steps.slice(0, named) }, index.key)
        : undefined;
    return instance
      ? { result: instance, consumed: named + 1 }
      : { result: this.resourceValue(declaration, traversal, scope), consumed: named };
  }

  /** Runs one resolution inside others, bounded so a long chain of references is unknown rather than a crash. */
  private nested(
    name: string,
    declared: {
      node: { line: number; column: number } & Parameters<typeof at>[1];
      file: ParsedFile;
    },
    compute: () => Evaluated,
  ): Evaluated {
    if (this.context.resolutionDepth >= MAX_RESOLUTION_DEPTH) {
      this.reportAt(
        declared.file,
        declared.node,
        `references nest deeper than ${MAX_RESOLUTION_DEPTH} levels at ${name}; it is treated as unknown`,
        "terraform-limit",
      );
      return { value: unknown(name), origin: at(declared.file.path, declared.node) };
    }
    this.context.resolutionDepth++;
    try {
      return compute();
    } finally {
      this.context.resolutionDepth--;
    }
  }

  /**
   * A name this module does not declare: unknown where it is written (so one bad reference does
   * not hide the rest of a policy document), and a located warning, not an error. Why: a snippet,
   * a partial snapshot or a repository mid-refactor still loads; failing the gate closed on it
   * would block every such PR, while the unknown value lets policies say "cannot tell".
   */
  private undeclared(kind: string, traversal: ScopeTraversalExpr, scope: Scope): Resolution {
    const text = sourceText(traversal, scope);
    this.report({
      file: scope.file,
      line: traversal.line,
      column: traversal.column,
      message: `reference to an undeclared ${kind}: ${text}; its value is unknown`,
      code: "terraform-undeclared-reference",
      level: "warning",
    });
    return {
      result: { value: unknown(text), origin: at(scope.file, traversal) },
      consumed: traversal.steps.length,
    };
  }

  /**
   * Whether variable `name` is declared `sensitive = true`: its value is then never written in a
   * report (Terraform shows it as `(sensitive value)`). Anything but a literal `false` counts.
   */
  private isSensitive(name: string): boolean {
    const declared = this.definition.variables.get(name);
    const attribute = declared && attributeOf(declared.node.body, "sensitive");
    if (!declared || !attribute) return false;
    return attribute.expr.kind !== "Literal" || attribute.expr.value !== false;
  }

  variable(name: string): Evaluated {
    const memo = this.variables.get(name);
    if (memo) {
      if (memo.world !== false) this.worldReads++;
      this.addReferences(memo.references);
      this.addReads(memo.reads ?? []);
      return memo.result;
    }
    const declared = this.definition.variables.get(name) as Declared<Block>;
    const worldReads = this.worldReads;
    const { result: computed, reads } = this.collectReads(() =>
      this.collect(() =>
        this.nested(`var.${name}`, declared, () => this.computeVariable(name, declared)),
      ),
    );
    this.variables.set(name, {
      state: "done",
      result: computed.result,
      references: computed.references,
      reads,
      world: this.worldReads !== worldReads,
    });
    this.addReferences(computed.references);
    this.addReads(reads);
    if (this.isSensitive(name)) collectTexts(computed.result.value, this.context.sensitiveTexts);
    return computed.result;
  }

  private computeVariable(name: string, declared: Declared<Block>): Evaluated {
    const typeAttribute = attributeOf(declared.node.body, "type");
    const raw = this.rawVariable(name, declared);
    if (!typeAttribute) return raw;
    if (isUnknown(raw.value)) {
      // Unknown, it still has its type: `var.rules != []` is true for a list whatever it holds.
      const type = collectionType(typeAttribute.expr);
      if (!type) return raw;
      const value = this.unsetValues.has(raw.value)
        ? withCollectionType(raw.value, type)
        : retyped(raw.value, type);
      return { ...raw, value };
    }
    const constant = (expr: Expression): Evaluated => this.evaluateIn(expr, declared.file);
    try {
      return convertToType(typeAttribute.expr, raw, constant, `var.${name}`);
    } catch (error) {
      // A value the type cannot hold (`list(any)` of numbers and bools): located where written.
      if (!(error instanceof EvaluationError)) throw error;
      const { file, range } = raw.origin;
      this.report({
        file,
        line: range.line,
        column: range.column,
        message: `var.${name}: ${error.message}`,
        code: error.code,
        ...(error.failsPlan && { failsPlan: true }),
      });
      return { value: unknown(`var.${name}`), origin: raw.origin };
    }
  }

  private rawVariable(name: string, declared: Declared<Block>): Evaluated {
    const defaultAttribute = attributeOf(declared.node.body, "default");
    const fallback = (): Evaluated => {
      if (defaultAttribute) return this.evaluateIn(defaultAttribute.expr, declared.file);
      const value = unknown(`var.${name}`);
      this.unsetValues.add(value);
      return { value, origin: at(declared.file.path, declared.node) };
    };
    const input = this.inputs.get(name);
    if (input) {
      const bound = input();
      this.addReferences(bound.references);
      this.addReads(bound.defaultReads);
      const nullableAttribute = attributeOf(declared.node.body, "nullable");
      const nullable = !(
        nullableAttribute?.expr.kind === "Literal" && nullableAttribute.expr.value === false
      );
      if (bound.result.value === null && !nullable) return fallback();
      return bound.result;
    }
    return this.rootValues.get(name) ?? fallback();
  }

  local(name: string): Evaluated {
    const declared = this.definition.locals.get(name) as Declared<Attribute>;
    const memo = this.locals.get(name);
    if (memo?.state === "evaluating") {
      const cycle = [...this.localStack.slice(this.localStack.indexOf(name)), name]
        .map((n) => `local.${n}`)
        .join(" -> ");
      this.report({
        file: declared.file.path,
        line: declared.node.line,
        column: declared.node.column,
        message: `local values refer to each other in a cycle: ${cycle}; they are treated as unknown`,
        code: "terraform-cycle",
      });
      this.worldReads++;
      return { value: unknown(`local.${name}`), origin: at(declared.file.path, declared.node) };
    }
    if (memo) {
      if (memo.world !== false) this.worldReads++;
      this.addReferences(memo.references);
      this.addReads(memo.reads ?? []);
      return memo.result;
    }
    const pending: Memo = {
      state: "evaluating",
      result: { value: unknown(`local.${name}`), origin: at(declared.file.path, declared.node) },
      references: new Set(),
    };
    this.locals.set(name, pending);
    this.localStack.push(name);
    const worldReads = this.worldReads;
    try {
      const { result: computed, reads } = this.collectReads(() =>
        this.collect(() =>
          this.nested(`local.${name}`, declared, () =>
            this.evaluateIn(declared.node.expr, declared.file),
          ),
        ),
      );
      this.locals.set(name, {
        state: "done",
        result: computed.result,
        references: computed.references,
        reads,
        world: this.worldReads !== worldReads,
      });
      this.addReferences(computed.references);
      this.addReads(reads);
      return computed.result;
    } finally {
      this.localStack.pop();
    }
  }

  output(name: string): Evaluated {
    const memo = this.outputs.get(name);
    if (memo) {
      this.addReferences(memo.references);
      return memo.result;
    }
    const declared = this.definition.outputs.get(name);
    if (!declared)
      throw new EvaluationError(
        `module ${this.path} has no output "${name}"`,
        "terraform-missing-attribute",
      );
    const valueAttribute = attributeOf(declared.node.body, "value");
    this.outputs.set(name, {
      state: "evaluating",
      result: {
        value: unknown(`${this.path}.${name}`),
        origin: at(declared.file.path, declared.node),
      },
      references: new Set(),
    });
    const computed = this.collect(() =>
      this.nested(`${this.path}.${name}`, declared, () =>
        valueAttribute
          ? this.evaluateIn(valueAttribute.expr, declared.file)
          : {
              value: unknown(`${this.path}.${name}`),
              origin: at(declared.file.path, declared.node),
            },
      ),
    );
    this.outputs.set(name, {
      state: "done",
      result: computed.result,
      references: computed.references,
    });
    this.addReferences(computed.references);
    return computed.result;
  }

  // ---- resources ---------------------------------------------------------------------------

  /**
   * Instance keys of a resource or module block from its count / for_each. A for_each over a
   * partial collection makes its known instances and `others` when `othersAllowed` (resources);
   * for a module call it is unknown, as its outputs are read as one collection of instances.
   */
  private expandBlock(
    body: Body,
    file: ParsedFile,
    iteration: ReadonlyMap<string, Evaluated> = new Map(),
    othersAllowed = false,
  ): Expansion {
    const count = attributeOf(body, "count");
    const forEach = attributeOf(body, "for_each");
    const single = (unknownMeta: ValueObject = {}): InstanceKey => ({
      suffix: "",
      iteration: new Map(iteration),
      unknownMeta,
      readFrom: {},
    });
    if (count) {
      const { result: evaluated, reads } = this.evaluateMeta(count.expr, file, iteration);
      const value = evaluated.value;
      if (isUnknown(value))
        return { kind: "unknown", keys: [{ key: "", instance: single({ count: value }) }] };
      let total: number;
      try {
        total = toNumberValue(value, "count") as number;
      } catch (error) {
        this.reportAt(file, count, (error as Error).message, "terraform-type");
        return {
          kind: "unknown",
          keys: [
            {
              key: "",
              instance: single({ count: unknown(sourceText(count.expr, { text: file.text })) }),
            },
          ],
        };
      }
      if (total === 0) {
        const overridden = this.overriddenEmpty(reads, count, file, "count", iteration);
        if (overridden) return overridden;
      }
      const keys = [];
      for (let index = 0; index < Math.min(total, 10_000); index++) {
        const scoped = new Map(iteration);
        scoped.set("count", { value: { index }, origin: at(file.path, count) });
        keys.push({
          key: index,
          instance: {
            suffix: keySuffix(index),
            iteration: scoped,
            unknownMeta: {},
            // What the count read, then the count itself: a literal `count = 1` -> `2` decides
            // the new instance there.
            readFrom: { count: [...reads, metaArgumentPlace(file.path, count, "count")] },
          },
        });
      }
      if (total > 10_000)
        this.reportAt(
          file,
          count,
          `count ${total} is more than the 10000 instances evaluated`,
          "terraform-limit",
        );
      return { kind: "count", keys };
    }
    if (forEach) {
      const {
        result: evaluated,
        references,
        reads,
      } = this.evaluateMeta(forEach.expr, file, iteration);
      // The one instance standing for every element, or for those the unknown part of a
      // partial collection holds, so `each.value.s3_bucket_id` under `for_each = module.tenant`
      // refers to the call as `module.tenant[each.key]...` does.
      const anyInstance = (meta: UnknownValue): InstanceKey => {
        const scoped = new Map<string, Bound>(iteration);
        scoped.set("each", {
          value: { key: unknown("each.key"), value: unknown("each.value") },
          origin: at(file.path, forEach),
          reads: new Map([["value", [...references]]]),
        });
        return { suffix: "", iteration: scoped, unknownMeta: { for_each: meta }, readFrom: {} };
      };
      const elements = Array.isArray(evaluated.value)
        ? evaluated.value.filter((element) => !isRest(element))
        : undefined;
      const rest =
        mapRest(evaluated.value) ??
        (Array.isArray(evaluated.value) ? evaluated.value.find(isRest) : undefined);
      if (
        isUnknown(evaluated.value) ||
        (rest !== undefined && !othersAllowed) ||
        elements?.some(isUnknown)
      ) {
        const meta = isUnknown(evaluated.value)
          ? evaluated.value
          : unknown(sourceText(forEach.expr, { text: file.text }));
        return { kind: "unknown", keys: [{ key: "", instance: anyInstance(meta) }] };
      }
      const set = elements ? toSetValue(elements) : undefined;
      const collection: Evaluated = set
        ? { value: set, origin: setOrigin(evaluated, set) }
        : evaluated;
      let entries: ReturnType<typeof entriesOf>;
      try {
        entries = entriesOf(collection, "for_each");
      } catch (error) {
        this.reportAt(file, forEach, (error as Error).message, "terraform-type");
        return {
          kind: "unknown",
          keys: [
            {
              key: "",
              instance: single({
                for_each: unknown(sourceText(forEach.expr, { text: file.text })),
              }),
            },
          ],
        };
      }
      if (entries.length === 0 && !rest) {
        const overridden = this.overriddenEmpty(reads, forEach, file, "for_each", iteration);
        if (overridden) return overridden;
      }
      const isSet = Array.isArray(collection.value);
      const firstLine = metaArgumentPlace(file.path, forEach, "for_each");
      const keys = entries.map(({ key, value }) => {
        const name = isSet ? value.value : key.value;
        const keyValue =
          typeof name === "string" || typeof name === "number"
            ? String(name)
            : JSON.stringify(name);
        const scoped = new Map<string, Bound>(iteration);
        // A set's key is its element, so it was written, and read, where the element was; a
        // map's key is only a name given to its element.
        const items = new Map<string, Origin>([
          ["key", isSet ? value.origin : at(key.origin.file, key.origin.range)],
          ["value", value.origin],
        ]);
        // Reading the element refers to the resources it was read from: under
        // `for_each = { a = aws_s3_bucket.a, b = aws_s3_bucket.b }`, `each.value.id` of the
        // instance "a" refers to aws_s3_bucket.a alone, as `aws_s3_bucket.a.id` would.
        scoped.set("each", {
          value: { key: keyValue, value: value.value },
          origin: { ...at(file.path, forEach), items },
          tracesReads: true,
        });
        return {
          key: keyValue,
          instance: {
            suffix: keySuffix(keyValue),
            iteration: scoped,
            unknownMeta: {},
            // The element that makes this instance decides it, not the whole collection; then the
            // for_each's first line (`for_each = local.buckets` -> `local.queues`).
            readFrom: { for_each: distinctPlaces([toSourceLocation(value.origin), firstLine]) },
          },
        };
      });
      return {
        kind: "for_each",
        keys,
        ...(rest
          ? {
              others: {
                ...anyInstance(unknown((rest as UnknownValue).$unknown)),
                unknownPart: (rest as UnknownValue).$unknown,
              },
            }
          : {}),
      };
    }
    return { kind: "single", keys: [{ key: "", instance: single() }] };
  }

  /**
   * The expansion of a block whose `count` or `for_each` (`meta`) the defaults of root variables
   * a deployment may override made empty (`reads`: where what it read is written): one instance
   * without a key, as for an unknown count, under the condition that one is overridden
   * (defaults.ts); undefined when no such default decided it. Its values are those the defaults
   * give, as every other block's are.
   */
  private overriddenEmpty(
    reads: readonly SourceLocation[],
    meta: Attribute,
    file: ParsedFile,
    name: "count" | "for_each",
    outer: ReadonlyMap<string, Evaluated>,
  ): Expansion | undefined {
    const read = defaultsRead(this.context.overridableDefaults ?? [], reads);
    if (read.length === 0) return undefined;
    const value = unknown(sourceText(meta.expr, writtenIn(meta.expr, file)));
    const iteration = new Map<string, Evaluated>(outer);
    if (name === "for_each")
      iteration.set("each", {
        value: { key: unknown("each.key"), value: unknown("each.value") },
        origin: at(file.path, meta),
      });
    return {
      kind: "unknown",
      keys: [
        {
          key: "",
          instance: {
            suffix: "",
            iteration,
            unknownMeta: { [name]: value },
            readFrom: { [name]: [...reads, metaArgumentPlace(file.path, meta, name)] },
            overridden: overriddenCondition(read),
          },
        },
      ],
    };
  }

  /**
   * A `count` or `for_each` expression, evaluated apart from whatever asked for the expansion
   * first: expansions are memoised, and the first to ask may be another resource, a local or an
   * output reading this block. What the expression reads reaches the block's own instances only,
   * through `each` (see above); never the references or reads of that first reader.
   */
  private evaluateMeta(
    expr: Expression,
    file: ParsedFile,
    iteration: ReadonlyMap<string, Evaluated>,
  ): { result: Evaluated; references: Set<string>; reads: SourceLocation[] } {
    const { result, reads } = this.collectReads(() =>
      this.collect(() => this.evaluateIn(expr, file, iteration)),
    );
    return { ...result, reads };
  }

  private reportAt(
    file: ParsedFile,
    node: { line: number; column: number },
    message: string,
    code: string,
  ): void {
    this.report({ file: file.path, line: node.line, column: node.column, message, code });
  }

  private expand(declaration: ResourceDeclaration): Expansion {
    let expansion = this.expansions.get(declaration.key);
    if (!expansion) {
      expansion = this.expandBlock(declaration.node.body, declaration.file, new Map(), true);
      this.expansions.set(declaration.key, expansion);
    }
    return expansion;
  }

  /**
   * The value a reference to a resource sees: its config per instance, open (unset attributes
   * and blocks are unknown, as the provider computes them), in a list (count) or map (for_each)
   * that is closed, because the instance keys are known exactly.
   */
  private resourceValue(
    declaration: ResourceDeclaration,
    traversal: ScopeTraversalExpr,
    scope: Scope,
  ): Evaluated {
    const current = this.collectors[this.collectors.length - 1];
    const address = this.qualify(declaration.key);
    current?.add(address);
    const expansion = this.expand(declaration);
    const here = at(scope.file, traversal);
    // Each instance's value says which instance it is, so that an element of a collection of
    // them (`for_each = aws_s3_bucket.logs`) still refers to its own instance once read.
    const instance = (key: InstanceKey): Evaluated => {
      const { value, origin } = this.collect(() => this.instanceConfig(declaration, key)).result;
      const instanceAddress = address + key.suffix;
      return { value, origin: { ...origin, refers: [instanceAddress], instance: instanceAddress } };
    };
    switch (expansion.kind) {
      case "unknown":
        return {
          value: unknown(sourceText(traversal, scope)),
          origin: { ...here, refers: [address] },
        };
      case "single":
        return instance((expansion.keys[0] as { instance: InstanceKey }).instance);
      case "count": {
        const results = expansion.keys.map(({ instance: key }) => instance(key));
        return {
          value: results.map((r) => r.value),
          origin: { ...here, items: new Map(results.map((r, i) => [String(i), r.origin])) },
        };
      }
      case "for_each": {
        const value: ValueObject = {};
        const items = new Map<string, Origin>();
        for (const { key, instance: instanceKey } of expansion.keys) {
          const result = instance(instanceKey);
          value[String(key)] = result.value;
          items.set(String(key), result.origin);
        }
        // The instances the unknown part of a partial for_each makes are unknown.
        return {
          value: expansion.others
            ? partialMap(value, unknown(sourceText(traversal, scope)))
            : value,
          origin: { ...here, items },
        };
      }
    }
  }

  /**
   * One instance of a resource whose keys are known, read at its key (`aws_s3_bucket.logs["x"]`,
   * `aws_s3_bucket.logs[each.key]`): it refers to that instance alone, as `each.value` of
   * `for_each = aws_s3_bucket.logs` does.
   */
  resolveInstance(traversal: ScopeTraversalExpr, key: Value): Evaluated | undefined {
    this.worldReads++;
    const [first, second] = traversal.steps;
    const data = traversal.root === "data";
    const name = data ? second : first;
    if (name?.kind !== "TraverseAttr" || traversal.steps.length !== (data ? 2 : 1))
      return undefined;
    if (data && first?.kind !== "TraverseAttr") return undefined;
    const type = data && first?.kind === "TraverseAttr" ? `data.${first.name}` : traversal.root;
    const declaration = this.definition.resourcesByKey.get(`${type}.${name.name}`);
    if (!declaration || (typeof key !== "string" && typeof key !== "number")) return undefined;
    const expansion = this.expand(declaration);
    if (expansion.kind !== "count" && expansion.kind !== "for_each") return undefined;
    const chosen = expansion.keys.find((candidate) => String(candidate.key) === String(key));
    if (!chosen) return undefined;
    const address = this.qualify(declaration.key) + chosen.instance.suffix;
    this.addReferences([address]);
    const { value, origin } = this.collect(() =>
      this.instanceConfig(declaration, chosen.instance),
    ).result;
    return { value, origin: { ...origin, refers: [address], instance: address } };
  }

  /** The evaluated config of one resource instance, memoised; references go to the memo, not the caller. */
  private instanceConfig(declaration: ResourceDeclaration, key: InstanceKey): Evaluated {
    const memoKey = declaration.key + key.suffix;
    const memo = this.resourceInstances.get(memoKey);
    if (memo?.state === "evaluating") {
      this.reportAt(
        declaration.file,
        declaration.node,
        `${this.qualify(memoKey)} refers to itself through other resources; the reference is unknown`,
        "terraform-cycle",
      );
      return {
        value: unknown(this.qualify(memoKey)),
        origin: at(declaration.file.path, declaration.node),
      };
    }
    if (memo) return memo.result;
    const pending: Memo = {
      state: "evaluating",
      result: { value: unknown(memoKey), origin: at(declaration.file.path, declaration.node) },
      references: new Set(),
    };
    this.resourceInstances.set(memoKey, pending);
    const readFrom = { ...key.readFrom };
    const computed = this.collect(() =>
      this.nested(this.qualify(memoKey), declaration, () =>
        this.evaluateBody(
          declaration.node.body,
          declaration.file,
          key.iteration,
          RESOURCE_META,
          readFrom,
        ),
      ),
    );
    this.instanceReads.set(memoKey, readFrom);
    const config = computed.result.value as ValueObject;
    let origin = computed.result.origin;
    for (const [meta, value] of Object.entries(key.unknownMeta)) {
      config[meta] = value;
      const written = attributeOf(declaration.node.body, meta);
      if (written) origin.items?.set(meta, at(declaration.file.path, written));
    }
    if (declaration.mode === "data" && declaration.type === "aws_iam_policy_document")
      origin = this.addPolicyDocument(declaration, config, origin);
    // Terraform's own terraform_data copies `input` to `output` on apply: what reads the output
    // (a rule's CIDR kept in one place) deploys the input.
    if (
      declaration.mode === "managed" &&
      declaration.type === "terraform_data" &&
      "input" in config
    ) {
      config.output = config.input as Value;
      const input = origin.items?.get("input");
      if (input) origin = { ...origin, items: new Map(origin.items).set("output", input) };
    }
    markOpen(config);
    const result = { value: config, origin };
    this.resourceInstances.set(memoKey, { state: "done", result, references: computed.references });
    return result;
  }

  private addPolicyDocument(
    declaration: ResourceDeclaration,
    config: ValueObject,
    origin: Origin,
  ): Origin {
    const rendered = renderPolicyDocument(config);
    const blockOrigin = at(declaration.file.path, declaration.node);
    const repetitions = documentRepetitions(rendered.links, origin);
    const document = originTree(
      blockOrigin,
      rendered.links.map((link) => {
        // A linked block's own record would mark every element linked to it (a statement's
        // `Condition` links to its first block): only the elements worked out above keep one.
        const linked = {
          ...(link.config.length === 0 ? blockOrigin : originAtPath(origin, link.config)),
        };
        delete linked.unknownForEach;
        delete linked.unknownPart;
        const repetition = repetitions.get(toPointer(link.document));
        return {
          path: link.document,
          origin: repetition === undefined ? linked : { ...linked, ...repetition },
        };
      }),
    );
    config.json = rendered.json;
    config.minified_json = rendered.minifiedJson;
    const items = new Map(origin.items);
    items.set("json", { ...blockOrigin, document });
    items.set("minified_json", { ...blockOrigin, document });
    return { ...origin, items };
  }

  /**
   * `Resource.expansionAsWritten` of an instance no value decides how often to create: its own
   * unknown `count` or `for_each`, then each enclosing module call's (`module.sg's count`), each
   * with what it reads as written (`writtenReads`). Undefined when every expansion down to it
   * is known.
   */
  private expansionAsWritten(
    declaration: ResourceDeclaration,
    key: InstanceKey,
  ): Pick<Resource, "expansionAsWritten"> {
    const definitions = new Map<string, Written>();
    const sensitive = new Map<string, string>();
    const meta = ["count", "for_each"].find((name) => isUnknown(key.unknownMeta[name]));
    const own = meta === undefined ? undefined : attributeOf(declaration.node.body, meta);
    let first: ({ meta: string } & Written) | undefined;
    if (meta !== undefined && own !== undefined) {
      const text = sourceText(own.expr, writtenIn(own.expr, declaration.file));
      first = { meta, text, form: writtenForm(own.expr) };
      this.writtenReads(own.expr, definitions, sensitive);
    }
    for (let caller = this.caller; caller !== undefined; caller = caller.instance.caller) {
      const { instance: outer, call, callPath, kind } = caller;
      const callMeta = kind === "unknown" ? unknownCallMeta(call) : undefined;
      if (callMeta !== undefined) {
        const name = `${callPath}'s ${callMeta.name}`;
        const text = sourceText(callMeta.expr, writtenIn(callMeta.expr, call.file));
        const written = { text, form: writtenForm(callMeta.expr) };
        if (first === undefined) first = { meta: name, ...written };
        else if (!definitions.has(name)) definitions.set(name, written);
        outer.writtenReads(callMeta.expr, definitions, sensitive);
      }
    }
    if (first === undefined) return {};
    const where = [...definitions].map(([name, { text }]) => `${name} = ${text}`).join("; ");
    const forms = [...definitions].map(([name, { form }]) => [name, form]);
    return {
      expansionAsWritten: {
        meta: first.meta,
        text: where ? `${first.text} where ${where}` : first.text,
        form: digest(JSON.stringify([first.form, forms])),
        ...(sensitive.size > 0 ? { sensitive: Object.fromEntries(sensitive) } : {}),
      },
    };
  }

  /**
   * `Resource.conditional` of an instance that exists only where a deployment overrides root
   * variables' defaults (`InstanceKey.overridden`, its own and each enclosing call's): under
   * `""`, those conditions, outermost first. Empty when none.
   */
  private overriddenConditional(key: InstanceKey): Pick<Resource, "conditional"> {
    const conditions = key.overridden === undefined ? [] : [key.overridden];
    for (let caller = this.caller; caller !== undefined; caller = caller.instance.caller)
      if (caller.overridden !== undefined) conditions.unshift(caller.overridden);
    if (conditions.length === 0) return {};
    const parenthesised = conditions.map((condition) =>
      conditions.length > 1 && condition.includes(" or ") ? `(${condition})` : condition,
    );
    return { conditional: { "": parenthesised.join(" and ") } };
  }

  /**
   * Adds to `definitions`, each once and in the order first read, what `expr` (written in this
   * instance) reads, as written: each local with its definition (`local.on`, `module.sg's
   * local.on`), each module output with its value (`module.flags's output on`), followed into
   * the module, and each variable a module call binds with the call's argument
   * (`module.sg's enabled argument`), followed into the caller; an argument reading the call's
   * `each` or `count` brings the call's `for_each` or `count`; a variable no call binds
   * (a root's, or one left to its default) brings its value when known (`var.enabled = false`),
   * or, declared `sensitive`, `(sensitive value)` with a digest of the value in `sensitive`, so
   * that the diff tells it changed without a report ever saying it; a resource's or data source's
   * attribute brings the argument as written in its block, with its `count` or `for_each`
   * (`aws_vpc.main's tags`), or the whole block when the attribute is not an argument written
   * there (`aws_vpc.main`, by digest: `id` is what the provider computes; an AWS resource's `id`
   * or `arn` its block but its `tags`, `tags_all` its tags and its provider's `default_tags`); a
   * module call whose module is not read (a registry or git source) brings the call as written
   * (`module.this's call`), its arguments being all that is known of its outputs.
   * At most 50 (chains are rarely longer than a few); each once, so a cycle (reported where
   * evaluated) ends.
   */
  private writtenReads(
    expr: Expression,
    definitions: Map<string, Written>,
    sensitive: Map<string, string>,
  ): void {
    const pending: Array<{ instance: ModuleInstance; expr: Expression | Block }> = [
      { instance: this, expr },
    ];
    const add = (
      instance: ModuleInstance,
      name: string,
      read: Expression | Block,
      file: ParsedFile,
      omitted?: string,
    ) => {
      if (definitions.has(name) || definitions.size >= 50) return;
      // A whole resource block by digest: it may be long and hold secrets (`password = "..."`).
      const text =
        read.kind !== "Block"
          ? sourceText(read, writtenIn(read, file))
          : SHOWN_BLOCKS.has(read.type)
            ? blockAsWritten(read, file)
            : `its block${omitted ? ` but ${omitted}` : ""} as written, sha256 ${digest(blockAsWritten(read, file, omitted))}`;
      definitions.set(name, { text, form: writtenForm(read, omitted) });
      pending.push({ instance, expr: read });
    };
    for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
      const { instance } = next;
      const owner = instance.path === "" ? "" : `${instance.path}'s `;
      for (const { root, name, output, attribute } of namesReadBy(next.expr)) {
        const declaration =
          root === "data"
            ? instance.definition.resourcesByKey.get(`data.${name}.${attribute ?? ""}`)
            : instance.definition.resourcesByKey.get(`${root}.${name}`);
        if (declaration !== undefined) {
          // `aws_vpc.main.tags["env"]`: what the block writes decides the value read.
          const read = root === "data" ? output : attribute;
          const address = `${owner}${declaration.key}`;
          const aws =
            declaration.mode === "managed" &&
            instance.context.providers?.providerOf(
              instance.definition,
              declaration.node,
              declaration.type,
            )?.source === AWS_PROVIDER;
          const items = declaration.node.body.items;
          // The AWS provider's `tags_all`: the block's `tags` and `override_provider` over its
          // provider's `default_tags`, less its `ignore_tags` (`tagsAll`). A `dynamic` block may
          // write any of them: then the whole block.
          const tagsAllRead =
            aws &&
            read === "tags_all" &&
            !items.some((item) => item.kind === "Block" && item.type === "dynamic");
          const argument = attributeOf(declaration.node.body, tagsAllRead ? "tags" : (read ?? ""));
          if (tagsAllRead) {
            for (const item of items)
              if (item.kind === "Block" && item.type === "override_provider")
                add(instance, `${address}'s override_provider`, item, declaration.file);
            const provider = instance.providerOwner(
              providerNameOf(declaration.node, declaration.type),
            );
            if (provider !== undefined) {
              const { owner: held, written } = provider;
              const at = held.qualify(`provider.${written.key}`);
              const tagging = written.block.body.items.filter(
                (item): item is Block => item.kind === "Block" && TAGGING_BLOCKS.has(item.type),
              );
              // A `dynamic` block may write them: then the whole provider block, by digest.
              if (tagging.some((block) => block.type === "dynamic"))
                add(held, at, written.block, written.file);
              else
                for (const block of tagging)
                  add(held, `${at}'s ${block.type}`, block, written.file);
            }
          } else if (argument === undefined || META_ARGUMENTS.has(read ?? "")) {
            // No AWS resource's `id` or `arn` is made of its tags, which never replace it.
            const omitted = aws && (read === "id" || read === "arn") ? "tags" : undefined;
            add(instance, address, declaration.node, declaration.file, omitted);
            continue;
          }
          if (argument !== undefined)
            add(instance, `${address}'s ${argument.name}`, argument.expr, declaration.file);
          for (const meta of ["count", "for_each"]) {
            const expansion = attributeOf(declaration.node.body, meta);
            if (expansion) add(instance, `${address}'s ${meta}`, expansion.expr, declaration.file);
          }
          continue;
        }
        if (root === "local") {
          const declared = instance.definition.locals.get(name);
          if (declared) add(instance, `${owner}local.${name}`, declared.node.expr, declared.file);
          continue;
        }
        if (root === "module") {
          const call = instance.definition.calls.get(name);
          if (call !== undefined && call.directory === undefined) {
            add(instance, `${instance.qualify(`module.${name}`)}'s call`, call.node, call.file);
            continue;
          }
          // `module.flags.on`: the output's value as each instance of the call defines it.
          for (const { instance: child } of instance.children.get(name)?.instances ?? [])
            for (const [outputName, declared] of child.definition.outputs) {
              const value = attributeOf(declared.node.body, "value");
              if (value && (output === "" || output === outputName))
                add(child, `${child.path}'s output ${outputName}`, value.expr, declared.file);
            }
          continue;
        }
        if (root !== "var") continue;
        const caller = instance.caller;
        const argument = caller && attributeOf(caller.call.node.body, name);
        if (caller === undefined || argument === undefined) {
          // Unbound at a call: its value, known from a variable file, an option or its default
          // (`enabled = false` at base, `true` at head, the count unknown only for var.env).
          const value = instance.variables.get(name)?.result.value;
          const key = `${owner}var.${name}`;
          if (
            value !== undefined &&
            !isUnknown(value) &&
            !definitions.has(key) &&
            definitions.size < 50
          )
            if (instance.isSensitive(name)) {
              definitions.set(key, { text: "(sensitive value)", form: "(sensitive value)" });
              sensitive.set(key, sensitiveDigest(value));
            } else definitions.set(key, { text: valueText(value), form: valueText(value) });
          continue;
        }
        add(
          caller.instance,
          `${instance.path}'s ${name} argument`,
          argument.expr,
          caller.call.file,
        );
        // `enabled = each.value.on`: what the call iterates over decides it.
        if (!namesReadBy(argument.expr).some(({ root }) => root === "each" || root === "count"))
          continue;
        for (const meta of ["count", "for_each"]) {
          const iterated = attributeOf(caller.call.node.body, meta);
          if (iterated)
            add(caller.instance, `${caller.callPath}'s ${meta}`, iterated.expr, caller.call.file);
        }
      }
    }
  }

  private emitResource(declaration: ResourceDeclaration, key: InstanceKey): void {
    const memoKey = declaration.key + key.suffix;
    const { value, origin } = this.instanceConfig(declaration, key);
    const references = new Set([
      ...(this.resourceInstances.get(memoKey)?.references ?? []),
      ...this.explicitDependencies(declaration.node.body),
    ]);
    const self = this.qualify(declaration.key);
    const block = declaration.node;
    const config = value as ValueObject;
    const provider = this.context.providers?.providerOf(this.definition, block, declaration.type);
    const providerConfig = this.providerConfigOf(block, declaration.type);
    const { locations, unknownForEach, unknownPartBlocks, readAt, through } = collectLocations(
      config,
      origin,
      {
        file: declaration.file.path,
        line: block.line,
        endLine: block.endLine,
      },
    );
    const reads = this.instanceReads.get(memoKey) ?? {};
    const readFrom = { ...reads, ...this.createdBy };
    // A pointer both a generated block's for_each element and a passed-through place decide.
    for (const [pointer, hops] of Object.entries(unread(through, reads)))
      readFrom[pointer] = [...hops, ...(readFrom[pointer] ?? [])];
    const meta = resourceMeta(
      block.body,
      declaration.file,
      (expr, file) => this.evaluateIn(expr, file, key.iteration).value,
    );
    if (meta) Object.assign(locations, meta.locations);
    const resource: Resource = {
      address: this.qualify(memoKey),
      type: declaration.type,
      name: declaration.name,
      mode: declaration.mode,
      source: "terraform",
      module: this.path,
      ...(provider ? { provider } : {}),
      ...(providerConfig ? { providerConfig: providerConfig.address } : {}),
      file: declaration.file.path,
      line: block.line,
      column: block.column,
      endLine: block.endLine,
      config,
      ...(meta ? { meta: meta.meta } : {}),
      // Nor one of its own instances (`aws_instance.web[count.index - 1]`).
      references: [...references]
        .filter((reference) => reference !== self && !reference.startsWith(`${self}[`))
        .sort(),
      locations,
      ...(Object.keys(unknownForEach).length > 0 ? { unknownForEach } : {}),
      ...(Object.keys(unknownPartBlocks).length > 0 ? { unknownPartBlocks } : {}),
      ...(key.unknownPart !== undefined ? { unknownPart: key.unknownPart } : {}),
      ...(Object.keys(readFrom).length > 0 ? { readFrom } : {}),
      ...(Object.keys(readAt).length > 0 ? { readAt } : {}),
      ...this.expansionAsWritten(declaration, key),
      ...this.overriddenConditional(key),
    };
    const tags =
      declaration.mode === "managed" && provider?.source === AWS_PROVIDER
        ? tagsAll({ resource, providerConfig })
        : undefined;
    if (tags) {
      // A copy: the memoised config is what other blocks read, and the plan's `tags_all` is
      // not something they can see here.
      resource.config = { ...config, tags_all: tags.value };
      Object.assign(locations, tags.locations);
      // Without `tags` of its own, a finding on the whole of tags_all is on the resource's block.
      locations["/tags_all"] ??= toSourceLocation(at(declaration.file.path, block));
      if (Object.keys(tags.readAt).length > 0) resource.readAt = { ...readAt, ...tags.readAt };
    }
    this.context.emit(resource);
  }

  private providerBlocks(): Map<string, ProviderBlock> {
    this.ownProviderBlocks ??= providerBlocks(this.definition);
    return this.ownProviderBlocks;
  }

  /**
   * The entry of one of this instance's `provider` blocks: its arguments evaluated as a
   * resource's, secrets replaced by `REDACTED` without being read.
   */
  private providerEntry(key: string): Resource | undefined {
    const existing = this.providerEntries.get(key);
    if (existing) return existing;
    const written = this.providerBlocks().get(key);
    if (!written) return undefined;
    const { block, file, localName } = written;
    const computed = this.collect(() =>
      this.evaluateBody(withoutSecrets(block.body), file, new Map()),
    );
    const config = computed.result.value as ValueObject;
    const { locations, unknownForEach, unknownPartBlocks, readAt, through } = collectLocations(
      config,
      computed.result.origin,
      { file: file.path, line: block.line, endLine: block.endLine },
    );
    const provider = this.context.providers?.versionsFor(this.definition, localName);
    const entry: Resource = {
      address: this.qualify(`provider.${key}`),
      type: "provider",
      name: localName,
      mode: "provider",
      source: "terraform",
      module: this.path,
      ...(provider ? { provider } : {}),
      file: file.path,
      line: block.line,
      column: block.column,
      endLine: block.endLine,
      config,
      references: [...computed.references].sort(),
      locations,
      ...(Object.keys(unknownForEach).length > 0 ? { unknownForEach } : {}),
      ...(Object.keys(unknownPartBlocks).length > 0 ? { unknownPartBlocks } : {}),
      ...(Object.keys(through).length > 0 ? { readFrom: through } : {}),
      ...(Object.keys(readAt).length > 0 ? { readAt } : {}),
    };
    this.providerEntries.set(key, entry);
    return entry;
  }

  /**
   * The provider configuration a resource block uses: the one its `provider` argument names, else
   * the default one of its type's provider (`aws` for `aws_instance`).
   */
  private providerConfigOf(block: Block, type: string): Resource | undefined {
    const name = providerNameOf(block, type);
    const provider = name ? this.providerOwner(name) : undefined;
    return provider?.owner.providerEntry(provider.written.key);
  }

  /**
   * The `provider` block this instance knows as `name` (`aws`, `aws.west`), with the instance
   * whose it is: its own block, else the caller's configuration its `providers` map passes as
   * that name, else, without a map, the caller's default configuration of the same provider
   * (Terraform's inheritance).
   */
  private providerOwner(
    name: string,
  ): { owner: ModuleInstance; written: ProviderBlock } | undefined {
    const own = this.providerBlocks().get(name);
    if (own || !this.caller) return own && { owner: this, written: own };
    const { instance: parent, providers } = this.caller;
    if (providers) {
      const passed = providers.get(name);
      return passed === undefined ? undefined : parent.providerOwner(passed);
    }
    if (name.includes(".")) return undefined;
    const names = this.context.providers;
    const source = names?.sourceOf(this.definition, name);
    const parentName = (source && names?.localNameOf(parent.definition, source)) ?? name;
    return parent.providerOwner(parentName);
  }

  /**
   * Terraform's own move of a resource whose `count` was added (`r` to `r[0]`) or whose `count`
   * was removed (`r[0]` to `r`); none when the expansion is `for_each`. When it is unknown, the
   * one address `r` stands for every instance, so each (`r[0]`, `r["a"]`) is `r` (`anyInstance`):
   * a count or for_each Tollgate cannot know creates nothing the known instances did not have.
   */
  private impliedMove(declaration: ResourceDeclaration, kind: Expansion["kind"]): void {
    if (declaration.mode !== "managed" || kind === "for_each") return;
    const resource = this.qualify(declaration.key);
    if (kind === "unknown") {
      this.context.emitMove({
        from: resource,
        to: resource,
        whole: false,
        implied: true,
        anyInstance: true,
        file: declaration.file.path,
        line: declaration.node.line,
        column: declaration.node.column,
      });
      return;
    }
    this.context.emitMove({
      from: kind === "count" ? resource : `${resource}[0]`,
      to: kind === "count" ? `${resource}[0]` : resource,
      whole: false,
      implied: true,
      file: declaration.file.path,
      line: declaration.node.line,
      column: declaration.node.column,
    });
  }

  /**
   * A call of a module that is not in the repository (registry, git, archive): each instance
   * (count/for_each as for resources) is emitted with its evaluated arguments as `config`, so
   * policies can judge what the call asks of a module nobody fetches.
   */
  private emitModuleCall(call: ModuleCall): void {
    const body = call.node.body;
    const versionAttribute = attributeOf(body, "version");
    const version = versionAttribute ? literalString(versionAttribute.expr) : undefined;
    const self = this.qualify(`module.${call.name}`);
    const dependencies = this.explicitDependencies(body);
    for (const { instance: key } of this.expandBlock(body, call.file).keys) {
      const computed = this.collect(() =>
        this.nested(self + key.suffix, call, () =>
          this.evaluateBody(body, call.file, key.iteration, MODULE_META),
        ),
      );
      const config = computed.result.value as ValueObject;
      const origin = computed.result.origin;
      for (const [meta, value] of Object.entries(key.unknownMeta)) {
        config[meta] = value;
        const written = attributeOf(body, meta);
        if (written) origin.items?.set(meta, at(call.file.path, written));
      }
      const references = new Set([...computed.references, ...dependencies]);
      // A policy document passed as an argument keeps its statements that may be missing.
      const { locations, unknownForEach, unknownPartBlocks, readAt, through } = collectLocations(
        config,
        origin,
        {
          file: call.file.path,
          line: call.node.line,
          endLine: call.node.endLine,
        },
      );
      // Not arguments, so not in `config`, yet a rule on the call reports them (`path: ["source"]`).
      for (const written of [attributeOf(body, "source"), versionAttribute])
        if (written) locations[`/${written.name}`] = toSourceLocation(at(call.file.path, written));
      const readFrom = { ...this.createdBy, ...through };
      this.context.emit({
        address: self + key.suffix,
        type: "module",
        name: call.name,
        mode: "module",
        source: "terraform",
        module: this.path,
        moduleSource: call.source ?? "",
        ...(version === undefined ? {} : { moduleVersion: version }),
        file: call.file.path,
        line: call.node.line,
        column: call.node.column,
        endLine: call.node.endLine,
        config,
        references: [...references].filter((reference) => reference !== self).sort(),
        locations,
        ...(Object.keys(unknownForEach).length > 0 ? { unknownForEach } : {}),
        ...(Object.keys(unknownPartBlocks).length > 0 ? { unknownPartBlocks } : {}),
        ...(Object.keys(readFrom).length > 0 ? { readFrom } : {}),
        ...(Object.keys(readAt).length > 0 ? { readAt } : {}),
      });
    }
  }

  /** `depends_on = [aws_s3_bucket.logs, module.net]`: references written without being evaluated. */
  private explicitDependencies(body: Body): string[] {
    const dependsOn = attributeOf(body, "depends_on");
    if (dependsOn?.expr.kind !== "Tuple") return [];
    const addresses: string[] = [];
    for (const element of dependsOn.expr.elements) {
      // Native syntax writes a traversal; `.tf.json` writes the same traversal as a string.
      const written =
        element.kind === "ScopeTraversal"
          ? [
              element.root,
              ...element.steps.map((step) => (step.kind === "TraverseAttr" ? step.name : "")),
            ]
          : literalString(element)?.split(".");
      const [root, first, second] = written ?? [];
      if (root === "module" && first) addresses.push(`module.${first}`);
      else if (
        root === "data" &&
        first &&
        second &&
        this.definition.resourcesByKey.has(`data.${first}.${second}`)
      )
        addresses.push(`data.${first}.${second}`);
      else if (root && first && this.definition.resourcesByKey.has(`${root}.${first}`))
        addresses.push(`${root}.${first}`);
    }
    return addresses.map((address) => this.qualify(address));
  }

  /**
   * A block body as config: attributes by name, nested blocks as lists of objects (dynamic
   * blocks expanded), meta-arguments left out.
   */
  evaluateBody(
    body: Body,
    file: ParsedFile,
    iteration: ReadonlyMap<string, Evaluated>,
    meta: ReadonlySet<string> = new Set(),
    readFrom?: { [by: string]: SourceLocation[] },
  ): Evaluated {
    if (readFrom) {
      // Each top-level attribute or block on its own: what its expressions read decides it.
      const reading = (name: string, run: () => void): void => {
        const { reads } = this.collectReads(run);
        if (reads.length > 0) (readFrom[name] ??= []).push(...reads);
      };
      // A block a top-level `dynamic` generates is decided by its own for_each element too.
      const decided = (pointer: string, places: SourceLocation[]): void => {
        (readFrom[pointer] ??= []).push(...places);
      };
      return this.evaluateItems(body, file, iteration, meta, reading, decided);
    }
    return this.evaluateItems(body, file, iteration, meta, (_name, run) => run());
  }

  private evaluateItems(
    body: Body,
    bodyFile: ParsedFile,
    iteration: ReadonlyMap<string, Evaluated>,
    meta: ReadonlySet<string>,
    reading: (name: string, run: () => void) => void,
    decided?: (pointer: string, places: SourceLocation[]) => void,
  ): Evaluated {
    const value: ValueObject = {};
    const items = new Map<string, Origin>();
    const addBlock = (name: string, block: Evaluated, range: Block): number => {
      // `.tf.json` may also write the name as an argument that is no block; the blocks win.
      const written = value[name];
      const list = Array.isArray(written) ? written : (value[name] = []);
      const listOrigin = items.get(name) ?? {
        ...at(writtenIn(range, bodyFile).path, range),
        items: new Map<string, Origin>(),
      };
      listOrigin.items?.set(String(list.length), block.origin);
      items.set(name, listOrigin);
      return list.push(block.value) - 1;
    };
    const decidedBlock =
      decided &&
      ((name: string) => (index: number, places: SourceLocation[]) =>
        decided(`/${name}/${index}`, places));
    const dynamicNames = jsonDynamicNames(body);
    for (const item of body.items) {
      if (meta.has(item.kind === "Attribute" ? item.name : item.type)) continue;
      const file = writtenIn(item, bodyFile);
      if (item.kind === "Attribute" && item.name === "dynamic" && body.syntax === "json") {
        for (const block of jsonDynamicBlocks(item)) {
          const name = block.labels[0]?.value ?? "dynamic";
          reading(name, () =>
            this.expandDynamic(block, file, iteration, addBlock, decidedBlock?.(name)),
          );
        }
        continue;
      }
      const argumentBlocks =
        item.kind === "Attribute" && body.syntax === "json"
          ? jsonArgumentBlocks(item, dynamicNames)
          : undefined;
      if (argumentBlocks) {
        reading(item.kind === "Attribute" ? item.name : item.type, () => {
          for (const block of argumentBlocks) {
            const nested = this.evaluateBody(block.body, file, iteration);
            addBlock(
              block.type,
              { value: nested.value, origin: relocate(nested.origin, file.path, block) },
              block,
            );
          }
        });
        continue;
      }
      if (item.kind === "Attribute") {
        reading(item.name, () => {
          const result = this.evaluateIn(item.expr, file, iteration);
          value[item.name] = settlePartial(result.value);
          items.set(item.name, attributeOrigin(result, file.path, item));
        });
        continue;
      }
      if (item.type === "dynamic") {
        const name = item.labels[0]?.value ?? "dynamic";
        reading(name, () =>
          this.expandDynamic(item, file, iteration, addBlock, decidedBlock?.(name)),
        );
        continue;
      }
      reading(item.type, () => {
        const nested = this.evaluateBody(item.body, file, iteration);
        addBlock(
          item.type,
          { value: nested.value, origin: relocate(nested.origin, file.path, item) },
          item,
        );
      });
    }
    return { value, origin: { ...at(bodyFile.path, body), items } };
  }

  /**
   * The blocks a `dynamic` block generates, each added by `addBlock`. With `decidedBy`, each
   * generated block is decided by the for_each element it comes from and the for_each's first
   * line, and the collection as written (which holds every element) is not read by all of them:
   * a change to a sibling entry does not decide this block.
   */
  private expandDynamic(
    block: Block,
    file: ParsedFile,
    iteration: ReadonlyMap<string, Evaluated>,
    addBlock: (name: string, block: Evaluated, range: Block) => number,
    decidedBy?: (index: number, places: SourceLocation[]) => void,
  ): void {
    const name = block.labels[0]?.value;
    const forEach = attributeOf(block.body, "for_each");
    const content = block.body.items.find(
      (item): item is Block => item.kind === "Block" && item.type === "content",
    );
    if (name === undefined || !forEach || !content) {
      this.reportAt(
        file,
        block,
        `dynamic block needs a label, a for_each argument and a content block`,
        "terraform-block",
      );
      return;
    }
    const iteratorAttribute = attributeOf(block.body, "iterator");
    const iterator =
      iteratorAttribute?.expr.kind === "ScopeTraversal"
        ? iteratorAttribute.expr.root
        : (iteratorAttribute && literalString(iteratorAttribute.expr)) || name;
    const { result: collection, reads: forEachReads } = this.collectReads(() =>
      this.evaluateIn(forEach.expr, file, iteration),
    );
    const bind = (entry: Evaluated): Map<string, Evaluated> =>
      new Map([...iteration, [iterator, entry]]);
    // One block stands for those an unknown collection, or a partial one's unknown part, makes;
    // the latter may make none beside the known elements' blocks (`unknownPart`).
    const addUnknownBlocks = (expression: string, part: boolean): void => {
      const scoped = bind({ value: unknown(`${iterator}`), origin: at(file.path, forEach) });
      const nested = this.evaluateBody(content.body, file, scoped);
      addBlock(
        name,
        {
          value: nested.value,
          origin: {
            ...relocate(nested.origin, file.path, block),
            unknownForEach: expression,
            ...(part ? { unknownPart: expression } : {}),
          },
        },
        block,
      );
    };
    if (isUnknown(collection.value) || decidedBy === undefined) this.addReads(forEachReads);
    if (isUnknown(collection.value)) {
      addUnknownBlocks(collection.value.$unknown, false);
      return;
    }
    let entries: ReturnType<typeof entriesOf>;
    try {
      entries = entriesOf(
        Array.isArray(collection.value) || isObject(collection.value)
          ? collection
          : { value: [], origin: collection.origin },
        "dynamic for_each",
      );
    } catch (error) {
      this.reportAt(file, forEach, (error as Error).message, "terraform-type");
      return;
    }
    if (collection.value === null) return;
    let rest = mapRest(collection.value);
    if (decidedBy) {
      const elements = entries
        .filter((entry) => !isRest(entry.value.value))
        .map((entry) => toSourceLocation(entry.value.origin));
      this.addReads(
        forEachReads.filter((read) => !elements.some((element) => holds(read, element))),
      );
    }
    const firstLine = metaArgumentPlace(file.path, forEach, "for_each");
    for (const entry of entries) {
      if (isRest(entry.value.value)) {
        rest ??= entry.value.value as UnknownValue;
        continue;
      }
      const items = new Map<string, Origin>([
        ["key", entry.key.origin],
        ["value", entry.value.origin],
      ]);
      const scoped = bind({
        value: { key: entry.key.value, value: entry.value.value },
        origin: { ...entry.value.origin, items },
      });
      const nested = this.evaluateBody(content.body, file, scoped);
      const index = addBlock(
        name,
        { value: nested.value, origin: relocate(nested.origin, file.path, content) },
        block,
      );
      decidedBy?.(index, distinctPlaces([toSourceLocation(entry.value.origin), firstLine]));
    }
    if (rest) addUnknownBlocks(rest.$unknown, true);
  }

  // ---- child modules -----------------------------------------------------------------------

  private childInstances(
    name: string,
  ): { key: string | number | undefined; instance: ModuleInstance }[] {
    return this.childExpansion(name).instances;
  }

  /** The instances of a module call, created once: count/for_each evaluated, inputs bound lazily. */
  private childExpansion(name: string): {
    kind: Expansion["kind"];
    instances: { key: string | number | undefined; instance: ModuleInstance }[];
  } {
    const existing = this.children.get(name);
    if (existing) return existing;
    const call = this.definition.calls.get(name);
    const created: { key: string | number | undefined; instance: ModuleInstance }[] = [];
    const result: { kind: Expansion["kind"]; instances: typeof created } = {
      kind: "unknown",
      instances: created,
    };
    this.children.set(name, result);
    if (!call) return result;
    const callPath = this.qualify(`module.${name}`);
    this.context.recordModuleCall({
      address: callPath,
      source: call.source ?? "",
      directory: call.directory,
      file: call.file.path,
      line: call.node.line,
      column: call.node.column,
    });
    const definition =
      call.directory === undefined ? undefined : this.context.modules.get(call.directory);
    if (!definition) return result;
    if (this.ancestry.includes(definition.directory) || this.depth >= MAX_MODULE_DEPTH) {
      this.reportAt(
        call.file,
        call.node,
        `module "${name}" calls ${definition.directory || "the repository root"} which is already being evaluated above it (or nesting is deeper than ${MAX_MODULE_DEPTH})`,
        "terraform-module-cycle",
      );
      return result;
    }
    const expansion = this.expandBlock(call.node.body, call.file);
    result.kind = expansion.kind;
    for (const { key, instance: instanceKey } of expansion.keys) {
      if (this.context.instanceCount >= MAX_MODULE_INSTANCES) {
        this.reportAt(
          call.file,
          call.node,
          `more than ${MAX_MODULE_INSTANCES} module instances; the rest are not evaluated`,
          "terraform-limit",
        );
        break;
      }
      this.context.instanceCount++;
      const inputs = new Map<string, () => BoundInput>();
      for (const item of call.node.body.items) {
        if (item.kind !== "Attribute" || MODULE_META.has(item.name)) continue;
        // The value passes through the argument on its way into this instance of the module.
        inputs.set(item.name, () => {
          const { result: bound, reads } = this.readsDuring(() =>
            this.collect(() => this.evaluateIn(item.expr, call.file, instanceKey.iteration)),
          );
          const argument = { file: writtenIn(item, call.file).path, range: item };
          const name = `${callPath}${instanceKey.suffix}'s ${item.name} argument`;
          // A root default the argument read (`enabled = var.env == "prod"`) counts as read by
          // the variable too, so a count it makes 0 in the module is overridable (defaults.ts).
          const defaults = this.context.overridableDefaults ?? [];
          const defaultReads = reads.filter((read) => defaultsRead(defaults, [read]).length > 0);
          return {
            ...bound,
            result: passThrough(bound.result, name, argument),
            defaultReads,
          };
        });
      }
      for (const inputName of inputs.keys()) {
        if (!definition.variables.has(inputName)) {
          const attribute = attributeOf(call.node.body, inputName);
          if (attribute)
            this.reportAt(
              call.file,
              attribute,
              `module "${name}" has no input variable "${inputName}"`,
              "terraform-module-input",
            );
        }
      }
      const child = new ModuleInstance(
        this.context,
        definition,
        callPath + instanceKey.suffix,
        inputs,
        new Map(),
        this.depth + 1,
        [...this.ancestry, this.definition.directory],
        this.callReadFrom(callPath, expansion.kind, instanceKey),
        {
          instance: this,
          providers: providersMap(call.node.body),
          call,
          callPath,
          kind: expansion.kind,
          ...(instanceKey.overridden !== undefined ? { overridden: instanceKey.overridden } : {}),
        },
      );
      created.push({
        key: expansion.kind === "single" || expansion.kind === "unknown" ? undefined : key,
        instance: child,
      });
    }
    return result;
  }

  /**
   * What decides one instance of a module call, for the instance it makes: what the call's count
   * or for_each read and the meta-argument itself (`expandBlock`), which unlike a resource's lies
   * outside every block the instance holds.
   */
  private callReadFrom(
    callPath: string,
    kind: Expansion["kind"],
    key: InstanceKey,
  ): { [by: string]: SourceLocation[] } {
    if (kind !== "count" && kind !== "for_each") return this.createdBy;
    return { [`${callPath}.${kind}`]: key.readFrom[kind] ?? [], ...this.createdBy };
  }

  /**
   * `module.m.out`, `module.m[0].out`, `module.m["k"].out`; `module.m` alone is the object of
   * its outputs (a list or map of them for count/for_each). A remote module or an unknown
   * expansion is unknown, referenced as `module.m`.
   */
  private moduleReference(
    name: string,
    second: ScopeTraversalExpr["steps"][number] | undefined,
    third: ScopeTraversalExpr["steps"][number] | undefined,
    traversal: ScopeTraversalExpr,
    scope: Scope,
  ): Resolution {
    const here = at(scope.file, traversal);
    const expansion = this.childExpansion(name);
    const instances = expansion.instances;
    if (expansion.kind === "unknown" || (instances.length === 0 && expansion.kind === "single")) {
      const call = this.qualify(`module.${name}`);
      this.addReferences([call]);
      return {
        result: {
          value: unknown(sourceText(traversal, scope)),
          origin: { ...here, refers: [call] },
        },
        consumed: traversal.steps.length,
      };
    }
    if (expansion.kind === "single") {
      const only = (instances[0] as { instance: ModuleInstance }).instance;
      if (second?.kind === "TraverseAttr")
        return { result: only.outputFor(second.name, this), consumed: 2 };
      return { result: only.outputsFor(this, here), consumed: 1 };
    }
    if (second?.kind === "TraverseIndex") {
      const chosen = instances.find((candidate) => String(candidate.key) === String(second.key));
      if (!chosen)
        throw new EvaluationError(
          `module.${name} has no instance ${keySuffix(second.key)}`,
          "terraform-index",
        );
      if (third?.kind === "TraverseAttr")
        return { result: chosen.instance.outputFor(third.name, this), consumed: 3 };
      return { result: chosen.instance.outputsFor(this, here), consumed: 2 };
    }
    const all = instances.map(({ key, instance }) => ({
      key,
      result: instance.outputsFor(this, here),
    }));
    const items = new Map(all.map(({ key, result }) => [String(key), result.origin]));
    const value =
      expansion.kind === "count"
        ? all.map(({ result }) => result.value)
        : Object.fromEntries(all.map(({ key, result }) => [String(key), result.value]));
    return { result: { value, origin: { ...here, items } }, consumed: 1 };
  }

  /** Every output of this instance as one object, for a reference to the whole module. */
  private outputsFor(caller: ModuleInstance, here: Origin): Evaluated {
    const value: ValueObject = {};
    const items = new Map<string, Origin>();
    for (const name of this.definition.outputs.keys()) {
      const result = this.outputFor(name, caller);
      value[name] = result.value;
      items.set(name, result.origin);
    }
    return { value, origin: { ...here, items } };
  }

  /** An output read by the calling module: its references are added to the caller's collector. */
  private outputFor(name: string, caller: ModuleInstance): Evaluated {
    const result = this.collect(() => this.output(name));
    caller.addReferences(result.references);
    // The value passes through the output's `value` on its way out of the module.
    const declared = this.definition.outputs.get(name);
    const written = declared && attributeOf(declared.node.body, "value");
    if (!declared || !written) return result.result;
    const place = { file: declared.file.path, range: written };
    return passThrough(result.result, `${this.path}'s output ${name}`, place);
  }
}

/**
 * The places values passed through (`collectLocations`), by pointer, less those the top-level
 * attribute holding the pointer already reads (a condition written in the attribute itself).
 */
function unread(
  through: { [pointer: string]: Hop[] },
  reads: { [attribute: string]: SourceLocation[] },
): { [pointer: string]: Hop[] } {
  const kept: { [pointer: string]: Hop[] } = {};
  for (const [pointer, hops] of Object.entries(through)) {
    const read = reads[String(fromPointer(pointer)[0])] ?? [];
    const fresh = hops.filter(
      (hop) =>
        !read.some(
          (place) =>
            place.file === hop.file && place.line === hop.line && place.column === hop.column,
        ),
    );
    if (fresh.length > 0) kept[pointer] = fresh;
  }
  return kept;
}

/**
 * The statements of a rendered policy document, and their conditions' keys, that exist only when
 * a `dynamic` block over a collection Tollgate cannot know creates the blocks they come from (every
 * block linked to them): document pointer (`/Statement/1`, `/Statement/0/Condition/StringEquals/
 * aws:PrincipalOrgID`) to that collection's expression, with `unknownPart` when every block they
 * come from stands for the unknown part of a partial collection. A key in such a statement is not
 * repeated.
 */
function documentRepetitions(
  links: readonly DocumentLink[],
  origin: Origin,
): Map<string, { unknownForEach: string; unknownPart?: string }> {
  const linked = new Map<
    string,
    { document: DocumentLink["document"]; configs: DocumentLink["config"][] }
  >();
  for (const link of links) {
    const [top, , third] = link.document;
    const shape =
      top === "Statement" &&
      (link.document.length === 2 || (link.document.length === 5 && third === "Condition"));
    if (!shape) continue;
    const pointer = toPointer(link.document);
    const entry = linked.get(pointer) ?? { document: link.document, configs: [] };
    entry.configs.push(link.config);
    linked.set(pointer, entry);
  }
  const repetitions = new Map<string, { unknownForEach: string; unknownPart?: string }>();
  for (const [pointer, { document, configs }] of linked) {
    const blocks = configs.map((config) => unknownForEachAlong(origin, config));
    const first = blocks[0];
    if (first === undefined || blocks.some((block) => block === undefined)) continue;
    if (document.length === 5 && repetitions.has(toPointer(document.slice(0, 2)))) continue;
    const partial = blocks.every((block) => block?.unknownPart !== undefined);
    repetitions.set(pointer, {
      unknownForEach: first.unknownForEach,
      ...(partial && first.unknownPart !== undefined ? { unknownPart: first.unknownPart } : {}),
    });
  }
  return repetitions;
}

/**
 * Where a count or for_each is written, as a place deciding the instances it makes: a count
 * decides every instance, so all of it counts; a for_each only by its first line
 * (`for_each = local.buckets`), as the lines of a map written there make one instance each, read
 * through the element.
 */
function metaArgumentPlace(
  file: string,
  written: Attribute,
  kind: "count" | "for_each",
): SourceLocation {
  const whole = kind === "count";
  return {
    file,
    line: written.line,
    column: written.column,
    endLine: whole ? written.endLine : written.line,
    endColumn: whole ? written.endColumn : written.column + kind.length,
  };
}

/** `places` less those on the lines of one before them (an element written on the for_each line). */
/** Whether `place` holds all of `inner`. */
function holds(place: SourceLocation, inner: SourceLocation): boolean {
  const starts =
    inner.line > place.line || (inner.line === place.line && inner.column >= place.column);
  const ends =
    inner.endLine < place.endLine ||
    (inner.endLine === place.endLine && inner.endColumn <= place.endColumn);
  return inner.file === place.file && starts && ends;
}

function distinctPlaces(places: SourceLocation[]): SourceLocation[] {
  return places.filter(
    (place, index) =>
      !places
        .slice(0, index)
        .some(
          (before) =>
            before.file === place.file &&
            before.line === place.line &&
            before.endLine === place.endLine,
        ),
  );
}

/**
 * The names an expression reads at the top of each reference (`local.on` -> local on,
 * `each.value.on` -> each value), in source order; for a module call's, the output read
 * (`module.flags[0].on` -> module flags on), "" when the whole call is.
 */
function namesReadBy(
  node: unknown,
  found: Array<{ root: string; name: string; output?: string; attribute?: string }> = [],
): Array<{ root: string; name: string; output?: string; attribute?: string }> {
  if (typeof node !== "object" || node === null) return found;
  const expr = node as Partial<ScopeTraversalExpr>;
  if (expr.kind === "ScopeTraversal" && expr.root !== undefined) {
    const [step, ...rest] = expr.steps ?? [];
    const name = step?.kind === "TraverseAttr" ? step.name : "";
    const after = rest[0]?.kind === "TraverseIndex" ? rest[1] : rest[0];
    const output = after?.kind === "TraverseAttr" ? after.name : "";
    if (expr.root === "module") {
      found.push({ root: expr.root, name, output });
      return found;
    }
    // `data.aws_x.y[0].z`: the data source's name in `attribute`, the attribute read in `output`.
    const afterData = rest.slice(after === rest[0] ? 1 : 2);
    const read = afterData[0]?.kind === "TraverseIndex" ? afterData[1] : afterData[0];
    found.push(
      expr.root === "data"
        ? {
            root: expr.root,
            name,
            attribute: output,
            output: read?.kind === "TraverseAttr" ? read.name : "",
          }
        : { root: expr.root, name, attribute: output },
    );
    return found;
  }
  for (const value of Object.values(node)) namesReadBy(value, found);
  return found;
}

/**
 * A variable's value as `expansionAsWritten` says it: JSON, or past 200 characters a digest of
 * it, which changes with it.
 */
function valueText(value: Value): string {
  const text = JSON.stringify(value);
  return text.length <= 200 ? text : `a value of ${text.length} characters, sha256 ${digest(text)}`;
}

/** The first 16 hex digits of `text`'s sha256: enough to tell two texts apart in a diff. */
function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/**
 * The provider configuration a resource block names: its `provider` argument (`aws.west`), else
 * the provider its type begins with (`aws`); "" when neither can be read.
 */
function providerNameOf(block: Block, type: string): string {
  const written = attributeOf(block.body, "provider");
  return (written ? providerReference(written.expr) : type.split("_")[0]) ?? "";
}

/** The blocks of an AWS `provider` block that decide `tags_all`, and `dynamic`, which may write them. */
const TAGGING_BLOCKS = new Set(["default_tags", "ignore_tags", "dynamic"]);

/** Blocks `expansionAsWritten` shows as written: none holds a secret. */
const SHOWN_BLOCKS = new Set(["module", "default_tags", "ignore_tags", "override_provider"]);

/** Arguments of a resource block that are Terraform's, not the provider's: not attributes read. */
const META_ARGUMENTS = new Set(["count", "for_each", "provider", "depends_on", "lifecycle"]);

/** A definition `expansionAsWritten` reads: as written, and as `writtenForm` (`Written.form`). */
interface Written {
  text: string;
  form: string;
}

/** Where an HCL node is written and how it is spaced, which `writtenForm` leaves out. */
const LAYOUT = new Set([
  "line",
  "column",
  "endLine",
  "endColumn",
  "start",
  "end",
  "decodedText",
  "nameRange",
  "typeRange",
  "rootRange",
  "keyVarRange",
  "valueVarRange",
]);

/**
 * An expression or block as its syntax tree, without where it is written: what is left is what
 * Terraform evaluates, so two texts of one form mean the same (`var.env=="prod"` and
 * `var.env == "prod" # prod`, split over lines). Parentheses go too, but for an object key's,
 * which make it an expression rather than a name. A body's arguments, and an object's items
 * whose keys are distinct names, are by name, their order meaning nothing; nested blocks keep
 * theirs. An override file's argument is the node that replaces the block's own, as
 * `blockAsWritten` reads it.
 */
function writtenForm(node: Expression | Block, omitted?: string): string {
  const tree = (value: unknown, objectKey = false): unknown => {
    if (Array.isArray(value)) return value.map((item) => tree(item));
    if (value === null || typeof value !== "object") return value;
    const record = value as Record<string, unknown>;
    if (record.kind === "Parens" && !objectKey) return tree(record.expr);
    const kept: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(record)) {
      if (LAYOUT.has(name)) continue;
      const items =
        name === "items" &&
        Array.isArray(item) &&
        (record.kind === "Body" || record.kind === "Object")
          ? byName(
              item as Array<Record<string, unknown>>,
              record.kind === "Body" ? "name" : "keyName",
            )
          : item;
      kept[name] = tree(items, record.kind === "ObjectItem" && name === "key");
    }
    return kept;
  };
  // A parsed node's class keeps its kind on its prototype and derives lines; its JSON is plain.
  const plain = JSON.stringify(
    node.kind === "Block"
      ? [node.type, node.labels, { kind: "Body", items: without(node.body.items, omitted) }]
      : node,
  );
  return JSON.stringify(tree(JSON.parse(plain)));
}

/**
 * A body's items (`field` `name`) or an object's (`keyName`): those named, by name, then the
 * rest (nested blocks) in order; as they are when two share a name or an object's key is an
 * expression, where order may decide.
 */
function byName(
  items: Array<Record<string, unknown>>,
  field: "name" | "keyName",
): Array<Record<string, unknown>> {
  const named = items.filter(
    (item) => typeof item[field] === "string" && (field === "keyName" || item.kind === "Attribute"),
  );
  const names = named.map((item) => item[field] as string);
  if (new Set(names).size !== names.length) return items;
  if (field === "keyName" && named.length !== items.length) return items;
  const rest = items.filter((item) => !named.includes(item));
  const key = (item: Record<string, unknown>) => item[field] as string;
  return [...named.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)), ...rest];
}

/** A body's items but its argument `omitted`. */
function without<Item extends { kind: string; name?: string }>(
  items: readonly Item[],
  omitted: string | undefined,
): Item[] {
  return items.filter(
    (item) => omitted === undefined || item.kind !== "Attribute" || item.name !== omitted,
  );
}

/**
 * A block as `expansionAsWritten` says it: each argument and nested block as written, where it is
 * written (an override file's replaces the block's own), in order.
 */
function blockAsWritten(block: Block, file: ParsedFile, omitted?: string): string {
  const items = without(block.body.items, omitted).map((item) =>
    item.kind === "Attribute"
      ? `${item.name} = ${sourceText(item.expr, writtenIn(item.expr, file))}`
      : sourceText(item, writtenIn(item, file)),
  );
  return `{ ${items.join("; ")} }`;
}

/** Adds the strings of 4 characters or more `value` holds, at any depth, to `texts`. */
function collectTexts(value: unknown, texts: Set<string>): void {
  if (typeof value === "string") {
    if (value.length >= 4) texts.add(value);
  } else if (Array.isArray(value)) for (const item of value) collectTexts(item, texts);
  else if (value !== null && typeof value === "object" && !isUnknown(value as Value))
    for (const item of Object.values(value)) collectTexts(item, texts);
}

/**
 * The key of `sensitiveDigest`: drawn once per process, so that a digest compares base and head
 * evaluated here but says nothing of the value to whoever reads it (no dictionary of short
 * secrets can be hashed against it).
 */
const sensitiveDigestKey = randomBytes(32);

/** A sensitive variable's value as the diff compares it: a keyed digest, never the value. */
function sensitiveDigest(value: Value): string {
  return createHmac("sha256", sensitiveDigestKey).update(JSON.stringify(value)).digest("hex");
}

/** The `count` or `for_each` of a module call whose expansion is unknown. */
function unknownCallMeta(call: ModuleCall): { name: string; expr: Expression } | undefined {
  for (const name of ["count", "for_each"]) {
    const attribute = attributeOf(call.node.body, name);
    if (attribute) return { name, expr: attribute.expr };
  }
  return undefined;
}
