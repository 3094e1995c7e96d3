// AWS SAM, only as far as a scanner needs: recognising the transform, and merging the
// `Globals` section into each `AWS::Serverless::*` resource before evaluation, at the node
// level, so merged-in properties keep the lines where `Globals` writes them.

import { asIntrinsic } from "./evaluate.js";
import type { TemplateEntry, TemplateNode } from "./parse.js";

const SAM_TRANSFORM = "AWS::Serverless-2016-10-31";

export function declaresSamTransform(transform: TemplateNode | undefined): boolean {
  if (transform === undefined) return false;
  const names = transform.kind === "sequence" ? transform.items : [transform];
  return names.some((name) => name.kind === "scalar" && name.value === SAM_TRANSFORM);
}

/** `Globals.Function` applies to `AWS::Serverless::Function`, `Globals.Api` to `...::Api`, and so on. */
export function globalsFor(
  globals: TemplateNode | undefined,
  resourceType: string,
): TemplateNode | undefined {
  if (globals?.kind !== "mapping" || !resourceType.startsWith("AWS::Serverless::"))
    return undefined;
  const section = resourceType.slice("AWS::Serverless::".length);
  return globals.entries.find((entry) => entry.key === section)?.value;
}

/**
 * SAM's merge rules: maps merge key by key with the resource winning, lists concatenate
 * (globals first), and anything else, intrinsics included, is the resource's own value.
 */
export function mergeGlobals(global: TemplateNode, own: TemplateNode | undefined): TemplateNode {
  if (own === undefined) return global;
  if (global.kind === "sequence" && own.kind === "sequence") {
    return { kind: "sequence", items: [...global.items, ...own.items], span: own.span };
  }
  if (
    global.kind !== "mapping" ||
    own.kind !== "mapping" ||
    asIntrinsic(global) !== null ||
    asIntrinsic(own) !== null
  ) {
    return own;
  }
  const entries: TemplateEntry[] = global.entries
    .filter((entry) => !own.entries.some((ownEntry) => ownEntry.key === entry.key))
    .concat(
      own.entries.map((entry) => {
        const inherited = global.entries.find((globalEntry) => globalEntry.key === entry.key);
        return inherited === undefined
          ? entry
          : { ...entry, value: mergeGlobals(inherited.value, entry.value) };
      }),
    );
  return { kind: "mapping", entries, span: own.span };
}
