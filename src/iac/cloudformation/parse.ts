// Reads a CloudFormation template into a small tree of plain nodes with source spans, short-form
// tags (`!Ref X`) rewritten to their long form (`{ Ref: X }`). YAML goes through the `yaml`
// package's positioned parser; text opening with `{` through the JSON reader first (same tree,
// faster) and falls back to YAML, since flow-style YAML opens with `{` too.
// Bounds live here because this is the only place that sees untrusted structure: nesting depth
// is checked on the concrete syntax tree before composing (the composer recurses and a
// 10 000-deep `[[[...` exhausts it), and alias expansion is metered while converting.

import { Composer, isAlias, isMap, isScalar, isSeq, LineCounter, Parser } from "yaml";
import type { CST, Document, ScalarTag, Node as YamlNode } from "yaml";
import type { LoadError, SourceLocation } from "../../model/types.js";
import { DEFAULT_MAX_FILE_BYTES } from "../files.js";
import { readJson, type JsonNode, type JsonString } from "../json/index.js";
import type { SourceFile } from "../source.js";

/** Character offsets into the file text; `end` is one past the last character of the value. */
export interface Span {
  start: number;
  end: number;
}

export type TemplateScalar = string | number | boolean | null;

export type TemplateNode = (
  | { kind: "scalar"; value: TemplateScalar; span: Span }
  | { kind: "sequence"; items: TemplateNode[]; span: Span }
  | { kind: "mapping"; entries: TemplateEntry[]; span: Span }
) & {
  /**
   * A YAML alias's expansion (`SecurityGroupIngress: *rules`, or a value a merge key `<<: *base`
   * brings in): where the alias is written. `span` is the anchor's content, where the value is.
   */
  alias?: Span;
};

export interface TemplateEntry {
  key: string;
  keySpan: Span;
  value: TemplateNode;
  /**
   * An entry a `Fn::ForEach` generated (foreach.ts): what made it, innermost loop first: the
   * collection's item it was generated for, or the whole collection when that is a `!Ref`.
   */
  generatedBy?: TemplateNode[];
}

export interface ParsedTemplate {
  root: TemplateNode | null;
  /** With a root, these are warnings (unknown tags) and the tree is usable. */
  errors: LoadError[];
  /** Where a span starts and ends in this file; `endColumn` is one past its last character. */
  locate(span: Span): SourceLocation;
}

export const MAX_NESTING_DEPTH = 64;
/** A raw bracket count this far past the depth limit is refused before the (slower) CST parse. */
const BRACKET_PRESCAN_LIMIT = 1024;
/**
 * The `yaml` parser reads flow style (`[a, b]`, `{k: v}`) at 0.2-0.3 MB/s, about 10 µs per item
 * (bench/cloudformation.ts), so a 2 MiB flow-heavy file would take ten seconds. Real YAML
 * templates hold a few hundred; JSON templates take the JSON reader and never count.
 */
const MAX_FLOW_INDICATORS = 20_000;
/** Text meant as JSON: its first significant character opens an object. */
const OPENS_AN_OBJECT = /^\uFEFF?[ \t\n\r]*\{/;
/** Alias uses followed while expanding, nested ones included; templates in the wild use a handful. */
const MAX_ALIAS_EXPANSIONS = 1000;

/** Every short-form tag CloudFormation defines, and the long-form key it stands for. */
const SHORT_FORM_TAGS: Record<string, string> = {
  "!Ref": "Ref",
  "!Condition": "Condition",
  "!GetAtt": "Fn::GetAtt",
  "!Sub": "Fn::Sub",
  "!Join": "Fn::Join",
  "!If": "Fn::If",
  "!Select": "Fn::Select",
  "!Split": "Fn::Split",
  "!FindInMap": "Fn::FindInMap",
  "!Base64": "Fn::Base64",
  "!Cidr": "Fn::Cidr",
  "!GetAZs": "Fn::GetAZs",
  "!ImportValue": "Fn::ImportValue",
  "!Equals": "Fn::Equals",
  "!And": "Fn::And",
  "!Or": "Fn::Or",
  "!Not": "Fn::Not",
  "!Transform": "Fn::Transform",
  "!Length": "Fn::Length",
  "!ToJsonString": "Fn::ToJsonString",
};

/**
 * CloudFormation reads YAML 1.1 (template-formats page), where plain yes/no/on/off are booleans:
 * `StorageEncrypted: no` deploys unencrypted and a tag `Value: YES` becomes "true" (aws/aws-cli#5257
 * quotes them for that reason). The `yaml` package's default 1.2 schema reads them as strings, so
 * the template's core schema gets them added; `y`/`n` stay strings, as PyYAML (the AWS CLI) reads them.
 */
const YAML_11_BOOLEAN: ScalarTag = {
  tag: "tag:yaml.org,2002:bool",
  default: true,
  test: /^(?:[Yy]es|YES|[Nn]o|NO|[Oo]n|ON|[Oo]ff|OFF)$/,
  resolve: (text) => /^(?:yes|on)$/i.test(text),
};

export function parseTemplate(file: SourceFile): ParsedTemplate {
  // The fetch stage refuses such files already; a loader fed from elsewhere stays bounded too,
  // before even indexing its lines.
  const size = Buffer.byteLength(file.text);
  if (size > DEFAULT_MAX_FILE_BYTES) {
    const message = `${size} bytes, over the limit of ${DEFAULT_MAX_FILE_BYTES} bytes for one template`;
    return refuse(indexLines({ path: file.path, text: "" }), 0, "file-too-large", message);
  }
  const lines = indexLines(file);
  if (!OPENS_AN_OBJECT.test(file.text)) return parseYaml(file, lines, null);
  const json = readJson(file.text, MAX_NESTING_DEPTH);
  if ("error" in json && json.error.tooDeep)
    return refuse(lines, json.error.offset, "json-too-deep", tooDeepMessage());
  const template = "root" in json ? fromJson(file.text, json.root) : { problem: json.error };
  if ("root" in template) return { root: template.root, errors: [], locate: lines.locate };
  // Flow-style YAML (`{Resources: ...}`) starts with `{` too: try it before reporting the JSON error.
  return parseYaml(file, lines, template.problem);
}

/** Where JSON text stops being a template, and why (reported when YAML cannot read it either). */
interface JsonProblem {
  offset: number;
  message: string;
}

/** A JSON template as template nodes; a key repeated in one object is an error, as in YAML. */
function fromJson(text: string, root: JsonNode): { root: TemplateNode } | { problem: JsonProblem } {
  const repeatedKeys: JsonString[] = [];
  const convert = (node: JsonNode): TemplateNode => {
    const span = { start: node.start, end: node.end };
    if (node.kind === "array") return { kind: "sequence", items: node.elements.map(convert), span };
    if (node.kind === "scalar") {
      // Like the YAML path: a number JSON cannot hold (1e400) keeps its text.
      const { value } = node;
      const scalar =
        typeof value === "number" && !Number.isFinite(value)
          ? text.slice(span.start, span.end)
          : value;
      return { kind: "scalar", value: scalar, span };
    }
    const keys = new Set<string>();
    const entries = node.members.map(({ key, value }): TemplateEntry => {
      if (keys.has(key.value)) repeatedKeys.push(key);
      keys.add(key.value);
      return { key: key.value, keySpan: { start: key.start, end: key.end }, value: convert(value) };
    });
    return { kind: "mapping", entries, span };
  };
  const template = convert(root);
  const repeated = repeatedKeys[0];
  if (repeated === undefined) return { root: template };
  return { problem: { offset: repeated.start, message: `duplicate key "${repeated.value}"` } };
}

/** The YAML path alone, whatever the text looks like (the JSON reader is checked against it). */
export function parseYamlTemplate(file: SourceFile): ParsedTemplate {
  return parseYaml(file, indexLines(file), null);
}

interface LineIndex {
  locate(span: Span): SourceLocation;
  errorAt(offset: number, code: string, message: string): LoadError;
}

/** Lines are indexed up front: the JSON reader does not count them, and the YAML parser must not run on some inputs. */
function indexLines(file: SourceFile): LineIndex {
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  for (
    let newline = file.text.indexOf("\n");
    newline !== -1;
    newline = file.text.indexOf("\n", newline + 1)
  ) {
    lineCounter.addNewLine(newline + 1);
  }
  return {
    locate(span) {
      const start = lineCounter.linePos(span.start);
      const end = lineCounter.linePos(Math.max(span.start, span.end - 1));
      return {
        file: file.path,
        line: start.line,
        column: start.col,
        endLine: end.line,
        endColumn: end.col + 1,
      };
    },
    errorAt(offset, code, message) {
      const { line, col } = lineCounter.linePos(offset);
      return { file: file.path, line, column: col, code, message };
    },
  };
}

function refuse(lines: LineIndex, offset: number, code: string, message: string): ParsedTemplate {
  return { root: null, errors: [lines.errorAt(offset, code, message)], locate: lines.locate };
}

function parseYaml(
  file: SourceFile,
  lines: LineIndex,
  jsonProblem: JsonProblem | null,
): ParsedTemplate {
  const text = file.text;
  const flow = scanFlowIndicators(text);
  if (flow.tooDeepAt !== -1)
    return refuse(lines, flow.tooDeepAt, "yaml-too-deep", tooDeepMessage());
  if (flow.count > MAX_FLOW_INDICATORS) {
    if (jsonProblem !== null)
      return refuse(lines, jsonProblem.offset, "json-syntax", jsonProblem.message);
    return refuse(
      lines,
      0,
      "yaml-too-complex",
      `${flow.count} flow-style brackets and commas, over the ${MAX_FLOW_INDICATORS} the YAML parser reads in reasonable time; write the template in block style or as JSON`,
    );
  }
  const tokens = [...new Parser().parse(text)];
  const shape = measureSyntaxTree(tokens);
  if (shape.tooDeepAt !== -1)
    return refuse(lines, shape.tooDeepAt, "yaml-too-deep", tooDeepMessage());

  const documents = [
    ...new Composer({ uniqueKeys: true, customTags: [YAML_11_BOOLEAN] }).compose(
      tokens,
      true,
      text.length,
    ),
  ];
  const document = documents[0];
  if (document === undefined) return { root: null, errors: [], locate: lines.locate };
  const syntaxErrors = documents.flatMap((doc) => doc.errors);
  if (jsonProblem !== null && syntaxErrors.length > 0)
    return refuse(lines, jsonProblem.offset, "json-syntax", jsonProblem.message);
  if (syntaxErrors.length > 0) {
    const errors = syntaxErrors.map((error) =>
      lines.errorAt(error.pos[0], "yaml-syntax", firstLine(error.message)),
    );
    return { root: null, errors, locate: lines.locate };
  }
  if (documents.length > 1) {
    const second = documents[1]?.contents?.range?.[0] ?? 0;
    return refuse(
      lines,
      second,
      "yaml-multiple-documents",
      "a template is one YAML document; remove the `---` separated documents after the first",
    );
  }

  const converter = new TreeConverter(text, document, 2 * shape.nodeCount + 10_000);
  const root = document.contents === null ? null : converter.convert(document.contents, 1);
  if (converter.problem !== null)
    return refuse(
      lines,
      converter.problem.offset,
      converter.problem.code,
      converter.problem.message,
    );
  const warnings = converter.unknownTags.map((tag) =>
    lines.errorAt(
      tag.offset,
      "cfn-unknown-tag",
      `${tag.tag} is not a CloudFormation tag; the value is read as if untagged`,
    ),
  );
  return { root, errors: warnings, locate: lines.locate };
}

function tooDeepMessage(): string {
  return `nesting deeper than ${MAX_NESTING_DEPTH} levels; flatten the structure (CloudFormation templates never need this depth)`;
}

function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
}

/**
 * A cheap guard before the YAML parser: counts flow brackets and commas without reading quotes,
 * so it over-counts only text that holds a thousand unbalanced brackets or twenty thousand
 * commas, which no template does. `tooDeepAt` is where the bracket depth passes the limit.
 */
function scanFlowIndicators(text: string): { tooDeepAt: number; count: number } {
  let depth = 0;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      count++;
      if (++depth > BRACKET_PRESCAN_LIMIT) return { tooDeepAt: i, count };
    } else if (c === 0x5d || c === 0x7d) {
      if (depth > 0) depth--;
    } else if (c === 0x2c) {
      count++;
    }
  }
  return { tooDeepAt: -1, count };
}

/** Depth and node count of the concrete syntax tree, walked with an explicit stack. */
function measureSyntaxTree(tokens: CST.Token[]): { tooDeepAt: number; nodeCount: number } {
  const stack: Array<{ token: CST.Token; depth: number }> = tokens.map((token) => ({
    token,
    depth: 0,
  }));
  let nodeCount = 0;
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { token, depth } = next;
    nodeCount++;
    if (token.type === "document") {
      if (token.value) stack.push({ token: token.value, depth });
      continue;
    }
    if (
      token.type !== "block-map" &&
      token.type !== "block-seq" &&
      token.type !== "flow-collection"
    )
      continue;
    if (depth + 1 > MAX_NESTING_DEPTH) return { tooDeepAt: token.offset, nodeCount };
    for (const item of token.items) {
      if (item.key) stack.push({ token: item.key, depth: depth + 1 });
      if (item.value) stack.push({ token: item.value, depth: depth + 1 });
    }
  }
  return { tooDeepAt: -1, nodeCount };
}

interface ConversionProblem {
  offset: number;
  code: string;
  message: string;
}

/** Turns composed YAML nodes into template nodes, following aliases under a node budget. */
class TreeConverter {
  problem: ConversionProblem | null = null;
  /** Local tags (`!Foo`) CloudFormation does not define; YAML's own (`!!str`) resolve as usual. */
  readonly unknownTags: Array<{ offset: number; tag: string }> = [];
  private nodesLeft: number;
  private aliasesLeft = MAX_ALIAS_EXPANSIONS;

  constructor(
    private readonly text: string,
    private readonly document: Document.Parsed,
    nodeBudget: number,
  ) {
    this.nodesLeft = nodeBudget;
  }

  /** `aliasAt`: where the outermost alias being expanded is written, the place to report problems. */
  convert(node: YamlNode | null, depth: number, aliasAt?: number): TemplateNode | null {
    if (this.problem !== null || node === null) return null;
    const at = aliasAt ?? node.range?.[0] ?? 0;
    if (--this.nodesLeft < 0 || depth > MAX_NESTING_DEPTH) {
      this.problem =
        depth > MAX_NESTING_DEPTH
          ? { offset: at, code: "yaml-too-deep", message: tooDeepMessage() }
          : {
              offset: at,
              code: "yaml-alias-bomb",
              message:
                "aliases expand to far more nodes than the document holds; remove the nested aliases",
            };
      return null;
    }
    if (isAlias(node)) {
      if (--this.aliasesLeft < 0) {
        this.problem = {
          offset: at,
          code: "yaml-alias-bomb",
          message: `more than ${MAX_ALIAS_EXPANSIONS} alias expansions; remove the nested aliases`,
        };
        return null;
      }
      const target = node.resolve(this.document);
      if (target === undefined) {
        this.problem = {
          offset: at,
          code: "yaml-syntax",
          message: `alias *${node.source} has no anchor before it`,
        };
        return null;
      }
      const expanded = this.convert(target, depth, at);
      const range = node.range ?? [at, at, at];
      const alias = { start: range[0], end: this.trimEnd(range[0], range[1]) };
      return expanded === null ? null : { ...expanded, alias };
    }
    const converted = this.convertUntagged(node, depth, aliasAt);
    const tag = node.tag;
    const longForm = tag === undefined ? undefined : SHORT_FORM_TAGS[tag];
    if (converted === null || tag === undefined) return converted;
    const tagStart = this.text.lastIndexOf(tag, converted.span.start);
    if (longForm === undefined) {
      if (!tag.startsWith("tag:yaml.org,2002:") && aliasAt === undefined) {
        this.unknownTags.push({ offset: tagStart === -1 ? converted.span.start : tagStart, tag });
      }
      return converted;
    }
    const tagSpan = {
      start: tagStart === -1 ? converted.span.start : tagStart,
      end: converted.span.end,
    };
    return {
      kind: "mapping",
      entries: [{ key: longForm, keySpan: tagSpan, value: converted }],
      span: tagSpan,
    };
  }

  private convertUntagged(
    node: YamlNode,
    depth: number,
    aliasAt: number | undefined,
  ): TemplateNode | null {
    const range = node.range ?? [0, 0, 0];
    if (isScalar(node)) {
      return {
        kind: "scalar",
        value: scalarValue(node.value, node.source),
        span: { start: range[0], end: this.trimEnd(range[0], range[1]) },
      };
    }
    if (isSeq(node)) {
      const items: TemplateNode[] = [];
      for (const item of node.items) {
        const converted = this.convert(item as YamlNode | null, depth + 1, aliasAt);
        if (converted === null) return null;
        items.push(converted);
      }
      return {
        kind: "sequence",
        items,
        span: this.collectionSpan(node.flow === true, range, items.at(-1)?.span),
      };
    }
    if (isMap(node)) {
      let entries: TemplateEntry[] = [];
      const merges: Array<{ at: number; entries: TemplateEntry[] }> = [];
      for (const pair of node.items) {
        const key = pair.key as YamlNode | null;
        if (!isScalar(key)) {
          this.problem = {
            offset: aliasAt ?? key?.range?.[0] ?? range[0],
            code: "yaml-complex-key",
            message: "mapping keys must be plain strings in a template",
          };
          return null;
        }
        if (key.type === "PLAIN" && key.source === "<<" && key.tag === undefined) {
          const merged = this.mergedEntries(pair.value as YamlNode | null, depth, aliasAt, key);
          if (merged === null) return null;
          merges.push({ at: entries.length, entries: merged });
          continue;
        }
        const keySpan = {
          start: key.range?.[0] ?? range[0],
          end: this.trimEnd(key.range?.[0] ?? range[0], key.range?.[1] ?? range[0]),
        };
        const value =
          pair.value === null ? null : this.convert(pair.value as YamlNode, depth + 1, aliasAt);
        if (this.problem !== null) return null;
        entries.push({
          key: typeof key.value === "string" ? key.value : String(key.source ?? key.value),
          keySpan,
          value: value ?? {
            kind: "scalar",
            value: null,
            span: { start: keySpan.end, end: keySpan.end },
          },
        });
      }
      if (merges.length > 0) entries = withMergedEntries(entries, merges);
      const last = entries.at(-1);
      return {
        kind: "mapping",
        entries,
        span: this.collectionSpan(
          node.flow === true,
          range,
          last && {
            start: last.keySpan.start,
            end: Math.max(last.keySpan.end, last.value.span.end),
          },
        ),
      };
    }
    return { kind: "scalar", value: null, span: { start: range[0], end: range[0] } };
  }

  /**
   * The entries a YAML 1.1 merge key (`<<: *base`, `<<: [*a, *b]`) brings in. CloudFormation
   * itself refuses aliases and merges, but `aws cloudformation package` and `sam` expand both
   * before deploying (aws/aws-cli#3827, PyYAML's merge), so a template using them deploys with
   * the merged keys; read as a plain `<<` key, their properties went unchecked.
   */
  private mergedEntries(
    value: YamlNode | null,
    depth: number,
    aliasAt: number | undefined,
    key: YamlNode,
  ): TemplateEntry[] | null {
    const merged = value === null ? null : this.convert(value, depth + 1, aliasAt);
    if (this.problem !== null) return null;
    const sources =
      merged?.kind === "mapping"
        ? [merged]
        : merged?.kind === "sequence" && merged.items.every((item) => item.kind === "mapping")
          ? merged.items
          : null;
    if (sources === null) {
      this.problem = {
        offset: aliasAt ?? key.range?.[0] ?? 0,
        code: "yaml-merge",
        message:
          "the merge key << takes a mapping or a list of mappings, such as *name or [*a, *b]",
      };
      return null;
    }
    // A merged value is the anchor's, brought in where the merge key names it.
    return sources.flatMap((source) =>
      source.kind !== "mapping"
        ? []
        : source.entries.map((entry) =>
            source.alias === undefined || entry.value.alias !== undefined
              ? entry
              : { ...entry, value: { ...entry.value, alias: source.alias } },
          ),
    );
  }

  /** A block collection ends where its last item does (its raw range runs over trailing comments). */
  private collectionSpan(
    flow: boolean,
    range: [number, number, number],
    lastItem: Span | undefined,
  ): Span {
    if (flow || lastItem === undefined)
      return { start: range[0], end: this.trimEnd(range[0], range[1]) };
    return { start: range[0], end: lastItem.end };
  }

  private trimEnd(start: number, end: number): number {
    let trimmed = end;
    while (trimmed > start && /\s/.test(this.text[trimmed - 1] ?? "")) trimmed--;
    return trimmed;
  }
}

/**
 * A mapping's own entries with those of its merge keys placed where each `<<` is written, as YAML
 * 1.1 merges: a key the mapping gives itself wins, then the first merged mapping that gives it.
 */
function withMergedEntries(
  own: TemplateEntry[],
  merges: Array<{ at: number; entries: TemplateEntry[] }>,
): TemplateEntry[] {
  const taken = new Set(own.map((entry) => entry.key));
  const out: TemplateEntry[] = [];
  let next = 0;
  for (const merge of merges) {
    out.push(...own.slice(next, merge.at));
    next = merge.at;
    for (const entry of merge.entries) {
      if (taken.has(entry.key)) continue;
      taken.add(entry.key);
      out.push(entry);
    }
  }
  out.push(...own.slice(next));
  return out;
}

/** Plain JSON only: a YAML `.inf`/`.nan` or an out-of-range number keeps its source text. */
function scalarValue(value: unknown, source: string | undefined): TemplateScalar {
  if (typeof value === "number") return Number.isFinite(value) ? value : (source ?? String(value));
  if (typeof value === "string" || typeof value === "boolean" || value === null) return value;
  return source ?? String(value);
}
