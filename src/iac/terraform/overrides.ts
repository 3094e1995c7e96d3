// Terraform's override files (`override.tf`, `*_override.tf`, their `.tf.json` forms and
// OpenTofu's `.tofu` and `.tofu.json` ones): read after a module's other files, in name order,
// each top-level block merged into the block of the same header. An argument replaces the
// argument of that name; nested blocks replace every block of their type (a `dynamic "x"` is of
// type x); a resource's `lifecycle` merges argument by argument; a local replaces the local of
// that name. What an override writes stays located in the override file (`writtenIn`), the line
// a reviewer changes. In `.tf.json` (either side), a `dynamic` argument is its blocks, one per
// label, and an argument either side's blocks or dynamic blocks name is blocks of that type, so
// they replace and are replaced as native ones.
import type { Attribute, Block, Body, BodyItem, Expression } from "../hcl/index.js";
import type { LoadError } from "../../model/types.js";
import {
  jsonArgumentBlocks,
  jsonDynamicBlocks,
  jsonDynamicNames,
  type ModuleDefinition,
  type ParsedFile,
} from "./modules.js";

const OVERRIDE_FILE = /(^|\/)([^/]*_)?override\.(tf|tofu)(\.json)?$/;

/** `override.tf`, `x_override.tf`, `override.tf.json`, `x_override.tf.json`; `.tofu` alike. */
export function isOverrideFile(path: string): boolean {
  return OVERRIDE_FILE.test(path);
}

/** The override file each merged-in argument, block or expression was written in. */
const overrideFiles = new WeakMap<BodyItem | Expression, ParsedFile>();

/** The file `node` was written in: its override file when an override put it there, else `file`. */
export function writtenIn(node: BodyItem | Expression, file: ParsedFile): ParsedFile {
  return overrideFiles.get(node) ?? file;
}

function mark(item: BodyItem, file: ParsedFile): BodyItem {
  overrideFiles.set(item, file);
  if (item.kind === "Attribute") overrideFiles.set(item.expr, file);
  return item;
}

/** A nested block's type for replacement: `dynamic "ingress"` replaces and is replaced as `ingress`. */
function blockType(block: Block): string {
  return block.type === "dynamic" ? (block.labels[0]?.value ?? "dynamic") : block.type;
}

/** The nested block types a body writes: its blocks', its dynamic blocks' (in `.tf.json` too). */
function blockTypesOf(body: Body): Set<string> {
  const types = jsonDynamicNames(body);
  for (const item of body.items) if (item.kind === "Block") types.add(blockType(item));
  return types;
}

/**
 * A body's items with what `.tf.json` writes as arguments read as the blocks they are: each
 * `dynamic` label's blocks, and the blocks of an argument named by `blockNames`.
 */
function itemsAsBlocks(body: Body, blockNames: ReadonlySet<string>): BodyItem[] {
  if (body.syntax !== "json") return body.items;
  return body.items.flatMap((item): BodyItem[] => {
    if (item.kind !== "Attribute") return [item];
    if (item.name === "dynamic") return jsonDynamicBlocks(item);
    return jsonArgumentBlocks(item, blockNames) ?? [item];
  });
}

/** `base` with `override`'s arguments and nested block types in place of its own. */
function mergeBody(
  base: Body,
  overrideBody: Body,
  file: ParsedFile,
  mergedBlockTypes: ReadonlySet<string> = new Set(),
): Body {
  const blockNames = new Set([...blockTypesOf(base), ...blockTypesOf(overrideBody)]);
  const baseItems = itemsAsBlocks(base, blockNames);
  const override = { items: itemsAsBlocks(overrideBody, blockNames) };
  const attributes = new Map<string, Attribute>();
  const blockTypes = new Set<string>();
  for (const item of override.items) {
    if (item.kind === "Attribute") attributes.set(item.name, item);
    else if (!mergedBlockTypes.has(item.type)) blockTypes.add(blockType(item));
  }
  const items: BodyItem[] = [];
  for (const item of baseItems) {
    if (item.kind === "Attribute") {
      const replacement = attributes.get(item.name);
      if (replacement) {
        items.push(mark(replacement, file));
        attributes.delete(item.name);
      } else items.push(item);
      continue;
    }
    if (mergedBlockTypes.has(item.type)) {
      const overriding = override.items.find(
        (candidate): candidate is Block =>
          candidate.kind === "Block" && candidate.type === item.type,
      );
      items.push(overriding ? withBody(item, mergeBody(item.body, overriding.body, file)) : item);
      continue;
    }
    if (!blockTypes.has(blockType(item))) items.push(item);
  }
  for (const attribute of attributes.values()) items.push(mark(attribute, file));
  for (const item of override.items) {
    if (item.kind !== "Block") continue;
    if (!mergedBlockTypes.has(item.type)) items.push(mark(item, file));
    else if (!baseItems.some((b) => b.kind === "Block" && b.type === item.type))
      items.push(mark(item, file));
  }
  return copyOf(base, { items });
}

/**
 * A copy of a syntax node with some fields replaced. Parser nodes derive their kind and lines on
 * their prototype (hcl/nodes.ts), which a spread would drop.
 */
function copyOf<T extends object>(node: T, fields: Partial<T>): T {
  return Object.assign(Object.create(Object.getPrototypeOf(node) as object) as T, node, fields);
}

function withBody(block: Block, body: Body): Block {
  return copyOf(block, { body });
}

function mergeBlock(
  base: Block,
  override: Block,
  file: ParsedFile,
  mergedBlockTypes?: ReadonlySet<string>,
): Block {
  return withBody(base, mergeBody(base.body, override.body, file, mergedBlockTypes));
}

const RESOURCE_MERGED_BLOCKS: ReadonlySet<string> = new Set(["lifecycle"]);

function label(block: Block, index: number): string | undefined {
  return block.labels[index]?.value;
}

/**
 * Merges `file`, an override file of `definition`'s directory, into the declarations already
 * indexed. A block with nothing to override is an error, as in Terraform, and is left out.
 */
export function applyOverrideFile(
  definition: ModuleDefinition,
  file: ParsedFile,
  errors: LoadError[],
): void {
  const missing = (node: { line: number; column: number }, what: string): void => {
    errors.push({
      file: file.path,
      line: node.line,
      column: node.column,
      message: `Missing base ${what} to override: there is no such declaration in the module's other files`,
      code: "terraform-override",
    });
  };
  const noDependsOn = (block: Block): void => {
    const dependsOn = block.body.items.find(
      (item) => item.kind === "Attribute" && item.name === "depends_on",
    );
    if (dependsOn)
      errors.push({
        file: file.path,
        line: dependsOn.line,
        column: dependsOn.column,
        message: `depends_on may not be used in an override block; it is ignored`,
        code: "terraform-override",
      });
  };
  const withoutDependsOn = (block: Block): Block =>
    withBody(
      block,
      copyOf(block.body, {
        items: block.body.items.filter(
          (item) => !(item.kind === "Attribute" && item.name === "depends_on"),
        ),
      }),
    );
  for (const item of file.body.items) {
    if (item.kind !== "Block") continue;
    const first = label(item, 0);
    const second = label(item, 1);
    switch (item.type) {
      case "resource":
      case "data": {
        const key = (item.type === "data" ? "data." : "") + `${first}.${second}`;
        const base = definition.resourcesByKey.get(key);
        if (!base) {
          missing(item, `${item.type} "${first}" "${second}"`);
          break;
        }
        noDependsOn(item);
        base.node = mergeBlock(base.node, withoutDependsOn(item), file, RESOURCE_MERGED_BLOCKS);
        break;
      }
      case "variable":
      case "module": {
        const declarations = item.type === "variable" ? definition.variables : definition.calls;
        const base = first === undefined ? undefined : declarations.get(first);
        if (!base) {
          missing(item, `${item.type} "${first ?? ""}"`);
          break;
        }
        base.node = mergeBlock(base.node, item, file);
        break;
      }
      case "output": {
        const base = first === undefined ? undefined : definition.outputs.get(first);
        if (!base) {
          missing(item, `output "${first ?? ""}"`);
          break;
        }
        noDependsOn(item);
        base.node = mergeBlock(base.node, withoutDependsOn(item), file);
        break;
      }
      case "locals":
        for (const local of item.body.items) {
          if (local.kind !== "Attribute") continue;
          if (!definition.locals.has(local.name)) missing(local, `local value "${local.name}"`);
          else definition.locals.set(local.name, { node: local, file });
        }
        break;
    }
  }
}
