// Finds the Terraform modules in a set of repository files: every directory with `.tf` files is
// a module; a directory called through a local `source = "./..."` is a child, the others are
// roots. Parses each file once and indexes a module's declarations by kind and name.
import {
  parseHcl,
  parseTfJson,
  type Attribute,
  type Block,
  type Body,
  type BodyItem,
  type Expression,
} from "../hcl/index.js";
import type { LoadError } from "../../model/types.js";
import { rangeOf } from "../json/index.js";
import {
  directoryOf,
  joinPath,
  isOpenTofuSource,
  isTerraformSource,
  leavesTop,
  readByOpenTofu,
  shadowedSources,
  type SourceFile,
  type TerraformTool,
} from "../source.js";
import { openTofuOnlySyntax } from "./opentofu.js";
import { applyOverrideFile, isOverrideFile } from "./overrides.js";

export { directoryOf, joinPath, leavesTop };

export interface ParsedFile {
  path: string;
  text: string;
  body: Body;
}

export interface Declared<T> {
  node: T;
  file: ParsedFile;
}

export interface ResourceDeclaration extends Declared<Block> {
  mode: "managed" | "data";
  type: string;
  name: string;
  /** `aws_s3_bucket.logs` or `data.aws_iam_policy_document.x`, unqualified by module. */
  key: string;
}

export interface ModuleCall extends Declared<Block> {
  name: string;
  /** The `source` string, undefined when it is not a literal. */
  source: string | undefined;
  /** Directory of a local source that holds `.tf` files. */
  directory: string | undefined;
}

export interface ModuleDefinition {
  /** Repository-relative directory, "" for the repository root. */
  directory: string;
  files: ParsedFile[];
  variables: Map<string, Declared<Block>>;
  locals: Map<string, Declared<Attribute>>;
  outputs: Map<string, Declared<Block>>;
  resources: ResourceDeclaration[];
  resourcesByKey: Map<string, ResourceDeclaration>;
  calls: Map<string, ModuleCall>;
  /**
   * `ephemeral` resources (Terraform 1.10) by `type.name`: opened and closed within one run and
   * never stored, so a reference to one is unknown and they are not resources of the model.
   */
  ephemeral: Set<string>;
  /** `moved` blocks, in file order (moved.ts reads them). */
  moved: Declared<Block>[];
  /** `removed` blocks, in file order (moved.ts reads them). */
  removed: Declared<Block>[];
  /** `import` blocks, in file order (moved.ts reads them). */
  imports: Declared<Block>[];
}

/** `./x` or `../x`: Terraform's only local form; any other source (registry, git, archive) is not loaded. */
export function isLocalSource(source: string): boolean {
  return source.startsWith("./") || source.startsWith("../");
}

/** A string literal expression's value (a template of one literal part), else undefined. */
export function literalString(expr: Expression): string | undefined {
  if (expr.kind === "Template" && expr.parts.length === 0) return "";
  if (
    expr.kind === "Template" &&
    expr.parts.length === 1 &&
    expr.parts[0]?.kind === "TemplateLiteral"
  )
    return expr.parts[0].value;
  return undefined;
}

export function attributeOf(body: Body, name: string): Attribute | undefined {
  for (const item of body.items) if (item.kind === "Attribute" && item.name === name) return item;
  return undefined;
}

function label(block: Block, index: number): string | undefined {
  return block.labels[index]?.value;
}

function emptyDefinition(directory: string): ModuleDefinition {
  return {
    directory,
    files: [],
    variables: new Map(),
    locals: new Map(),
    outputs: new Map(),
    resources: [],
    resourcesByKey: new Map(),
    calls: new Map(),
    ephemeral: new Set(),
    moved: [],
    removed: [],
    imports: [],
  };
}

function located(
  file: ParsedFile,
  at: { line: number; column: number },
  message: string,
  code: string,
): LoadError {
  return { file: file.path, line: at.line, column: at.column, message, code };
}

function index(definition: ModuleDefinition, file: ParsedFile, errors: LoadError[]): void {
  for (const item of file.body.items) {
    if (item.kind !== "Block") continue;
    const first = label(item, 0);
    const second = label(item, 1);
    switch (item.type) {
      case "resource":
      case "data": {
        if (first === undefined || second === undefined) {
          errors.push(
            located(
              file,
              item,
              `${item.type} block needs a type and a name label`,
              "terraform-block",
            ),
          );
          break;
        }
        const mode = item.type === "data" ? "data" : "managed";
        const key = (mode === "data" ? "data." : "") + `${first}.${second}`;
        if (definition.resourcesByKey.has(key)) {
          errors.push(
            located(
              file,
              item,
              `duplicate ${item.type} "${first}" "${second}" in this module`,
              "terraform-duplicate",
            ),
          );
          break;
        }
        const declaration: ResourceDeclaration = {
          node: item,
          file,
          mode,
          type: first,
          name: second,
          key,
        };
        definition.resources.push(declaration);
        definition.resourcesByKey.set(key, declaration);
        break;
      }
      case "variable":
        if (first !== undefined) definition.variables.set(first, { node: item, file });
        break;
      case "output":
        if (first !== undefined) definition.outputs.set(first, { node: item, file });
        break;
      case "locals":
        for (const attribute of item.body.items) {
          if (attribute.kind !== "Attribute") continue;
          if (definition.locals.has(attribute.name))
            errors.push(
              located(
                file,
                attribute,
                `duplicate local value "${attribute.name}"`,
                "terraform-duplicate",
              ),
            );
          else definition.locals.set(attribute.name, { node: attribute, file });
        }
        break;
      case "ephemeral":
        if (first !== undefined && second !== undefined)
          definition.ephemeral.add(`${first}.${second}`);
        break;
      case "moved":
        definition.moved.push({ node: item, file });
        break;
      case "removed":
        definition.removed.push({ node: item, file });
        break;
      case "import":
        definition.imports.push({ node: item, file });
        break;
      case "module": {
        if (first === undefined) break;
        const sourceAttribute = attributeOf(item.body, "source");
        const source = sourceAttribute ? literalString(sourceAttribute.expr) : undefined;
        definition.calls.set(first, {
          node: item,
          file,
          name: first,
          source,
          directory: undefined,
        });
        break;
      }
    }
  }
}

/** The parsers return errors as values; an exception would be their defect, kept to this one file. */
function parse(file: SourceFile, errors: LoadError[]): ReturnType<typeof parseHcl> | undefined {
  try {
    return file.path.endsWith(".json")
      ? parseTfJson(file.text, file.path)
      : parseHcl(file.text, file.path);
  } catch (error) {
    errors.push({
      file: file.path,
      line: 1,
      column: 1,
      message: `the file could not be parsed (${(error as Error).message}); it is left out`,
      code: "hcl-internal",
    });
    return undefined;
  }
}

/** Where the tool's reading leaves files out or may differ from the other tool's (`discoverModules`). */
function toolNotices(files: readonly SourceFile[], tool: TerraformTool | undefined): LoadError[] {
  const at = (file: string) => ({ file, line: 1, column: 1 });
  if (tool === "terraform")
    return files
      .filter((file) => isOpenTofuSource(file.path))
      .map((file) => ({
        ...at(file.path),
        code: "opentofu-not-read",
        message:
          "not read: Terraform reads no .tofu file, and the settings' terraform.tool says Terraform deploys this repository",
        level: "warning" as const,
      }));
  const shadowed = shadowedSources(files);
  if (tool === "opentofu")
    return shadowed.map(({ file, by }) => ({
      ...at(file.path),
      code: "opentofu-precedence",
      message: `not read: OpenTofu reads ${by} in its place, and the settings' terraform.tool says OpenTofu deploys this repository; Terraform reads this file and not ${by}`,
      level: "warning" as const,
    }));
  const set = "set terraform.tool (terraform or opentofu) in the settings to say which deploys it";
  const ambiguous: LoadError[] = shadowed.map(({ file, by }) => ({
    ...at(by),
    code: "opentofu-ambiguous",
    message: `OpenTofu reads this file in place of ${file.path}, and Terraform reads ${file.path} and not this file; Tollgate judges OpenTofu's reading and cannot tell which tool deploys this folder: ${set}`,
  }));
  const shadowing = new Set(shadowed.map(({ by }) => by));
  for (const file of files)
    if (isOpenTofuSource(file.path) && isOverrideFile(file.path) && !shadowing.has(file.path))
      ambiguous.push({
        ...at(file.path),
        code: "opentofu-ambiguous",
        message: `an OpenTofu override file: OpenTofu applies it and Terraform does not read it; Tollgate judges OpenTofu's reading and cannot tell which tool deploys this folder: ${set}`,
      });
  return ambiguous;
}

export interface Discovery {
  modules: Map<string, ModuleDefinition>;
  /** Directories no other module calls: each is evaluated as a root module. */
  roots: string[];
  files: Map<string, SourceFile>;
  errors: LoadError[];
}

/**
 * Parses every Terraform source the tool that deploys the modules reads (`tool`, the settings'
 * `terraform.tool`), groups them by directory and resolves local module sources:
 * - `terraform`: the `.tf`/`.tf.json` files; each `.tofu`/`.tofu.json` file is a located warning.
 * - `opentofu`: OpenTofu's reading (`readByOpenTofu`), a `.tofu` in place of the `.tf` of its
 *   name; each `.tf` left out is a located warning.
 * - absent: OpenTofu's reading too, but where Terraform's differs (a `.tf` a `.tofu` shadows, an
 *   OpenTofu override file) the `.tofu` file is a located error, so the gate fails closed: either
 *   tool may deploy the folder. A `.tofu` file that shadows and overrides nothing only adds what
 *   OpenTofu alone deploys, and is read without one.
 */
export function discoverModules(files: readonly SourceFile[], tool?: TerraformTool): Discovery {
  const errors: LoadError[] = [];
  const modules = new Map<string, ModuleDefinition>();
  const byPath = new Map<string, SourceFile>();
  for (const file of files) byPath.set(file.path, file);
  const overrides: [ModuleDefinition, ParsedFile][] = [];
  errors.push(...toolNotices(files, tool));
  const sources =
    tool === "terraform"
      ? files.filter((file) => isTerraformSource(file.path) && !isOpenTofuSource(file.path))
      : readByOpenTofu(files);
  for (const file of sources.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const parsed = parse(file, errors);
    if (!parsed) continue;
    errors.push(...parsed.errors);
    const directory = directoryOf(file.path);
    const definition = modules.get(directory) ?? emptyDefinition(directory);
    modules.set(directory, definition);
    const parsedFile: ParsedFile = { path: file.path, text: file.text, body: parsed.body };
    errors.push(...openTofuOnlySyntax(parsedFile));
    if (isOverrideFile(file.path)) overrides.push([definition, parsedFile]);
    else {
      definition.files.push(parsedFile);
      index(definition, parsedFile, errors);
    }
  }
  // After every primary file, in name order (the files were sorted by path above).
  for (const [definition, file] of overrides) {
    definition.files.push(file);
    applyOverrideFile(definition, file, errors);
  }
  for (const definition of modules.values())
    for (const call of definition.calls.values()) {
      const sourceAttribute = attributeOf(call.node.body, "source");
      call.source = sourceAttribute ? literalString(sourceAttribute.expr) : undefined;
    }
  const called = new Set<string>();
  for (const definition of modules.values()) {
    for (const call of definition.calls.values()) {
      const source = call.source;
      const sourceNode = attributeOf(call.node.body, "source") ?? call.node;
      if (source === undefined) {
        errors.push(
          located(
            call.file,
            sourceNode,
            `module "${call.name}" needs a literal string source (Tollgate does not evaluate the variables and locals OpenTofu allows there)`,
            "terraform-module-source",
          ),
        );
        continue;
      }
      if (!isLocalSource(source)) continue;
      const target = joinPath(definition.directory, source);
      if (!modules.has(target) && leavesTop(target)) {
        errors.push(
          located(
            call.file,
            sourceNode,
            `module "${call.name}" source ${JSON.stringify(source)} leaves the files that were read (the repository, or the folders given to the CLI)`,
            "terraform-module-source",
          ),
        );
      } else if (!modules.has(target)) {
        errors.push(
          located(
            call.file,
            sourceNode,
            `module "${call.name}" source ${JSON.stringify(source)} has no .tf or .tofu files among the loaded files`,
            "terraform-module-source",
          ),
        );
      } else if (target === definition.directory) {
        errors.push(
          located(
            call.file,
            sourceNode,
            `module "${call.name}" calls its own directory`,
            "terraform-module-source",
          ),
        );
      } else {
        call.directory = target;
        called.add(target);
      }
    }
  }
  const roots = [...modules.keys()].filter((directory) => !called.has(directory)).sort();
  return { modules, roots, files: byPath, errors };
}

/**
 * Folders that the local module sources of `files` name and that hold none of them: what a reader
 * of a folder tree (the CLI) reads next, as Terraform would, so a module scanned alone finds the
 * modules it calls wherever they are.
 */
export function unloadedModuleFolders(files: readonly SourceFile[]): string[] {
  const { modules } = discoverModules(files);
  const unloaded = new Set<string>();
  for (const definition of modules.values()) {
    for (const call of definition.calls.values()) {
      if (call.source === undefined || !isLocalSource(call.source)) continue;
      const target = joinPath(definition.directory, call.source);
      if (!modules.has(target)) unloaded.add(target);
    }
  }
  return [...unloaded].sort();
}

/**
 * `.tf.json` writes `dynamic` as an attribute (`"dynamic": {"ingress": {"for_each": ..., "content":
 * {...}}}`); this rebuilds the blocks native syntax would have, so one expansion serves both.
 */
export function jsonDynamicBlocks(attribute: Attribute): Block[] {
  const blocks: Block[] = [];
  // Several `dynamic` blocks may be written as a list: of label objects, or of specs under one label.
  for (const labels of objectsOf(attribute.expr) ?? [])
    for (const item of labels.items) {
      if (item.keyName === null) continue;
      for (const spec of objectsOf(item.value) ?? [])
        blocks.push(jsonDynamicBlock(item as typeof item & { keyName: string }, spec));
    }
  return blocks;
}

/** The objects an expression writes: one object, or a list of objects; undefined otherwise. */
export function objectsOf(expr: Expression): ObjectExpression[] | undefined {
  if (expr.kind === "Object") return [expr];
  if (expr.kind === "Tuple" && expr.elements.every((e) => e.kind === "Object"))
    return expr.elements as ObjectExpression[];
  return undefined;
}

type ObjectExpression = Extract<Expression, { kind: "Object" }>;

/**
 * The blocks an argument of a `.tf.json` body writes when its use settles that it is a nested
 * block, which JSON alone cannot tell from an argument holding a map: a `dynamic` block of the
 * same name beside it (`blockNames`; Terraform appends what it generates to the blocks written),
 * or an object holding `dynamic` blocks of its own. Undefined for any other argument: a rule reads
 * a block written as one object with `util.block_list` (policies/lib/util.rego).
 */
export function jsonArgumentBlocks(
  attribute: Attribute,
  blockNames: ReadonlySet<string>,
): Block[] | undefined {
  const objects = objectsOf(attribute.expr);
  if (!objects || objects.length === 0) return undefined;
  const holdsDynamic = (object: ObjectExpression): boolean =>
    object.items.some((item) => item.keyName === "dynamic" && objectsOf(item.value) !== undefined);
  if (!blockNames.has(attribute.name) && !objects.some(holdsDynamic)) return undefined;
  return objects.map((object) => ({
    // One object is the argument, key included; each of a list is its own object.
    ...rangeOf(attribute.expr === object ? attribute : object),
    kind: "Block",
    type: attribute.name,
    typeRange: rangeOf(attribute.nameRange),
    labels: [],
    body: { ...rangeOf(object), kind: "Body", syntax: "json", items: objectAttributes(object) },
  }));
}

/** The names `dynamic` blocks of a `.tf.json` body generate blocks of. */
export function jsonDynamicNames(body: Body): Set<string> {
  const names = new Set<string>();
  if (body.syntax !== "json") return names;
  for (const item of body.items)
    if (item.kind === "Attribute" && item.name === "dynamic")
      for (const block of jsonDynamicBlocks(item)) names.add(block.labels[0]?.value ?? "dynamic");
  return names;
}

/** One `dynamic` block: `item` is its label's entry, `spec` its object (one of a list under the label). */
function jsonDynamicBlock(
  item: ObjectExpression["items"][number] & { keyName: string },
  spec: ObjectExpression,
): Block {
  const items: BodyItem[] = [];
  for (const argument of spec.items) {
    if (argument.keyName === null) continue;
    if (argument.keyName === "content" && argument.value.kind === "Object") {
      const content = argument.value;
      const body: Body = {
        ...content,
        kind: "Body",
        syntax: "json",
        items: objectAttributes(content),
      };
      items.push({
        ...argument,
        kind: "Block",
        type: "content",
        typeRange: argument.key,
        labels: [],
        body,
      });
    } else {
      items.push({
        ...argument,
        kind: "Attribute",
        name: argument.keyName,
        nameRange: argument.key,
        expr: argument.value,
      });
    }
  }
  const body: Body = { ...spec, kind: "Body", syntax: "json", items };
  return {
    // The label's entry, key included, for its only spec; each of a list is its own object.
    ...(item.value === spec ? item : rangeOf(spec)),
    kind: "Block",
    type: "dynamic",
    typeRange: item.key,
    // The key's own fields only: a parsed key is a parser node whose lines are derived.
    labels: [{ ...rangeOf(item.key), kind: "BlockLabel", value: item.keyName, quoted: true }],
    body,
  };
}

/** An object's items as the attributes of a body (`.tf.json` writes a block's body as an object). */
export function objectAttributes(object: Extract<Expression, { kind: "Object" }>): BodyItem[] {
  return object.items.flatMap((item): BodyItem[] =>
    item.keyName === null
      ? []
      : [{ ...item, kind: "Attribute", name: item.keyName, nameRange: item.key, expr: item.value }],
  );
}
