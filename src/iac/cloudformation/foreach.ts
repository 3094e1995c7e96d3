// `Fn::ForEach::<Name>` (the AWS::LanguageExtensions transform): each loop in a section (Resources,
// Conditions, Outputs), inside resource properties too, is replaced by the entries it generates
// before evaluation, so a generated resource loads like a written one. Generated nodes keep the
// spans of the loop's output template: findings point at the lines written in the template, and
// each generated entry names the collection item that made it (`generatedBy`), which decides
// that it exists, as a Terraform `for_each` element does an instance.
// A collection the template alone cannot give (a parameter without default) is a located warning,
// and its output is loaded once with the identifier left unresolved, so its values are unknown.

import type { Value } from "../../model/types.js";
import { isUnknown } from "../../model/types.js";
import type { Span, TemplateEntry, TemplateNode } from "./parse.js";

const LOOP_PREFIX = "Fn::ForEach::";
/** Iterations all loops of one section may run (nested loops multiply; each copies its output). */
export const MAX_ITERATIONS = 2000;
const IDENTIFIER = /^[A-Za-z0-9]+$/;

export interface ForEachContext {
  /** Parameter values (CommaDelimitedList defaults already split), for `!Ref Param` collections. */
  parameters: ReadonlyMap<string, Value>;
  report(span: Span, code: string, message: string, level?: "warning"): void;
}

/** Whether a section or mapping holds a loop anywhere (most templates have none: no copying then). */
function hasLoop(node: TemplateNode): boolean {
  if (node.kind === "scalar") return false;
  if (node.kind === "sequence") return node.items.some(hasLoop);
  return node.entries.some((entry) => entry.key.startsWith(LOOP_PREFIX) || hasLoop(entry.value));
}

/** The node with every `Fn::ForEach` in it expanded; the node itself when it has none. */
export function expandForEach(node: TemplateNode, context: ForEachContext): TemplateNode {
  if (!hasLoop(node)) return node;
  const budget = { left: MAX_ITERATIONS, exhausted: false };
  return expand(node, context, budget);
}

interface Budget {
  left: number;
  exhausted: boolean;
}

function expand(node: TemplateNode, context: ForEachContext, budget: Budget): TemplateNode {
  if (node.kind === "scalar") return node;
  if (node.kind === "sequence")
    return { ...node, items: node.items.map((item) => expand(item, context, budget)) };
  const entries: TemplateEntry[] = [];
  for (const entry of node.entries) {
    if (entry.key.startsWith(LOOP_PREFIX)) entries.push(...loop(entry, context, budget));
    else entries.push({ ...entry, value: expand(entry.value, context, budget) });
  }
  return { ...node, entries };
}

/** The entries one `Fn::ForEach::Name: [Identifier, Collection, {OutputKey: OutputValue}]` generates. */
function loop(entry: TemplateEntry, context: ForEachContext, budget: Budget): TemplateEntry[] {
  const [identifierNode, collectionNode, output] =
    entry.value.kind === "sequence" ? entry.value.items : [];
  const identifier =
    identifierNode?.kind === "scalar" && typeof identifierNode.value === "string"
      ? identifierNode.value
      : null;
  if (
    entry.value.kind !== "sequence" ||
    entry.value.items.length !== 3 ||
    identifier === null ||
    !IDENTIFIER.test(identifier) ||
    collectionNode === undefined ||
    output?.kind !== "mapping"
  ) {
    context.report(
      entry.value.span,
      "cfn-foreach",
      `${entry.key} takes [Identifier (letters and digits), [values...] or !Ref ListParameter, {OutputKey: OutputValue}]`,
    );
    return [];
  }
  const collection = collectionValues(collectionNode, context);
  if (collection === null) {
    context.report(
      collectionNode.span,
      "cfn-foreach-unknown-collection",
      `${entry.key}: the collection cannot be known from the template, so its output is loaded once with ${identifier} unknown`,
      "warning",
    );
    const once = expand(output, context, budget);
    return once.kind === "mapping" ? once.entries : [];
  }
  const generated: TemplateEntry[] = [];
  for (const [index, value] of collection.entries()) {
    if (budget.left <= 0) {
      if (!budget.exhausted)
        context.report(
          entry.keySpan,
          "cfn-foreach-limit",
          `Fn::ForEach loops here run more than ${MAX_ITERATIONS} iterations; what the rest would generate is not loaded`,
        );
      budget.exhausted = true;
      break;
    }
    budget.left--;
    const expanded = expand(substitute(output, identifier, value), context, budget);
    const item = collectionNode.kind === "sequence" ? collectionNode.items[index] : undefined;
    const madeBy = item ?? collectionNode;
    if (expanded.kind === "mapping")
      for (const generatedEntry of expanded.entries)
        generated.push({
          ...generatedEntry,
          generatedBy: [...(generatedEntry.generatedBy ?? []), madeBy],
        });
  }
  return generated;
}

/** A written list of strings, or a `!Ref` to a list parameter the template gives a value. */
function collectionValues(node: TemplateNode, context: ForEachContext): string[] | null {
  if (node.kind === "sequence") {
    const values = node.items.map((item) =>
      item.kind === "scalar" && item.value !== null ? String(item.value) : null,
    );
    return values.every((value) => value !== null) ? (values as string[]) : null;
  }
  const ref =
    node.kind === "mapping" && node.entries.length === 1 && node.entries[0]?.key === "Ref"
      ? node.entries[0].value
      : undefined;
  if (ref?.kind !== "scalar" || typeof ref.value !== "string") return null;
  const value = context.parameters.get(ref.value);
  if (value === undefined || isUnknown(value)) return null;
  const list = Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : null;
  if (list === null || !list.every((item) => typeof item === "string")) return null;
  return list.map((item) => (item as string).trim());
}

/**
 * The output template with the identifier replaced, as CloudFormation does: `${Id}` and `&{Id}`
 * (letters and digits only) in keys, `!Ref Id`, and `${Id}` / `&{Id}` in `Fn::Sub` strings.
 */
function substitute(node: TemplateNode, identifier: string, value: string): TemplateNode {
  const alphanumeric = value.replace(/[^A-Za-z0-9]/g, "");
  const inText = (text: string): string =>
    text.replaceAll(`\${${identifier}}`, value).replaceAll(`&{${identifier}}`, alphanumeric);
  const walk = (current: TemplateNode): TemplateNode => {
    if (current.kind === "scalar") return current;
    if (current.kind === "sequence") return { ...current, items: current.items.map(walk) };
    const only = current.entries.length === 1 ? current.entries[0] : undefined;
    if (only?.key === "Ref" && only.value.kind === "scalar" && only.value.value === identifier)
      return { kind: "scalar", value, span: current.span };
    if (only?.key === "Fn::Sub") {
      const argument = only.value;
      if (argument.kind === "scalar" && typeof argument.value === "string")
        return {
          ...current,
          entries: [{ ...only, value: { ...argument, value: inText(argument.value) } }],
        };
      if (argument.kind === "sequence") {
        const [template, ...rest] = argument.items;
        const text =
          template?.kind === "scalar" && typeof template.value === "string"
            ? { ...template, value: inText(template.value) }
            : template;
        const items = text === undefined ? [] : [text, ...rest.map(walk)];
        return { ...current, entries: [{ ...only, value: { ...argument, items } }] };
      }
    }
    return {
      ...current,
      entries: current.entries.map((entry) => ({
        ...entry,
        key: inText(entry.key),
        value: walk(entry.value),
      })),
    };
  };
  return walk(node);
}
