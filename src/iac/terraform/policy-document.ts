// Renders `data "aws_iam_policy_document"` to the JSON text the AWS provider (v5) produces, so
// `policy = data.aws_iam_policy_document.x.json` carries the real document into the model and
// policies see one shape whatever way a document was written. Also lists, for every element of
// the document, which config path it came from, so findings inside it keep their line.
import { isUnknown, type Value } from "../../model/types.js";
import { writtenPath, type PathSegment } from "../../model/pointer.js";
import { marshalJson } from "./json.js";
import { isObject, type ValueObject } from "./values.js";

/** One element of the rendered document and the config path (possibly into a JSON string) it was written at. */
export interface DocumentLink {
  document: PathSegment[];
  config: PathSegment[];
}

export interface RenderedPolicyDocument {
  /** Go `MarshalIndent(doc, "", "  ")`: the `json` attribute. */
  json: string;
  /** Go `Marshal(doc)`: the `minified_json` attribute. */
  minifiedJson: string;
  document: ValueObject;
  links: DocumentLink[];
}

interface Statement {
  body: ValueObject;
  /** Links relative to the statement (`document` starts after `Statement/<i>`). */
  links: DocumentLink[];
  sid: string;
}

/** A nested block's list; `.tf.json` may write one block as an object (links say where: `writtenPath`). */
function blocks(config: ValueObject, name: string): ValueObject[] {
  const value = config[name];
  if (value !== undefined && isObject(value)) return [value];
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/**
 * A set of strings as the provider writes it: one element alone becomes a string, several are
 * sorted in reverse (the provider's `sort.Reverse` over the set). With an unknown element the
 * written order is kept and the unknown stays visible as `{"$unknown": ...}`.
 */
function stringSet(
  value: Value,
  configPath: PathSegment[],
  documentPath: PathSegment[],
  links: DocumentLink[],
): Value | undefined {
  if (value === null || value === undefined) return undefined;
  if (isUnknown(value)) {
    links.push({ document: documentPath, config: configPath });
    return value;
  }
  const items = (Array.isArray(value) ? value : [value]).map((item, index) => ({ item, index }));
  const unique = items.filter(
    ({ item }, i) => items.findIndex((other) => other.item === item) === i,
  );
  if (unique.length === 0) return undefined;
  if (unique.length === 1) {
    // One element is written as a string, located where the element is (a variable default's
    // `["*"]`), as an element of several is.
    const only = unique[0] as { item: Value; index: number };
    const element = Array.isArray(value) ? [...configPath, only.index] : configPath;
    links.push({ document: documentPath, config: element });
    return only.item;
  }
  links.push({ document: documentPath, config: configPath });
  const ordered = unique.some(({ item }) => typeof item !== "string")
    ? unique
    : [...unique].sort((a, b) =>
        (a.item as string) < (b.item as string)
          ? 1
          : (a.item as string) > (b.item as string)
            ? -1
            : 0,
      );
  ordered.forEach(({ index }, position) =>
    links.push({ document: [...documentPath, position], config: [...configPath, index] }),
  );
  return ordered.map(({ item }) => item);
}

function principals(
  blocksOfType: ValueObject[],
  configName: string,
  base: PathSegment[],
  documentKey: string,
  links: DocumentLink[],
): Value | undefined {
  if (blocksOfType.length === 0) return undefined;
  const only = blocksOfType[0] as ValueObject;
  const identifiers = only.identifiers;
  if (
    blocksOfType.length === 1 &&
    only.type === "*" &&
    (identifiers === "*" ||
      (Array.isArray(identifiers) && identifiers.length === 1 && identifiers[0] === "*"))
  ) {
    links.push({ document: [documentKey], config: [...base, configName, 0] });
    return "*";
  }
  const byType = new Map<string, { values: Value[]; links: DocumentLink[] }>();
  blocksOfType.forEach((block, blockIndex) => {
    const type = typeof block.type === "string" ? block.type : marshalJson(block.type ?? null);
    const entry = byType.get(type) ?? { values: [], links: [] };
    byType.set(type, entry);
    const local: DocumentLink[] = [];
    const rendered = stringSet(
      block.identifiers ?? null,
      [...base, configName, blockIndex, "identifiers"],
      [],
      local,
    );
    const offset = entry.values.length;
    if (Array.isArray(rendered)) entry.values.push(...rendered);
    else if (rendered !== undefined) entry.values.push(rendered);
    for (const link of local) {
      const [position, ...rest] = link.document;
      entry.links.push({
        document: [typeof position === "number" ? position + offset : offset, ...rest],
        config: link.config,
      });
    }
    if (local.length === 0)
      entry.links.push({ document: [], config: [...base, configName, blockIndex] });
  });
  const result: ValueObject = {};
  links.push({ document: [documentKey], config: [...base, configName, 0] });
  for (const type of [...byType.keys()].sort()) {
    const entry = byType.get(type) as { values: Value[]; links: DocumentLink[] };
    result[type] = entry.values.length === 1 ? (entry.values[0] as Value) : entry.values;
    for (const link of entry.links) {
      const single = entry.values.length === 1;
      links.push({
        document: [documentKey, type, ...(single ? link.document.slice(1) : link.document)],
        config: link.config,
      });
    }
  }
  return result;
}

/** A condition's operator or key as its JSON name; an unknown one (a `dynamic` block's iterator value) as its own JSON text, as principals' types are. */
function conditionName(value: Value | undefined): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : marshalJson(value);
}

function conditions(
  blocksOfCondition: ValueObject[],
  base: PathSegment[],
  links: DocumentLink[],
): Value | undefined {
  if (blocksOfCondition.length === 0) return undefined;
  const grouped = new Map<string, Map<string, { values: Value[]; links: DocumentLink[] }>>();
  blocksOfCondition.forEach((block, blockIndex) => {
    const test = conditionName(block.test);
    const variable = conditionName(block.variable);
    const byVariable =
      grouped.get(test) ?? new Map<string, { values: Value[]; links: DocumentLink[] }>();
    grouped.set(test, byVariable);
    const entry = byVariable.get(variable) ?? { values: [], links: [] };
    byVariable.set(variable, entry);
    const local: DocumentLink[] = [];
    const rendered = stringSet(
      block.values ?? [],
      [...base, "condition", blockIndex, "values"],
      [],
      local,
    );
    const offset = entry.values.length;
    if (Array.isArray(rendered)) entry.values.push(...rendered);
    else if (rendered !== undefined) entry.values.push(rendered);
    entry.links.push({ document: [], config: [...base, "condition", blockIndex] });
    for (const link of local) {
      const [position] = link.document;
      if (typeof position === "number")
        entry.links.push({ document: [position + offset], config: link.config });
    }
  });
  const result: ValueObject = {};
  links.push({ document: ["Condition"], config: [...base, "condition", 0] });
  for (const test of [...grouped.keys()].sort()) {
    const byVariable = grouped.get(test) as Map<string, { values: Value[]; links: DocumentLink[] }>;
    const rendered: ValueObject = {};
    for (const variable of [...byVariable.keys()].sort()) {
      const entry = byVariable.get(variable) as { values: Value[]; links: DocumentLink[] };
      const single = entry.values.length === 1;
      rendered[variable] = single ? (entry.values[0] as Value) : entry.values;
      for (const link of entry.links) {
        if (link.document.length === 0) {
          links.push({ document: ["Condition", test], config: link.config });
          links.push({ document: ["Condition", test, variable], config: link.config });
        } else if (!single)
          links.push({
            document: ["Condition", test, variable, ...link.document],
            config: link.config,
          });
      }
    }
    result[test] = rendered;
  }
  return result;
}

function statementFromBlock(block: ValueObject, index: number): Statement {
  const base: PathSegment[] = ["statement", index];
  const links: DocumentLink[] = [{ document: [], config: base }];
  const body: ValueObject = {};
  const sid = typeof block.sid === "string" ? block.sid : "";
  if (block.sid !== undefined && block.sid !== null && block.sid !== "") {
    body.Sid = block.sid;
    links.push({ document: ["Sid"], config: [...base, "sid"] });
  }
  body.Effect = block.effect ?? "Allow";
  links.push({
    document: ["Effect"],
    config: block.effect === undefined ? base : [...base, "effect"],
  });
  const lists: [string, string][] = [
    ["actions", "Action"],
    ["not_actions", "NotAction"],
    ["resources", "Resource"],
    ["not_resources", "NotResource"],
  ];
  for (const [configName, documentKey] of lists) {
    const rendered = stringSet(
      block[configName] ?? null,
      [...base, configName],
      [documentKey],
      links,
    );
    if (rendered !== undefined) body[documentKey] = rendered;
  }
  const principal = principals(blocks(block, "principals"), "principals", base, "Principal", links);
  if (principal !== undefined) body.Principal = principal;
  const notPrincipal = principals(
    blocks(block, "not_principals"),
    "not_principals",
    base,
    "NotPrincipal",
    links,
  );
  if (notPrincipal !== undefined) body.NotPrincipal = notPrincipal;
  const condition = conditions(blocks(block, "condition"), base, links);
  if (condition !== undefined) body.Condition = condition;
  return { body, links, sid };
}

/** Statements of a JSON policy given as a string (source or override document), kept as written. */
function statementsFromText(text: Value, configPath: PathSegment[]): Statement[] {
  if (typeof text !== "string") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!isObject(parsed as Value)) return [];
  const raw = (parsed as ValueObject).Statement;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.filter(isObject).map((body, index) => ({
    body,
    sid: typeof body.Sid === "string" ? body.Sid : "",
    links: [
      {
        document: [],
        config: [...configPath, "Statement", ...(Array.isArray(raw) ? [index] : [])],
      },
    ],
  }));
}

/** The provider's merge: a statement with the Sid of an earlier one replaces it in place, others append. */
function mergeStatements(base: Statement[], incoming: Statement[]): Statement[] {
  const result = [...base];
  for (const statement of incoming) {
    const at =
      statement.sid === "" ? -1 : result.findIndex((existing) => existing.sid === statement.sid);
    if (at >= 0) result[at] = statement;
    else result.push(statement);
  }
  return result;
}

/** Renders the data source from its evaluated config (nested blocks as lists of objects). */
export function renderPolicyDocument(config: ValueObject): RenderedPolicyDocument {
  const sourceTexts = Array.isArray(config.source_policy_documents)
    ? config.source_policy_documents
    : [];
  const overrideTexts = Array.isArray(config.override_policy_documents)
    ? config.override_policy_documents
    : [];
  let statements: Statement[] = [];
  sourceTexts.forEach(
    (text, i) =>
      (statements = mergeStatements(
        statements,
        statementsFromText(text, ["source_policy_documents", i]),
      )),
  );
  statements = mergeStatements(statements, blocks(config, "statement").map(statementFromBlock));
  overrideTexts.forEach(
    (text, i) =>
      (statements = mergeStatements(
        statements,
        statementsFromText(text, ["override_policy_documents", i]),
      )),
  );

  const document: ValueObject = { Version: config.version ?? "2012-10-17" };
  const links: DocumentLink[] = [
    { document: ["Version"], config: config.version === undefined ? [] : ["version"] },
  ];
  if (config.policy_id !== undefined && config.policy_id !== null && config.policy_id !== "") {
    document.Id = config.policy_id;
    links.push({ document: ["Id"], config: ["policy_id"] });
  }
  document.Statement = statements.map((statement) => statement.body);
  statements.forEach((statement, i) => {
    for (const link of statement.links)
      links.push({
        document: ["Statement", i, ...link.document],
        config: writtenPath(config, link.config),
      });
  });
  return {
    json: marshalJson(document, { indent: "  ", keepKeyOrder: true }),
    minifiedJson: marshalJson(document, { keepKeyOrder: true }),
    document,
    links,
  };
}
