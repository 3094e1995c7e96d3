// Terraform provider configurations as policies see them: each `provider` block of a module
// instance is an entry of the model (`mode: "provider"`), its arguments evaluated as a resource's
// are, secrets never read; and what an AWS resource's `tags_all` is, the provider's
// `default_tags` merged with its own `tags`, as the AWS provider computes it in a plan.
import type { Block, Body, BodyItem, Expression } from "../hcl/index.js";
import { toPointer } from "../../model/pointer.js";
import { isUnknown, type Resource, type SourceLocation, type Value } from "../../model/types.js";
import {
  attributeOf,
  literalString,
  objectAttributes,
  type ModuleDefinition,
  type ParsedFile,
} from "./modules.js";

/** What a masked argument holds: its value is never evaluated, so it is in no input nor log. */
export const REDACTED = "<redacted>";

/**
 * Arguments holding credentials, at any depth of a provider block: AWS's `access_key`,
 * `secret_key`, `token` (and `web_identity_token`), other providers' `password`,
 * `client_secret`, `credentials`, `api_key`...
 */
const SECRET_ARGUMENT = /(^|_)(token|password|secret|credentials|passphrase)(_|$)|(^|_)key$/;
/** Settings that merely name secrets or switch their checks off, kept as written. */
const NOT_SECRET = /^skip_|_(file|files|path)$/;

export function isSecretArgument(name: string): boolean {
  return SECRET_ARGUMENT.test(name) && !NOT_SECRET.test(name);
}

/** A provider block of a module, by its name there: `aws`, or `aws.west` with its `alias`. */
export interface ProviderBlock {
  key: string;
  localName: string;
  block: Block;
  file: ParsedFile;
}

/** The `provider` blocks of a module by key, the first one of each (Terraform rejects a second). */
export function providerBlocks(definition: ModuleDefinition): Map<string, ProviderBlock> {
  const found = new Map<string, ProviderBlock>();
  for (const file of definition.files) {
    for (const item of file.body.items) {
      const localName = item.kind === "Block" && item.type === "provider" && item.labels[0]?.value;
      if (!localName || item.kind !== "Block") continue;
      const aliasAttribute = attributeOf(item.body, "alias");
      const alias = aliasAttribute && literalString(aliasAttribute.expr);
      const key = alias ? `${localName}.${alias}` : localName;
      if (!found.has(key)) found.set(key, { key, localName, block: withJsonBlocks(item), file });
    }
  }
  return found;
}

/**
 * The AWS provider's nested blocks. `.tf.json` writes a block as an object (one block) or an
 * array of objects, which without a schema reads as an attribute holding a map or a list; a
 * provider's block names are known, so it is rebuilt as the blocks native syntax would have, and
 * the entry, `tags_all` and the redaction of secrets read both syntaxes alike.
 */
const PROVIDER_BLOCKS = new Set([
  "assume_role",
  "assume_role_with_web_identity",
  "default_tags",
  "endpoints",
  "ignore_tags",
]);

/** A `.tf.json` provider block with its nested blocks rebuilt (`PROVIDER_BLOCKS`); others as they are. */
function withJsonBlocks(block: Block): Block {
  if (block.body.syntax !== "json") return block;
  let changed = false;
  const items = block.body.items.flatMap((item): BodyItem[] => {
    if (item.kind !== "Attribute" || !PROVIDER_BLOCKS.has(item.name)) return [item];
    const objects =
      item.expr.kind === "Object"
        ? [item.expr]
        : item.expr.kind === "Tuple" && item.expr.elements.every((e) => e.kind === "Object")
          ? (item.expr.elements as Extract<Expression, { kind: "Object" }>[])
          : undefined;
    if (!objects) return [item];
    changed = true;
    return objects.map((object) =>
      changedNode(item as unknown as Block, {
        kind: "Block",
        type: item.name,
        typeRange: item.nameRange,
        labels: [],
        body: changedNode(object as unknown as Body, {
          kind: "Body",
          syntax: "json",
          items: objectAttributes(object),
        }),
      }),
    );
  });
  return changed ? changedNode(block, { body: changedNode(block.body, { items }) }) : block;
}

/**
 * `aws.west` or `aws` from a `provider` argument or a `providers` map entry's key or value;
 * undefined when it is not such a reference.
 */
export function providerReference(expr: Expression): string | undefined {
  if (expr.kind === "ScopeTraversal") {
    const [alias, ...rest] = expr.steps;
    if (rest.length > 0) return undefined;
    if (alias === undefined) return expr.root;
    return alias.kind === "TraverseAttr" ? `${expr.root}.${alias.name}` : undefined;
  }
  // `.tf.json` writes the reference as a string.
  const text = literalString(expr);
  return text !== undefined && /^[A-Za-z][\w-]*(\.[A-Za-z][\w-]*)?$/.test(text) ? text : undefined;
}

/** A module call's `providers` map, child name to parent name; undefined when not written. */
export function providersMap(body: Body): Map<string, string> | undefined {
  const written = attributeOf(body, "providers")?.expr;
  if (written?.kind !== "Object") return undefined;
  const map = new Map<string, string>();
  for (const item of written.items) {
    const key = item.keyName ?? providerReference(item.key);
    const value = providerReference(item.value);
    if (key !== undefined && value !== undefined) map.set(key, value);
  }
  return map;
}

/**
 * The body with every secret argument's expression replaced by the literal `REDACTED`, at any
 * depth; blocks without one are kept as they are (so their override-file marks stay).
 */
export function withoutSecrets(body: Body): Body {
  let changed = false;
  const items = body.items.map((item): BodyItem => {
    if (item.kind === "Attribute" && isSecretArgument(item.name)) {
      changed = true;
      return changedNode(item, { expr: redacted(item.expr) });
    }
    if (item.kind === "Attribute") {
      // A map or list of maps (`.tf.json` writes nested blocks so) may hold secrets as keys.
      const expr = withoutSecretKeys(item.expr);
      if (expr === item.expr) return item;
      changed = true;
      return changedNode(item, { expr });
    }
    if (item.kind !== "Block") return item;
    const inner = withoutSecrets(item.body);
    if (inner === item.body) return item;
    changed = true;
    return changedNode(item, { body: inner });
  });
  return changed ? changedNode(body, { items }) : body;
}

/** The literal `REDACTED` where `expr` is written. */
function redacted(expr: Expression): Expression {
  const { line, column, endLine, endColumn, start, end } = expr;
  const range = { line, column, endLine, endColumn, start, end };
  return {
    kind: "Template",
    parts: [{ kind: "TemplateLiteral", value: REDACTED, ...range }],
    ...range,
  };
}

/** An object or tuple expression with the value of every secret key redacted, at any depth. */
function withoutSecretKeys(expr: Expression): Expression {
  if (expr.kind === "Tuple") {
    const elements = expr.elements.map(withoutSecretKeys);
    return elements.every((element, i) => element === expr.elements[i])
      ? expr
      : changedNode(expr, { elements });
  }
  if (expr.kind !== "Object") return expr;
  let changed = false;
  const items = expr.items.map((item) => {
    const value =
      item.keyName !== null && isSecretArgument(item.keyName)
        ? redacted(item.value)
        : withoutSecretKeys(item.value);
    if (value === item.value) return item;
    changed = true;
    return changedNode(item, { value });
  });
  return changed ? changedNode(expr, { items }) : expr;
}

/**
 * A copy of a syntax node with some fields changed, on the same prototype: the parser's nodes
 * keep their kind and positions there (hcl/nodes.ts), which a spread would lose.
 */
function changedNode<T extends object>(node: T, changes: Partial<T>): T {
  return Object.assign(Object.create(Object.getPrototypeOf(node) as object) as T, node, changes);
}

/** What `tags_all` of one resource is made of, with where each part is written. */
export interface TagSources {
  resource: Resource;
  /** The provider configuration entry the resource uses, when a block is written. */
  providerConfig: Resource | undefined;
}

interface Placed {
  locations: { [pointer: string]: SourceLocation };
  readAt: { [pointer: string]: SourceLocation };
}

/**
 * `tags_all` of a managed AWS resource: the provider configuration's `default_tags` (or the
 * resource's own `override_provider { default_tags }` when written for certain) merged with its
 * `tags`, its own winning, less what the provider's `ignore_tags` names; located where each tag is
 * written. Undefined when the resource writes no `tags` and no `default_tags` apply to it.
 */
export function tagsAll({
  resource,
  providerConfig,
}: TagSources): (Placed & { value: Value }) | undefined {
  const config = resource.config;
  const own = config.tags;
  const override = overrideDefaultTags(resource);
  const defaults =
    override !== undefined
      ? { value: override, from: resource, at: "/override_provider/0/default_tags/0/tags" }
      : providerDefaultTags(providerConfig);
  if ((own === undefined || own === null) && defaults === undefined) return undefined;
  const placed: Placed = { locations: {}, readAt: {} };
  const ownTags = own === undefined || own === null ? {} : own;
  const defaultTags = defaults?.value ?? {};
  if (
    isUnknown(ownTags) ||
    isUnknown(defaultTags) ||
    !isObject(ownTags) ||
    !isObject(defaultTags)
  ) {
    const unknownPart = isUnknown(ownTags) ? ownTags : defaultTags;
    copyPlaces(resource, "/tags", "/tags_all", placed);
    return { value: isUnknown(unknownPart) ? unknownPart : ownTags, ...placed };
  }
  const ignored = ignoredTags(providerConfig);
  const merged: { [key: string]: Value } = {};
  for (const [key, value] of Object.entries(defaultTags)) {
    if (ignored(key) || Object.hasOwn(ownTags, key)) continue;
    merged[key] = value;
    if (defaults)
      copyPlaces(
        defaults.from,
        `${defaults.at}${toPointer([key])}`,
        toPointer(["tags_all", key]),
        placed,
      );
  }
  for (const [key, value] of Object.entries(ownTags)) {
    if (ignored(key)) continue;
    merged[key] = value;
    copyPlaces(resource, toPointer(["tags", key]), toPointer(["tags_all", key]), placed);
  }
  const tagsAt = resource.locations["/tags"];
  if (tagsAt) placed.locations["/tags_all"] = tagsAt;
  return { value: merged, ...placed };
}

function isObject(value: Value): value is { [key: string]: Value } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The tags of `default_tags` in a provider configuration entry, when it writes the block. */
function providerDefaultTags(
  providerConfig: Resource | undefined,
): { value: Value; from: Resource; at: string } | undefined {
  const blocks = providerConfig?.config.default_tags;
  if (!Array.isArray(blocks) || blocks.length === 0) return undefined;
  const block = blocks[0];
  const value = isObject(block as Value) ? (block as { [key: string]: Value }).tags : undefined;
  return {
    value: value === undefined || value === null ? {} : value,
    from: providerConfig as Resource,
    at: "/default_tags/0/tags",
  };
}

/** A resource's `override_provider { default_tags { tags } }`, when it is written for certain. */
function overrideDefaultTags(resource: Resource): Value | undefined {
  const uncertain = Object.keys(resource.unknownForEach ?? {}).some((pointer) =>
    pointer.startsWith("/override_provider"),
  );
  if (uncertain) return undefined;
  const overrides = resource.config.override_provider;
  const override = Array.isArray(overrides) ? overrides[0] : undefined;
  const blocks = isObject(override as Value)
    ? (override as { [key: string]: Value }).default_tags
    : undefined;
  const block = Array.isArray(blocks) ? blocks[0] : undefined;
  if (!isObject(block as Value)) return undefined;
  const tags = (block as { [key: string]: Value }).tags;
  return tags === undefined || tags === null ? {} : tags;
}

/** Whether the provider's `ignore_tags` (`keys`, `key_prefixes`) leaves a tag key out. */
function ignoredTags(providerConfig: Resource | undefined): (key: string) => boolean {
  const blocks = providerConfig?.config.ignore_tags;
  const block =
    Array.isArray(blocks) && isObject(blocks[0] as Value)
      ? (blocks[0] as { [key: string]: Value })
      : {};
  const strings = (value: Value | undefined): string[] =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
  const keys = new Set(strings(block.keys));
  const prefixes = strings(block.key_prefixes);
  return (key) => keys.has(key) || prefixes.some((prefix) => key.startsWith(prefix));
}

/** Copies the places recorded at `from` and below it in `source` to `to` in `placed`. */
function copyPlaces(source: Resource, from: string, to: string, placed: Placed): void {
  for (const [pointer, location] of Object.entries(source.locations))
    if (pointer === from || pointer.startsWith(`${from}/`))
      placed.locations[to + pointer.slice(from.length)] = location;
  for (const [pointer, location] of Object.entries(source.readAt ?? {}))
    if (pointer === from || pointer.startsWith(`${from}/`))
      placed.readAt[to + pointer.slice(from.length)] = location;
}
