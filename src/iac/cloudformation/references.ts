// Names a template uses but does not declare: a `Ref`, `Fn::GetAtt`, `Fn::Sub` variable or
// `DependsOn` naming no parameter, resource or pseudo parameter. CloudFormation rejects such a
// template ("Unresolved resource dependencies [X] in the Resources block of the template"), so each
// is a located error and the gate fails closed, as on any other template it cannot deploy. The
// walk is over the written tree, whichever way conditions go, so a name in a branch a condition
// leaves out, or in a resource a false condition drops, is still checked.
//
// Not reported, since the template alone cannot say what exists:
// - in a SAM template, the resources SAM generates: ids built from a serverless resource's own
//   (`MyFunctionRole`, `MyApiProdStage`, `MyFunctionAliaslive`, referenceable properties
//   `MyApi.Stage`), and the stack-wide ones (`ServerlessRestApi...`, `ServerlessHttpApi...`,
//   `ServerlessDeploymentApplication`, `CodeDeployServiceRole`, `ApiGatewayDomainName...`);
// - anything in a template another macro processes (a `Transform` besides SAM and
//   `AWS::LanguageExtensions`, or `Fn::Transform` anywhere, `AWS::Include` among them), which may
//   add what is named;
// - `Fn::ForEach` identifiers, and names built from them (`Bucket${Name}`, `&{Name}`);
// - `Metadata` and `Rules`, which the loader does not read.

import type { Span, TemplateNode } from "./parse.js";

const PSEUDO_PARAMETERS = new Set([
  "AWS::AccountId",
  "AWS::NotificationARNs",
  "AWS::NoValue",
  "AWS::Partition",
  "AWS::Region",
  "AWS::StackId",
  "AWS::StackName",
  "AWS::URLSuffix",
]);
/** Transforms whose output declares nothing the template does not (SAM's generated ids aside). */
const KNOWN_TRANSFORMS = new Set(["AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"]);
/** Resources SAM generates once per stack, whatever serverless resource asks for them. */
const SAM_STACK_WIDE = /^(?:Serverless|ApiGatewayDomainName|CodeDeployServiceRole$)/;
const LOOP_PREFIX = "Fn::ForEach::";

export interface DeclaredNames {
  parameters: ReadonlySet<string>;
  /** Logical ids of the resources, after `Fn::ForEach` expansion and SAM's implicit APIs. */
  resources: ReadonlySet<string>;
  /** The logical ids of `AWS::Serverless::*` resources when the template is SAM, else undefined. */
  serverless: ReadonlySet<string> | undefined;
  /** The identifiers of the template's `Fn::ForEach` loops (`loopIdentifiers`). */
  loopIdentifiers: ReadonlySet<string>;
}

export interface UndeclaredReference {
  span: Span;
  message: string;
}

/** Whether a macro other than SAM and AWS::LanguageExtensions may rewrite the template. */
/** The names a template-level `Transform` gives that are not SAM's or `AWS::LanguageExtensions`. */
export function otherMacros(transform: TemplateNode | undefined): TemplateNode[] {
  const names =
    transform === undefined ? [] : transform.kind === "sequence" ? transform.items : [transform];
  return names.filter(
    (name) => name.kind !== "scalar" || !KNOWN_TRANSFORMS.has(String(name.value)),
  );
}

export function processedByOtherMacros(
  transform: TemplateNode | undefined,
  sections: readonly TemplateNode[],
): boolean {
  return otherMacros(transform).length > 0 || sections.some(hasFnTransform);
}

/**
 * The undeclared names in `sections` (each a Resources, Conditions, Outputs or Globals node), in
 * written order; `resourceEntries` says the section's entries are resources, whose `DependsOn`
 * names resources and whose `Metadata` is not read.
 */
export function undeclaredReferences(
  sections: readonly { node: TemplateNode; resourceEntries: boolean }[],
  declared: DeclaredNames,
): UndeclaredReference[] {
  const found: UndeclaredReference[] = [];
  const isDeclared = (name: string, asResource: boolean): boolean => {
    if (/[$&]\{/.test(name) || declared.loopIdentifiers.has(name)) return true;
    if (declared.resources.has(name)) return true;
    if (!asResource && (declared.parameters.has(name) || PSEUDO_PARAMETERS.has(name))) return true;
    return declared.serverless !== undefined && generatedBySam(name, declared.serverless);
  };
  const check = (name: string, span: Span, asResource: boolean, describe: string): void => {
    if (!isDeclared(name, asResource)) found.push({ span, message: describe });
  };

  const walk = (node: TemplateNode): void => {
    if (node.kind === "scalar") return;
    if (node.kind === "sequence") {
      node.items.forEach(walk);
      return;
    }
    const only = node.entries.length === 1 ? node.entries[0] : undefined;
    if (only?.key === "Ref" && only.value.kind === "scalar") {
      const name = only.value.value;
      if (typeof name === "string") {
        // SAM's referenceable properties (`MyApi.Stage`) name their resource before the dot.
        const target = declared.serverless !== undefined ? (name.split(".")[0] ?? name) : name;
        check(
          target,
          only.value.span,
          false,
          `Ref names ${JSON.stringify(name)}, which is no parameter, resource or pseudo parameter of this template; CloudFormation rejects it`,
        );
      }
      return;
    }
    if (only?.key === "Fn::GetAtt") {
      const target = getAttTarget(only.value);
      if (target !== undefined)
        check(
          target.name,
          target.span,
          true,
          `Fn::GetAtt names resource ${JSON.stringify(target.name)}, which this template does not declare; CloudFormation rejects it`,
        );
      walk(only.value);
      return;
    }
    if (only?.key === "Fn::Sub") {
      for (const variable of subVariables(only.value)) {
        const target = variable.split(".")[0] ?? variable;
        const asResource = variable.includes(".");
        check(
          target,
          subTemplateNode(only.value)?.span ?? only.value.span,
          asResource,
          `Fn::Sub variable \${${variable}} names nothing this template declares (a parameter, resource or pseudo parameter); CloudFormation rejects it`,
        );
      }
      if (only.value.kind === "sequence") only.value.items.slice(1).forEach(walk);
      return;
    }
    for (const entry of node.entries) walk(entry.value);
  };

  for (const { node, resourceEntries } of sections) {
    if (!resourceEntries || node.kind !== "mapping") {
      walk(node);
      continue;
    }
    for (const resource of node.entries) {
      if (resource.value.kind !== "mapping") continue;
      for (const field of resource.value.entries) {
        if (field.key === "Metadata") continue;
        if (field.key !== "DependsOn") {
          walk(field.value);
          continue;
        }
        const items = field.value.kind === "sequence" ? field.value.items : [field.value];
        for (const item of items) {
          if (item.kind === "scalar" && typeof item.value === "string")
            check(
              item.value,
              item.span,
              true,
              `DependsOn names resource ${JSON.stringify(item.value)}, which this template does not declare; CloudFormation rejects it`,
            );
          else walk(item);
        }
      }
    }
  }
  return found.sort((a, b) => a.span.start - b.span.start);
}

/** SAM builds a generated resource's id from its serverless resource's (`MyFunctionRole`). */
function generatedBySam(name: string, serverless: ReadonlySet<string>): boolean {
  if (SAM_STACK_WIDE.test(name)) return true;
  for (const id of serverless) if (name.startsWith(id)) return true;
  return false;
}

function getAttTarget(argument: TemplateNode): { name: string; span: Span } | undefined {
  if (argument.kind === "scalar" && typeof argument.value === "string") {
    const name = argument.value.split(".")[0] ?? "";
    return name === "" ? undefined : { name, span: argument.span };
  }
  const first = argument.kind === "sequence" ? argument.items[0] : undefined;
  return first?.kind === "scalar" && typeof first.value === "string" && first.value !== ""
    ? { name: first.value, span: first.span }
    : undefined;
}

function subTemplateNode(argument: TemplateNode): { text: string; span: Span } | undefined {
  const template = argument.kind === "sequence" ? argument.items[0] : argument;
  return template?.kind === "scalar" && typeof template.value === "string"
    ? { text: template.value, span: template.span }
    : undefined;
}

/** The `${Name}` and `${Name.Attribute}` variables of a `Fn::Sub` that its bindings do not give. */
function subVariables(argument: TemplateNode): string[] {
  const template = subTemplateNode(argument);
  if (template === undefined) return [];
  const bindings = argument.kind === "sequence" ? argument.items[1] : undefined;
  const bound = new Set(bindings?.kind === "mapping" ? bindings.entries.map((e) => e.key) : []);
  const variables: string[] = [];
  for (const match of template.text.matchAll(/\$\{([^}]*)\}/g)) {
    const variable = (match[1] ?? "").trim();
    if (variable === "" || variable.startsWith("!") || bound.has(variable)) continue;
    variables.push(variable);
  }
  return variables;
}

/** The identifiers of the `Fn::ForEach` loops written in `nodes`. */
export function loopIdentifiers(nodes: readonly TemplateNode[]): Set<string> {
  const identifiers = new Set<string>();
  for (const node of nodes) collectLoopIdentifiers(node, identifiers);
  return identifiers;
}

function collectLoopIdentifiers(node: TemplateNode, into: Set<string>): void {
  if (node.kind === "scalar") return;
  if (node.kind === "sequence") {
    for (const item of node.items) collectLoopIdentifiers(item, into);
    return;
  }
  for (const entry of node.entries) {
    if (entry.key.startsWith(LOOP_PREFIX) && entry.value.kind === "sequence") {
      const identifier = entry.value.items[0];
      if (identifier?.kind === "scalar" && typeof identifier.value === "string")
        into.add(identifier.value);
    }
    collectLoopIdentifiers(entry.value, into);
  }
}

function hasFnTransform(node: TemplateNode): boolean {
  if (node.kind === "scalar") return false;
  if (node.kind === "sequence") return node.items.some(hasFnTransform);
  return node.entries.some((entry) => entry.key === "Fn::Transform" || hasFnTransform(entry.value));
}
