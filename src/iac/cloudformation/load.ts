// Turns one CloudFormation (or SAM) template into the shared resource model: one `Resource`
// per entry under `Resources` whose `Condition` is not statically false, `config` = its
// evaluated `Properties`, located down to every nested value. A `Condition` false only by
// `Default`s a deployment may override is not statically false: the resource is kept under it.
//
// Decisions a policy author should know:
// - `config` is `Properties` after static evaluation (see evaluate.ts): parameters take their
//   `Default` unless `options.parameters` gives them a value (a parent stack, parameter files:
//   parameter-files.ts); a parameter with neither, and every SSM-typed parameter (its value names
//   an SSM key, not the value), is `{ $unknown: "!Ref P" }`. A parameter without a given value
//   whose `AllowedValues` list several may be deployed with each (not in a nested stack's
//   template, `options.nested`, which AWS creates with the `Default`): a value reading it has one
//   alternative per value ("Env is prod"), its `Default` the value of record, and a condition
//   reading it is decided only when every value decides it alike (evaluate.ts); a list's are the
//   values each item may take. A resource whose condition texts may name such values carries
//   `choices`: each non-list parameter's values and the conditions they alone decide, so that a
//   finding under every value is seen to hold in every deployment (policy/conditions.ts).
//   It carries `conditionMeanings` too, outside a nested stack's template: what each undecided
//   condition means over parameters a deployment may give any value ("Env is prod"), so that the
//   diff tells a condition the pull request redefined wider under the same name.
// - Pseudo parameters (`AWS::Region`, `AWS::AccountId`, `AWS::Partition`, ...) are unknown unless
//   given in `options.parameters` under their own name: one template deploys to many accounts,
//   regions and partitions, so none of them is assumed.
// - The resource attributes (`DeletionPolicy`, `UpdateReplacePolicy`, `Condition`, `DependsOn`,
//   `Metadata`, `CreationPolicy`, `UpdatePolicy`) are `meta`, evaluated and located as
//   `Properties` are, under the pointer `/$meta/<attribute>`.
// - `Fn::Base64` encodes (as CloudFormation does): decode `UserData` in the policy to read it.
// - `locations[""]` is the whole resource entry; every property, list item and nested value
//   written in the template has its own pointer; a property or item that is `!Ref P` of a
//   parameter taking its `Default`, written or chosen by a decided `Fn::If`, is located at that
//   Default (the property or item in `readAt`), as a Terraform variable's is. Values parsed out
//   of JSON policy strings are located at the string; SAM `Globals` values where `Globals`
//   writes them; common SAM policy templates (`- S3ReadPolicy: {BucketName: ...}`) as the
//   statements SAM generates, located at the template's item (sam-policies.ts); SAM's implicit
//   APIs (`ServerlessRestApi`, `ServerlessHttpApi`) at the first function event that creates each
//   (sam.ts).
// - An `Fn::If` the template cannot decide keeps every branch that may be deployed, recorded in
//   `conditional` and `alternatives` (evaluate.ts says how lists, objects and scalars look); a
//   resource whose `Condition` is undecided is loaded with `conditional[""]` naming it.
// - What the template decides besides a value's own text is in `readFrom`, for an annotation on
//   the line a pull request changed: a decided `Condition` (`readFrom.Condition`), and by pointer
//   a decided `Fn::If` (the condition, those it names, the `Default`s they read) or a
//   `Fn::FindInMap` (the mapping entry, the `Default`s its keys read); one written in a branch of
//   an undecided `Fn::If` whose value is an alternative, under that branch's conditions (`when`);
//   for a resource a `Fn::ForEach` generated, the collection item that made it
//   (`readFrom["Fn::ForEach"]`, or a `!Ref` collection and the value it reads); by pointer too,
//   a property a loop generated, and a YAML alias (the alias, then the anchor's content, where
//   the value is located).
// - `references` are declared logical ids only (from Ref, GetAtt, Sub variables and DependsOn,
//   both branches of an undecided Fn::If included), sorted. A name the template does not declare
//   is a `cfn-undeclared-reference` error, as CloudFormation rejects the template (references.ts
//   says what is exempt: SAM's generated ids, other macros' templates), and its value is unknown.
// - A property AWS requires that the policies read (a security group rule's `IpProtocol`, an IAM
//   policy's document) left out is a `cfn-required-property` warning at the resource or the item
//   (required.ts): no rule would see anything to judge there.
// - `Fn::ForEach` loops (AWS::LanguageExtensions) in Resources and Conditions are expanded first
//   (foreach.ts). Not expanded: macros (`Fn::Transform` values are unknown); `Outputs`,
//   `Metadata` and `Rules` are not read (`Outputs` only for the names it uses).

import type {
  ChoiceDomain,
  LoadError,
  Resource,
  SourceLocation,
  Value,
} from "../../model/types.js";
import { isUnknown, unknown } from "../../model/types.js";
import { containsUnknown } from "../../model/values.js";
import type { SourceFile } from "../source.js";
import {
  choiceText,
  entrySpan,
  MACRO_UNREAD,
  NO_VALUE,
  newTrace,
  TemplateEvaluator,
} from "./evaluate.js";
import type { PassedChoice, TemplateScope, Trace } from "./evaluate.js";
import { parseTemplate } from "./parse.js";
import type { ParsedTemplate, Span, TemplateEntry, TemplateNode } from "./parse.js";
import { expandForEach } from "./foreach.js";
import { expandPolicyTemplates } from "./sam-policies.js";
import {
  loopIdentifiers,
  otherMacros,
  processedByOtherMacros,
  undeclaredReferences,
  type DeclaredNames,
} from "./references.js";
import {
  declaresSamTransform,
  globalsFor,
  implicitApis,
  mergeGlobals,
  misspeltSamGlobals,
  misspeltSamProperties,
  misspeltSamType,
} from "./sam.js";
import { missingProperties } from "./required.js";

export interface CloudFormationOptions {
  /** Parameter values by name; pseudo parameters by theirs (`"AWS::Region": "eu-west-1"`). */
  parameters?: Record<string, Value>;
  /**
   * Where given parameter values are written (a parent stack's `Parameters` entry): a value read
   * from one is located there, as one taking its `Default` is located at the `Default`.
   */
  parameterPlaces?: Record<string, SourceLocation>;
  /**
   * Values a parent stack passes that differ by the deployment of its parameters with several
   * `AllowedValues` (stacks.ts): those parameters' values (`parameters`, each a "P is v" text's
   * v), and per passed parameter each value with the texts that give it. The template's
   * conditions and values follow those deployments, and its findings name them ("Env is prod").
   */
  passedChoices?: {
    parameters: { [parameter: string]: string[] };
    values: { [name: string]: PassedChoice[] };
  };
  /**
   * Loaded as a parent stack's child (stacks.ts): a parameter `parameters` leaves out takes its
   * `Default` alone, as AWS creates the nested stack with it, never each of its `AllowedValues`,
   * which only whoever deploys a template alone may choose among.
   */
  nested?: boolean;
  /**
   * Of `parameters`, those a deployment may give another value: a parent stack passes its own
   * parameter's `Default` (`Resource.parameterDefaults`), which whoever deploys the parent may
   * replace. Each of their `AllowedValues` may be deployed, as a template's own parameter's may.
   */
  replaceable?: string[];
}

export interface CloudFormationModel {
  resources: Resource[];
  errors: LoadError[];
}

/** `isCloudFormation` then `loadCloudFormation` on the same (immutable) file parse it once. */
const parsedTemplates = new WeakMap<SourceFile, ParsedTemplate>();

/** The file parsed as a template, once per file (a nested stack's template is read per instance). */
export function parsedTemplate(file: SourceFile): ParsedTemplate {
  let template = parsedTemplates.get(file);
  if (template === undefined) {
    template = parseTemplate(file);
    parsedTemplates.set(file, template);
  }
  return template;
}

const RESOURCE_TYPE = /^(?:[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+|Custom::[A-Za-z0-9_@-]+)$/;

/** True when the file's content is a CloudFormation or SAM template (never by file name). */
export function isCloudFormation(file: SourceFile): boolean {
  const text = file.text;
  if (!/AWSTemplateFormatVersion|Resources/.test(text)) return false;
  const { root } = parsedTemplate(file);
  if (root === null) {
    // A broken template is still a template: say so, so its syntax error gets reported. A
    // section opens a line, or follows `{` or `,` (JSON written on one line).
    return (
      /(?:^|[{,])\s*["']?AWSTemplateFormatVersion["']?\s*:/m.test(text) ||
      (/(?:^|[{,])\s*["']?Resources["']?\s*:/m.test(text) &&
        /["']?Type["']?\s*:\s*["']?(?:AWS|Alexa|Custom)::/.test(text))
    );
  }
  if (root.kind !== "mapping") return false;
  const section = (name: string): TemplateNode | undefined =>
    root.entries.find((entry) => entry.key === name)?.value;
  if (section("AWSTemplateFormatVersion") !== undefined) return true;
  if (declaresSamTransform(section("Transform"))) return true;
  const resources = section("Resources");
  if (resources?.kind !== "mapping" || resources.entries.length === 0) return false;
  return resources.entries.every((entry) => {
    if (entry.key.startsWith("Fn::ForEach::")) return true;
    const type =
      entry.value.kind === "mapping"
        ? entry.value.entries.find((field) => field.key === "Type")?.value
        : undefined;
    return (
      type?.kind === "scalar" && typeof type.value === "string" && RESOURCE_TYPE.test(type.value)
    );
  });
}

export function loadCloudFormation(
  file: SourceFile,
  options: CloudFormationOptions = {},
): CloudFormationModel {
  const template = parsedTemplate(file);
  if (template.root === null) return { resources: [], errors: template.errors };
  const errors: LoadError[] = [...template.errors];
  const at = (
    node: { start: number; end: number },
    code: string,
    message: string,
    level?: "warning",
  ): void => {
    const { line, column } = template.locate(node);
    errors.push({ file: file.path, line, column, code, message, ...(level ? { level } : {}) });
  };
  if (template.root.kind !== "mapping") {
    at(
      template.root.span,
      "cfn-template",
      "a template is a mapping of sections (Parameters, Resources, ...)",
    );
    return { resources: [], errors };
  }
  const sections = new Map(template.root.entries.map((entry) => [entry.key, entry.value]));
  const writtenResources = sections.get("Resources");
  if (writtenResources?.kind !== "mapping") {
    at(
      writtenResources?.span ?? template.root.span,
      "cfn-template",
      "the Resources section must be a mapping of logical ids to resources",
    );
    return { resources: [], errors };
  }

  const scope: TemplateScope = {
    file: file.path,
    locate: template.locate,
    parameters: new Map(),
    parameterPlaces: new Map(),
    overridable: new Set(),
    choices: new Map(),
    resourceIds: new Set(),
    mappings: namedEntries(sections.get("Mappings")),
    conditions: new Map(),
    conditionDefinitions: new Map(),
  };
  const evaluator = new TemplateEvaluator(scope);
  // Parameters first: a loop's collection may be a list parameter; then loops, then the names.
  const exclusive = bindParameters(
    sections.get("Parameters"),
    {
      overrides: options.parameters ?? {},
      places: options.parameterPlaces ?? {},
      replaceable: new Set(options.replaceable ?? []),
      passed: new Set(Object.keys(options.passedChoices?.values ?? {})),
    },
    options.nested ?? false,
    scope,
    evaluator,
  );
  for (const [parameter, values] of Object.entries(options.passedChoices?.parameters ?? {})) {
    scope.choices?.set(parameter, values);
    exclusive.add(parameter);
  }
  scope.passedChoices = new Map(Object.entries(options.passedChoices?.values ?? {}));
  const loops = { parameters: scope.parameters, report: at };
  const resourcesSection = expandForEach(writtenResources, loops);
  const conditions = sections.get("Conditions");
  const expandedConditions = conditions && expandForEach(conditions, loops);
  for (const entry of expandedConditions?.kind === "mapping" ? expandedConditions.entries : []) {
    scope.conditions.set(entry.key, entry.value);
    scope.conditionDefinitions.set(entry.key, entrySpan(entry));
  }
  if (resourcesSection.kind !== "mapping") return { resources: [], errors };
  const sam = declaresSamTransform(sections.get("Transform"));
  for (const macro of otherMacros(sections.get("Transform")))
    at(
      macro.span,
      MACRO_UNREAD,
      `Transform ${macro.kind === "scalar" ? String(macro.value) : "(a macro not written literally)"} is not run: what the macro adds to or changes in the template is deployed but not judged`,
      "warning",
    );
  for (const { span, message } of misspeltSamGlobals(sections.get("Globals")))
    at(span, "cfn-sam-property", message, "warning");
  const entries = sam
    ? [...resourcesSection.entries, ...implicitApis(resourcesSection.entries)]
    : resourcesSection.entries;
  for (const entry of entries) scope.resourceIds.add(entry.key);
  checkReferences(
    sections,
    { resources: resourcesSection, conditions: expandedConditions },
    {
      parameters: new Set(namedEntries(sections.get("Parameters")).keys()),
      resources: scope.resourceIds,
      serverless: sam ? serverlessIds(entries) : undefined,
      loopIdentifiers: loopIdentifiers([...sections.values()]),
    },
    errors,
    at,
  );

  const meanings = options.nested ? undefined : conditionMeanings(scope, evaluator);
  const overridden = overriddenConditions(scope, evaluator);
  const context: ResourceContext = {
    overridden,
    template,
    evaluator,
    scope,
    choices: choiceDomain(exclusive, scope, evaluator),
    meanings,
    asWritten: conditionsAsWritten(scope, evaluator, meanings, overridden),
    globals: sections.get("Globals"),
    at,
    // Another macro may add what the template leaves out.
    requireProperties: !processedByOtherMacros(sections.get("Transform"), [...sections.values()]),
    report: (error) => errors.push(error),
  };
  const resources: Resource[] = [];
  for (const entry of entries) {
    const resource = loadResource(entry, context);
    if (resource !== null) resources.push(resource);
  }
  return { resources, errors: [...errors, ...evaluator.errors] };
}

/**
 * Reports each name the template uses but does not declare, unless loops could not be expanded
 * (what they would declare is not known) or another macro processes the template.
 */
function checkReferences(
  sections: ReadonlyMap<string, TemplateNode>,
  expanded: { resources: TemplateNode; conditions: TemplateNode | undefined },
  declared: DeclaredNames,
  errors: readonly LoadError[],
  at: (span: Span, code: string, message: string) => void,
): void {
  if (errors.some((error) => error.code.startsWith("cfn-foreach"))) return;
  const written = [...sections.values()];
  if (processedByOtherMacros(sections.get("Transform"), written)) return;
  const checked = [
    { node: expanded.resources, resourceEntries: true },
    ...[expanded.conditions, sections.get("Outputs"), sections.get("Globals")].flatMap((node) =>
      node === undefined ? [] : [{ node, resourceEntries: false }],
    ),
  ];
  for (const { span, message } of undeclaredReferences(checked, declared))
    at(span, "cfn-undeclared-reference", message);
}

/**
 * The logical ids of a SAM template's `AWS::Serverless::*` resources, but for a misspelt type
 * (`misspeltSamType`), which SAM rejects and so generates nothing for.
 */
function serverlessIds(entries: readonly TemplateEntry[]): Set<string> {
  const ids = new Set<string>();
  for (const entry of entries) {
    const type =
      entry.value.kind === "mapping"
        ? entry.value.entries.find((field) => field.key === "Type")?.value
        : undefined;
    if (
      type?.kind === "scalar" &&
      String(type.value).startsWith("AWS::Serverless::") &&
      misspeltSamType(String(type.value)) === undefined
    )
      ids.add(entry.key);
  }
  return ids;
}

/** What every resource of one template is loaded against. */
interface ResourceContext {
  template: ParsedTemplate;
  evaluator: TemplateEvaluator;
  scope: TemplateScope;
  globals: TemplateNode | undefined;
  /** What condition texts naming parameter values mean (`Resource.choices`), if any may. */
  choices: ChoiceDomain | undefined;
  /** What undecided conditions mean (`Resource.conditionMeanings`), if any is known. */
  meanings: { [condition: string]: string } | undefined;
  /** Undecided conditions as written (`Resource.conditionsAsWritten`), if any has no meaning. */
  asWritten: { [condition: string]: string } | undefined;
  /** Conditions false only by `Default`s a deployment may override (`overriddenConditions`). */
  overridden: ReadonlySet<string>;
  at(span: Span, code: string, message: string, level?: "warning"): void;
  /** Whether a required property missing is reported (`missingProperties`). */
  requireProperties: boolean;
  report(error: LoadError): void;
}

function loadResource(entry: TemplateEntry, context: ResourceContext): Resource | null {
  const { template, evaluator, scope, globals, choices, meanings, asWritten, at } = context;
  const body = entry.value;
  const field = (name: string): TemplateNode | undefined =>
    body.kind === "mapping" ? body.entries.find((inner) => inner.key === name)?.value : undefined;
  const typeNode = field("Type");
  if (typeNode?.kind !== "scalar" || typeof typeNode.value !== "string") {
    at(
      typeNode?.span ?? entry.keySpan,
      "cfn-resource-type",
      `resource ${entry.key} needs a Type such as AWS::S3::Bucket`,
    );
    return null;
  }
  const type = typeNode.value;
  const notSam = misspeltSamType(type);
  if (notSam !== undefined)
    at(typeNode.span, "cfn-resource-type", `resource ${entry.key}: ${notSam}`, "warning");
  for (const { span, message } of misspeltSamProperties(type, field("Properties")))
    at(span, "cfn-sam-property", `resource ${entry.key}: ${message}`, "warning");
  const conditionNode = field("Condition");
  let held: string | undefined;
  const trace = newTrace();
  const readFrom: NonNullable<Resource["readFrom"]> = {};
  if (conditionNode !== undefined) {
    const name =
      conditionNode.kind === "scalar" && typeof conditionNode.value === "string"
        ? conditionNode.value
        : null;
    if (name === null)
      at(
        conditionNode.span,
        "cfn-condition",
        `resource ${entry.key}: Condition must name a condition`,
      );
    else {
      const decided = evaluator.condition(name, conditionNode.span);
      // False only by `Default`s a deployment may override: deployed where one is.
      if (decided === false && !context.overridden.has(name)) return null;
      if (decided !== true) trace.conditional[""] = name;
      else readFrom.Condition = evaluator.conditionPlaces(name);
      if (decided === false) held = name;
    }
  }
  if (entry.generatedBy !== undefined)
    readFrom["Fn::ForEach"] = evaluator.loopPlaces(entry.generatedBy);

  const location: SourceLocation = template.locate(entrySpan(entry));
  trace.locations[""] = location;
  const global = globalsFor(globals, type);
  const ownProperties = field("Properties");
  const properties = expandPolicyTemplates(
    type,
    global === undefined ? ownProperties : mergeGlobals(global, ownProperties),
  );
  let config: { [key: string]: Value } = {};
  let propertiesKnown = true;
  if (properties !== undefined) {
    const evaluated =
      held === undefined
        ? evaluator.evaluateProperties(properties, trace)
        : evaluator.holding(held, () => evaluator.evaluateProperties(properties, trace));
    if (
      evaluated !== null &&
      typeof evaluated === "object" &&
      !Array.isArray(evaluated) &&
      !isUnknown(evaluated)
    )
      config = evaluated;
    else {
      propertiesKnown = false;
      if (evaluated !== NO_VALUE && !isUnknown(evaluated))
        at(
          properties.span,
          "cfn-properties",
          `resource ${entry.key}: Properties must be a mapping`,
        );
    }
  }
  if (context.requireProperties && propertiesKnown) {
    for (const { pointer, message } of missingProperties(type, config)) {
      const place = trace.locations[pointer] ?? location;
      context.report({
        file: place.file,
        line: place.line,
        column: place.column,
        code: "cfn-required-property",
        message: `resource ${entry.key}: ${message}; AWS rejects the resource without it, so the rules that read it judge nothing there`,
        level: "warning",
      });
    }
  }
  const meta =
    held === undefined
      ? resourceAttributes(body, evaluator, trace)
      : evaluator.holding(held, () => resourceAttributes(body, evaluator, trace));
  const dependsOn = field("DependsOn");
  const dependencies =
    dependsOn?.kind === "sequence" ? dependsOn.items : dependsOn ? [dependsOn] : [];
  for (const { value } of dependencies.filter((node) => node.kind === "scalar")) {
    if (typeof value === "string" && scope.resourceIds.has(value)) trace.references.add(value);
  }
  trace.references.delete(entry.key);
  Object.assign(readFrom, trace.readFrom);
  const conditioned =
    Object.keys(trace.conditional).length + Object.keys(trace.alternatives).length > 0;

  return {
    address: entry.key,
    type,
    name: entry.key,
    mode: "managed",
    source: "cloudformation",
    module: "",
    root: location.file,
    file: location.file,
    line: location.line,
    column: location.column,
    endLine: location.endLine,
    config,
    ...(meta ? { meta } : {}),
    references: [...trace.references].sort(),
    locations: trace.locations,
    ...(Object.keys(trace.conditional).length > 0 ? { conditional: trace.conditional } : {}),
    ...(Object.keys(trace.alternatives).length > 0 ? { alternatives: trace.alternatives } : {}),
    ...(Object.keys(trace.readAt).length > 0 ? { readAt: trace.readAt } : {}),
    ...(Object.keys(trace.parameterDefaults).length > 0
      ? { parameterDefaults: trace.parameterDefaults }
      : {}),
    ...(Object.keys(readFrom).length > 0 ? { readFrom } : {}),
    ...(choices !== undefined && conditioned ? { choices } : {}),
    ...(meanings !== undefined && conditioned ? { conditionMeanings: meanings } : {}),
    ...(asWritten !== undefined && conditioned ? { conditionsAsWritten: asWritten } : {}),
  };
}

/** The resource attributes a policy may judge, in `Resource.meta` (`Type` and `Properties` aside). */
const RESOURCE_ATTRIBUTES = new Set([
  "DeletionPolicy",
  "UpdateReplacePolicy",
  "Condition",
  "DependsOn",
  "Metadata",
  "CreationPolicy",
  "UpdatePolicy",
]);

/**
 * The resource's attributes, evaluated as `Properties` are (`DeletionPolicy: !If [IsProd, Retain,
 * Delete]` is an alternative under each condition, as the `AWS::LanguageExtensions` transform
 * allows), located below `/$meta`; undefined when it writes none. What they refer to is not added
 * to the resource's `references`, which stay those of its `Properties` and `DependsOn`.
 */
function resourceAttributes(
  body: TemplateNode,
  evaluator: TemplateEvaluator,
  trace: Trace,
): { [key: string]: Value } | undefined {
  if (body.kind !== "mapping") return undefined;
  const entries = body.entries.filter((entry) => RESOURCE_ATTRIBUTES.has(entry.key));
  if (entries.length === 0) return undefined;
  const own = newTrace();
  const evaluated = evaluator.evaluateAttributes(
    { kind: "mapping", entries, span: body.span },
    own,
  );
  Object.assign(trace.locations, own.locations);
  Object.assign(trace.conditional, own.conditional);
  Object.assign(trace.alternatives, own.alternatives);
  Object.assign(trace.readAt, own.readAt);
  Object.assign(trace.parameterDefaults, own.parameterDefaults);
  Object.assign(trace.readFrom, own.readFrom);
  if (evaluated === null || typeof evaluated !== "object" || Array.isArray(evaluated))
    return undefined;
  return Object.keys(evaluated).length > 0 ? (evaluated as { [key: string]: Value }) : undefined;
}

/**
 * Parameter values: override (located where `places` say it is written), else default (lists
 * split), else unknown; SSM-typed ones stay unknown. One with several `AllowedValues` may take
 * each when it is not overridden, unless the template is `nested`, and when the value given is
 * unknown or one a deployment may replace (`replaceable`, not `passed` per deployment): whatever
 * it is, CloudFormation accepts only an allowed value.
 */
function bindParameters(
  section: TemplateNode | undefined,
  given: {
    overrides: Record<string, Value>;
    places: Record<string, SourceLocation>;
    replaceable: ReadonlySet<string>;
    passed: ReadonlySet<string>;
  },
  nested: boolean,
  scope: TemplateScope,
  evaluator: TemplateEvaluator,
): Set<string> {
  const { overrides, places } = given;
  const exclusive = new Set<string>();
  for (const [name, value] of Object.entries(overrides)) {
    if (name.startsWith("AWS::")) scope.parameters.set(name, value);
  }
  if (section?.kind !== "mapping") return exclusive;
  for (const { key: name, value: declaration } of section.entries) {
    const field = (fieldName: string): TemplateNode | undefined =>
      declaration.kind === "mapping"
        ? declaration.entries.find((entry) => entry.key === fieldName)?.value
        : undefined;
    const typeNode = field("Type");
    const type =
      typeNode?.kind === "scalar" && typeof typeNode.value === "string" ? typeNode.value : "String";
    const defaultNode = field("Default");
    const ssm = type.startsWith("AWS::SSM::Parameter::Value<");
    let value: Value = unknown(`!Ref ${name}`);
    if (Object.hasOwn(overrides, name)) {
      // An SSM-typed parameter's given value names an SSM key, as its Default does.
      const place = places[name];
      if (!ssm) value = overrides[name] as Value;
      if (place !== undefined && !ssm) scope.parameterPlaces?.set(name, place);
    } else if (defaultNode !== undefined && !ssm) {
      const evaluated = evaluator.evaluateValue(defaultNode, newTrace());
      if (evaluated !== NO_VALUE) {
        value = evaluated;
        scope.parameterPlaces?.set(name, scope.locate(defaultNode.span));
      }
    }
    const list = type === "CommaDelimitedList" || type.startsWith("List<");
    if (typeof value === "string" && list) value = value.split(",").map((item) => item.trim());
    scope.parameters.set(name, value);
    const allowed = field("AllowedValues");
    const open = Object.hasOwn(overrides, name)
      ? !given.passed.has(name) &&
        (given.replaceable.has(name) || containsUnknown(overrides[name] as Value))
      : !nested;
    if (
      open &&
      !ssm &&
      scope.parameterPlaces?.has(name) === true &&
      !containsUnknown(value) &&
      allowed === undefined
    )
      scope.overridable?.add(name);
    if (open && !ssm && allowed?.kind === "sequence") {
      const values = allowed.items
        .map((item) => evaluator.evaluateValue(item, newTrace()))
        .filter((item): item is Value => item !== NO_VALUE && !containsUnknown(item));
      // A list's AllowedValues are the values each of its items may take: each one is spelled
      // out as a list of the Default's length holding only it, so `!Select [1, !Ref P]` reads it.
      const length = Array.isArray(value) ? Math.max(value.length, 1) : 1;
      const choices = list
        ? values.flatMap((item) =>
            item !== null && typeof item === "object"
              ? []
              : [Array.from({ length }, (): Value => String(item))],
          )
        : values;
      const distinct = [...new Map(choices.map((item) => [JSON.stringify(item), item])).values()];
      if (distinct.length > 1) scope.choices?.set(name, distinct);
      if (distinct.length > 1 && !list) exclusive.add(name);
    }
  }
  return exclusive;
}

/**
 * What the condition texts of a template's resources mean over its parameters with several
 * `AllowedValues` (`Resource.choices`): each non-list one takes exactly one of them (a list may
 * hold several), and the conditions their values alone decide. Values that a condition text
 * cannot name as one word are left out. undefined when there are none.
 */
function choiceDomain(
  exclusive: ReadonlySet<string>,
  scope: TemplateScope,
  evaluator: TemplateEvaluator,
): ChoiceDomain | undefined {
  const parameters: ChoiceDomain["parameters"] = {};
  for (const name of exclusive) {
    const texts = (scope.choices?.get(name) ?? []).map((value) =>
      choiceText(name, value).slice(name.length + 4),
    );
    if (texts.every((text) => /^[^\s()]+$/.test(text) && !["and", "or", "not"].includes(text)))
      parameters[name] = texts;
  }
  if (Object.keys(parameters).length === 0) return undefined;
  const named = new Set(Object.keys(parameters));
  const conditions: ChoiceDomain["conditions"] = {};
  for (const [name, span] of scope.conditionDefinitions) {
    if (evaluator.condition(name, span) !== undefined) continue;
    const definition = evaluator.choiceDefinition(name, named);
    if (definition !== undefined) conditions[name] = definition;
  }
  return { parameters, conditions };
}

/**
 * What each condition the template cannot decide means over parameters a deployment may give any
 * value (`TemplateEvaluator.conditionMeaning`), those known; undefined when none is.
 */
function conditionMeanings(
  scope: TemplateScope,
  evaluator: TemplateEvaluator,
): { [condition: string]: string } | undefined {
  const meanings: { [condition: string]: string } = {};
  for (const [name, span] of scope.conditionDefinitions) {
    if (evaluator.condition(name, span) !== undefined) continue;
    const meaning = evaluator.conditionMeaning(name);
    if (meaning !== undefined) meanings[name] = meaning;
  }
  return Object.keys(meanings).length > 0 ? meanings : undefined;
}

/**
 * The conditions the template decides false only by `Default`s a deployment may override
 * (`TemplateEvaluator.overriddenFalse`): a resource under one is kept, under its name, as one
 * under an undecided condition is ("Only when IsProd").
 */
function overriddenConditions(scope: TemplateScope, evaluator: TemplateEvaluator): Set<string> {
  const overridden = new Set<string>();
  for (const [name, span] of scope.conditionDefinitions)
    if (evaluator.condition(name, span) === false && evaluator.overriddenFalse(name, span))
      overridden.add(name);
  return overridden;
}

/**
 * Each condition the template cannot decide and `meanings` gives no meaning, as written
 * (`definitionText`); undefined when there is none. Its meaning unknown, only a changed text can
 * tell that a pull request redefined it: `IsProd` over `AWS::Region` from one region to every
 * region but one, or a nested stack's `IsProd` widened (review finding 9), or the mapping entries
 * its `Fn::FindInMap` reads edited (`EnvMap` saying prod for more regions).
 */
function conditionsAsWritten(
  scope: TemplateScope,
  evaluator: TemplateEvaluator,
  meanings: { [condition: string]: string } | undefined,
  overridden: ReadonlySet<string>,
): { [condition: string]: string } | undefined {
  const written: { [condition: string]: string } = {};
  for (const [name, span] of scope.conditionDefinitions) {
    if (meanings?.[name] !== undefined) continue;
    if (evaluator.condition(name, span) !== undefined && !overridden.has(name)) continue;
    const body = scope.conditions.get(name);
    if (body !== undefined) written[name] = definitionText(body, scope, new Set([name]));
  }
  return Object.keys(written).length > 0 ? written : undefined;
}

/**
 * A condition's definition as JSON text, without places, with what else decides it written in:
 * each condition it names (`{Condition: X}`) followed by X's own definition, each parameter it
 * reads that has one value (a `Default` or one given, not several `AllowedValues`) followed by
 * that value, and each `Fn::FindInMap` followed by the mapping entries it may read, so that
 * redefining any of them changes the text of every condition that reads it.
 */
function definitionText(
  node: TemplateNode,
  scope: TemplateScope,
  seen: ReadonlySet<string>,
): string {
  if (node.kind === "scalar") return JSON.stringify(node.value);
  if (node.kind === "sequence")
    return `[${node.items.map((item) => definitionText(item, scope, seen)).join(",")}]`;
  const [only] = node.entries;
  const written = `{${node.entries
    .map((entry) => `${JSON.stringify(entry.key)}:${definitionText(entry.value, scope, seen)}`)
    .join(",")}}`;
  if (node.entries.length !== 1 || only === undefined) return written;
  const named = only.value.kind === "scalar" ? only.value.value : undefined;
  const definition = typeof named === "string" ? scope.conditions.get(named) : undefined;
  if (only.key === "Condition" && typeof named === "string" && definition !== undefined) {
    const inner = seen.has(named)
      ? "null"
      : definitionText(definition, scope, new Set([...seen, named]));
    return `{"Condition":${JSON.stringify(named)},"is":${inner}}`;
  }
  const parameter = typeof named === "string" ? scope.parameters.get(named) : undefined;
  // One with several `AllowedValues` may be deployed with each, whatever its `Default`.
  const chosen =
    typeof named === "string" &&
    (scope.choices?.has(named) === true || scope.passedChoices?.has(named) === true);
  if (only.key === "Ref" && parameter !== undefined && !isUnknown(parameter) && !chosen)
    return `{"Ref":${JSON.stringify(named)},"is":${JSON.stringify(parameter)}}`;
  if (only.key === "Fn::FindInMap" && only.value.kind === "sequence")
    return `{"Fn::FindInMap":${definitionText(only.value, scope, seen)},"reads":${mappingEntriesRead(only.value.items, scope)}}`;
  // `Fn::Equals`, `Fn::And` and `Fn::Or` read their operands in any order alike.
  if (UNORDERED.has(only.key) && only.value.kind === "sequence") {
    const operands = only.value.items.map((item) => definitionText(item, scope, seen)).sort();
    return `{${JSON.stringify(only.key)}:[${operands.join(",")}]}`;
  }
  return written;
}

/** The condition functions whose operands may be written in any order. */
const UNORDERED = new Set(["Fn::Equals", "Fn::And", "Fn::Or"]);

/**
 * The entries of `Mappings` a `Fn::FindInMap` with these arguments may read, as JSON text: under
 * a map name or key written as a word, that one; under any other (`!Ref AWS::Region`), each. By
 * key, so that entries only reordered read the same.
 */
function mappingEntriesRead(argumentsWritten: TemplateNode[], scope: TemplateScope): string {
  const word = (node: TemplateNode | undefined): string | undefined =>
    node?.kind === "scalar" && typeof node.value === "string" ? node.value : undefined;
  const [mapName, topKey, secondKey] = argumentsWritten.map(word);
  const select = (node: TemplateNode | undefined, key: string | undefined): TemplateEntry[] =>
    node?.kind === "mapping"
      ? node.entries.filter((entry) => key === undefined || entry.key === key)
      : [];
  const text = (entries: TemplateEntry[], inner: (entry: TemplateEntry) => string): string =>
    `{${byKey(entries)
      .map((entry) => `${JSON.stringify(entry.key)}:${inner(entry)}`)
      .join(",")}}`;
  const maps = [...scope.mappings]
    .filter(([name]) => mapName === undefined || name === mapName)
    .sort(([one], [other]) => (one < other ? -1 : one > other ? 1 : 0));
  return `{${maps
    .map(
      ([name, mapping]) =>
        `${JSON.stringify(name)}:${text(select(mapping, topKey), (top) =>
          text(select(top.value, secondKey), (second) => nodeText(second.value)),
        )}`,
    )
    .join(",")}}`;
}

/** A template value as JSON text, without places, a mapping's keys in order (theirs means nothing). */
function nodeText(node: TemplateNode): string {
  if (node.kind === "scalar") return JSON.stringify(node.value);
  if (node.kind === "sequence") return `[${node.items.map(nodeText).join(",")}]`;
  return `{${byKey(node.entries)
    .map((entry) => `${JSON.stringify(entry.key)}:${nodeText(entry.value)}`)
    .join(",")}}`;
}

/** A mapping's entries by key. */
function byKey(entries: readonly TemplateEntry[]): TemplateEntry[] {
  return [...entries].sort((one, other) =>
    one.key < other.key ? -1 : one.key > other.key ? 1 : 0,
  );
}

function namedEntries(section: TemplateNode | undefined): Map<string, TemplateNode> {
  return new Map(
    section?.kind === "mapping" ? section.entries.map((entry) => [entry.key, entry.value]) : [],
  );
}
