// A Terraform resource's meta-arguments that policies may judge, as `Resource.meta`: its
// `lifecycle` (is the resource protected from destruction, which changes does Terraform ignore)
// and `depends_on`, each value located under `/$meta/...` as `config`'s values are under theirs.
// `count`, `for_each` and `provider` are elsewhere (the address, an unknown kept in `config`,
// `Resource.provider` and `providerConfig`).
import type { Attribute, Body, BodyItem, Expression, ObjectItem, Range } from "../hcl/index.js";
import { toPointer, type PathSegment } from "../../model/pointer.js";
import { META_KEY, type SourceLocation, type Value } from "../../model/types.js";
import { sourceText } from "./evaluate.js";
import { literalString, type ParsedFile } from "./modules.js";
import { writtenIn } from "./overrides.js";

/** The `lifecycle` arguments Terraform evaluates as values (literals, as it requires). */
const LIFECYCLE_VALUES = ["prevent_destroy", "create_before_destroy"];
/** The `lifecycle` arguments that list references, kept as written text (`tags["Name"]`, `all`). */
const LIFECYCLE_REFERENCES = ["ignore_changes", "replace_triggered_by"];

export interface ResourceMeta {
  meta: { [key: string]: Value };
  locations: { [pointer: string]: SourceLocation };
}

/** One argument of a `lifecycle` block, or one property of its `.tf.json` object. */
interface LifecycleArgument {
  name: string;
  /** Where the whole argument is written. */
  node: BodyItem | ObjectItem;
  expr: Expression;
}

/**
 * The meta-arguments of a resource block, or undefined when it writes none of them; `evaluate`
 * gives the value of an expression written in `file` (or an override file merged into it).
 */
export function resourceMeta(
  body: Body,
  file: ParsedFile,
  evaluate: (expr: Expression, file: ParsedFile) => Value,
): ResourceMeta | undefined {
  const meta: { [key: string]: Value } = {};
  const locations: { [pointer: string]: SourceLocation } = {};
  const place = (path: PathSegment[], node: Range, writtenAt: BodyItem | Expression): void => {
    locations[toPointer([META_KEY, ...path])] = location(writtenIn(writtenAt, file).path, node);
  };
  const lifecycle: { [key: string]: Value } = {};
  for (const { block, attributes } of lifecycleBodies(body)) {
    place(["lifecycle"], block, block);
    for (const { name, node, expr } of attributes) {
      const written = writtenIn(expr, file);
      if (LIFECYCLE_VALUES.includes(name)) lifecycle[name] = evaluate(expr, written);
      else if (LIFECYCLE_REFERENCES.includes(name)) {
        const elements = elementsOf(expr);
        lifecycle[name] = elements
          ? elements.map((element, index) => {
              place(["lifecycle", name, index], element, expr);
              return referenceText(element, written);
            })
          : referenceText(expr, written);
      } else continue;
      place(["lifecycle", name], node, expr);
    }
  }
  if (Object.keys(lifecycle).length > 0) meta.lifecycle = lifecycle;
  const dependsOn = body.items.find(
    (item): item is Attribute => item.kind === "Attribute" && item.name === "depends_on",
  );
  const dependencies = dependsOn && elementsOf(dependsOn.expr);
  if (dependsOn && dependencies) {
    const written = writtenIn(dependsOn.expr, file);
    meta.depends_on = dependencies.map((element, index) => {
      place(["depends_on", index], element, dependsOn.expr);
      return referenceText(element, written);
    });
    place(["depends_on"], dependsOn, dependsOn);
  }
  return Object.keys(meta).length > 0 ? { meta, locations } : undefined;
}

/**
 * The `lifecycle` blocks of a body (an override file may merge one in) with their arguments; in
 * `.tf.json`, an object attribute (or a list of objects) whose properties are the arguments.
 */
function lifecycleBodies(body: Body): { block: BodyItem; attributes: LifecycleArgument[] }[] {
  const found: { block: BodyItem; attributes: LifecycleArgument[] }[] = [];
  for (const item of body.items) {
    if (item.kind === "Block" && item.type === "lifecycle")
      found.push({
        block: item,
        attributes: item.body.items.flatMap((inner) =>
          inner.kind === "Attribute" ? [{ name: inner.name, node: inner, expr: inner.expr }] : [],
        ),
      });
    else if (item.kind === "Attribute" && item.name === "lifecycle") {
      const objects = item.expr.kind === "Tuple" ? item.expr.elements : [item.expr];
      found.push({
        block: item,
        attributes: objects.flatMap((object) =>
          object.kind !== "Object"
            ? []
            : object.items.flatMap((field) =>
                field.keyName === null
                  ? []
                  : [{ name: field.keyName, node: field, expr: field.value }],
              ),
        ),
      });
    }
  }
  return found;
}

function elementsOf(expr: Expression): Expression[] | undefined {
  return expr.kind === "Tuple" ? expr.elements : undefined;
}

/** A reference as written (`aws_s3_bucket.logs`, `tags["Name"]`); `.tf.json` writes it as a string. */
function referenceText(expr: Expression, file: ParsedFile): string {
  return literalString(expr) ?? sourceText(expr, file);
}

function location(file: string, node: Range): SourceLocation {
  return {
    file,
    line: node.line,
    column: node.column,
    endLine: node.endLine,
    endColumn: node.endColumn,
  };
}
