// Nested stacks: a template's `AWS::CloudFormation::Stack` whose `TemplateURL` (or SAM
// `AWS::Serverless::Application` whose `Location`) is a local path, as `aws cloudformation
// package` and `sam build` take it, is loaded as an instance of its parent, the way the Terraform
// loader evaluates a local module with the arguments of its call:
// - the child template gets the parent's evaluated `Parameters` (unknown stays unknown; one not
//   passed takes the child's `Default` alone, as AWS creates the stack with it, not each of its
//   `AllowedValues`; one with no `Default` fails the stack: a `cfn-missing-parameter` warning at
//   the parent's `Parameters`), each located at the parent's `Parameters` entry, or
//   where that entry's own value is written (a parent `Default`), so a finding a passed value
//   decides is reported on the parent's line, and one the child decides on the child's;
// - a value the parent passes that differs by the deployment of the parent's parameters with
//   several `AllowedValues` (`Env: !Ref Env`, `Cidr: !FindInMap [Cidrs, !Ref Env, Admin]`) takes
//   each of them in the child too, under the parent's texts ("Env is prod"): the child's
//   conditions and findings follow the parent's deployments, not only the `Default`s';
// - a value the parent cannot know, or passes as its own parameter's `Default` that no
//   `AllowedValues` pins (`Resource.parameterDefaults`: a deployment of the parent may replace
//   it), takes each of the child parameter's `AllowedValues`, under the child's texts ("Cidr is
//   0.0.0.0/0"), as in a template deployed alone: CloudFormation accepts no other;
// - its resources keep their logical ids as `address` (policies see each stack as a template of
//   its own, and are evaluated on it alone: model/scopes.ts), with the stack path in `module`
//   (`Network`, `Network.Subnets`) and the top template's path in `root`: `qualifiedAddress`
//   (`Network.WebSG`) is what names them in findings and in the diff, as a Terraform module path
//   does. A stack the parent creates only under an undecided condition gives its resources
//   `conditional[""]`.
// - A template some loaded template nests is not scanned on its own with its `Default`s, as a
//   Terraform folder some module calls is not a root: the values a deployment gives it are the
//   parent's, a standalone scan would report its findings twice, and its `Default`s may be values
//   no deployment uses. Nested is decided from what is written (a literal local path), whatever
//   the stack's `Condition`, as a module call with `count = 0` still makes its folder a module.
//   Templates nested only within a cycle are loaded from the first of them by path.
// - A remote `TemplateURL` (https, s3, an intrinsic) is left as it is: the stack resource stays
//   in the model with its evaluated `Parameters`, as a Terraform registry module's call does.
//   One whose URL (or Serverless Application Repository application) is known is an unread
//   module to the engine (`remoteStackSource`): a `module-not-read` warning, and in a diff named
//   in the verdict when the change adds or re-points it.
// Errors are located at the `TemplateURL` (or `Location`): a path to no file read, or out of the
// files read, a file that is not a template or does not parse, a cycle, more than
// MAX_STACK_DEPTH levels.
import { toPointer } from "../../model/pointer.js";
import type { LoadError, Resource, SourceLocation, Value } from "../../model/types.js";
import { isUnknown, qualifiedAddress } from "../../model/types.js";
import { climbsAbove, directoryOf, joinPath, type SourceFile } from "../source.js";
import {
  loadCloudFormation,
  parsedTemplate,
  type CloudFormationModel,
  type CloudFormationOptions,
} from "./load.js";
import type { PassedChoice } from "./evaluate.js";
import type { TemplateEntry, TemplateNode } from "./parse.js";
import { readParameterFile, type GivenParameters } from "./parameter-files.js";

export interface StackOptions {
  /**
   * Parameter files (parameter-files.ts) by top template, repository paths, read in order, later
   * values replacing earlier ones; `"*"` names files for every top template (the CLI's
   * `--parameter-file`), read first, whose names a template does not declare are passed over.
   */
  parameterFiles?: { readonly [template: string]: readonly string[] };
  /**
   * Templates loaded at the top even when another nests them: in a diff, the base's top templates
   * at the head, since a parent a pull request adds does not stop the deployment of the template
   * alone, with its own `Default`s and parameter files.
   */
  keepTops?: readonly string[];
}

/** Levels of nesting below a top template that are loaded (the app follows Terraform modules 8 deep). */
export const MAX_STACK_DEPTH = 8;

/** Resource types that nest a template, and the property naming it. */
const NESTING_PROPERTY: Readonly<Record<string, string>> = {
  "AWS::CloudFormation::Stack": "TemplateURL",
  "AWS::Serverless::Application": "Location",
};

/** A local path: no scheme (`https://`, `s3://`), not absolute. */
function isLocalTemplatePath(url: string): boolean {
  return url !== "" && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url) && !url.startsWith("/");
}

/**
 * What a stack resource nests that Tollgate does not fetch: an `AWS::CloudFormation::Stack` whose
 * `TemplateURL` (or SAM `AWS::Serverless::Application` whose `Location`) is a known string not a
 * local path (`https://`, `s3://`), or an application of the Serverless Application Repository
 * (`Location: {ApplicationId, SemanticVersion}`): the source, its version, and the pointers into
 * `config` where each is written. A value not known is left out, as a local path is.
 */
export function remoteStackSource(
  resource: Resource,
):
  { source: string; version?: string; sourcePointer: string; versionPointer?: string } | undefined {
  if (resource.source !== "cloudformation" || resource.mode !== "managed") return undefined;
  const property = NESTING_PROPERTY[resource.type];
  if (property === undefined) return undefined;
  const value = resource.config[property];
  if (typeof value === "string")
    return isLocalTemplatePath(value)
      ? undefined
      : { source: value, sourcePointer: `/${property}` };
  if (resource.type !== "AWS::Serverless::Application" || !isRecord(value)) return undefined;
  const { ApplicationId: id, SemanticVersion: version } = value;
  if (typeof id !== "string") return undefined;
  return {
    source: id,
    sourcePointer: `/${property}`,
    ...(typeof version === "string"
      ? { version, versionPointer: `/${property}/SemanticVersion` }
      : {}),
  };
}

function isRecord(value: Value | undefined): value is { [key: string]: Value } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isUnknown(value);
}

/**
 * The repository paths of the templates `file` nests with a literal local path, written
 * anywhere in its `Resources` (conditions aside, `Fn::ForEach` output templates included): what a reader of part of a repository (the CLI
 * given one file, the app fetching a pull request) reads next. Paths above the top of `file`'s
 * names (`climbsAbove`) are dropped.
 */
export function nestedTemplatePaths(file: SourceFile): string[] {
  if (!/TemplateURL|Location/.test(file.text)) return [];
  const { root } = parsedTemplate(file);
  if (root?.kind !== "mapping") return [];
  const resources = root.entries.find((entry) => entry.key === "Resources")?.value;
  if (resources?.kind !== "mapping") return [];
  const paths = new Set<string>();
  for (const body of writtenResources(resources)) {
    if (body.kind !== "mapping") continue;
    const field = (name: string) => body.entries.find((entry) => entry.key === name)?.value;
    const type = field("Type");
    const property =
      type?.kind === "scalar" && typeof type.value === "string"
        ? NESTING_PROPERTY[type.value]
        : undefined;
    const properties = field("Properties");
    if (property === undefined || properties?.kind !== "mapping") continue;
    const url = properties.entries.find((entry) => entry.key === property)?.value;
    if (url?.kind !== "scalar" || typeof url.value !== "string") continue;
    if (!isLocalTemplatePath(url.value)) continue;
    const target = joinPath(directoryOf(file.path), url.value);
    if (!climbsAbove(file.path, target)) paths.add(target);
  }
  return [...paths].sort();
}

/** The resources a `Resources` section writes, those in `Fn::ForEach` output templates included. */
function writtenResources(section: TemplateNode): TemplateNode[] {
  if (section.kind !== "mapping") return [];
  return section.entries.flatMap(({ key, value }) => {
    if (!key.startsWith("Fn::ForEach::")) return [value];
    const output = value.kind === "sequence" ? value.items[2] : undefined;
    return output === undefined ? [] : writtenResources(output);
  });
}

/** Where one template is loaded: at the top, or as a stack of a parent. */
interface StackInstance {
  /** The top template's path. */
  root: string;
  /** The logical ids of the stack resources from the top down, joined by `.`; "" at the top. */
  module: string;
  parameters: Record<string, Value>;
  parameterPlaces: Record<string, SourceLocation>;
  /** Of `parameters`, those the parent passes as its own parameter's replaceable `Default`. */
  replaceable?: string[];
  passedChoices?: CloudFormationOptions["passedChoices"];
  /** The templates from the top down to this one's parent. */
  chain: string[];
  /** The undecided conditions the stacks creating this one hold under. */
  condition: string | undefined;
  /** This template's conditions that are its parent's own, to the name the parent's texts give them. */
  sharedConditions: ReadonlyMap<string, string>;
}

/**
 * Loads `templates` (the files the model takes as CloudFormation) as stacks: each template no
 * other nests at the top, each nested one as an instance of every stack nesting it. `files` are
 * all the files read, to tell a missing `TemplateURL` target from one that is not a template.
 */
export function loadStacks(
  templates: readonly SourceFile[],
  files: readonly SourceFile[],
  options: StackOptions = {},
): CloudFormationModel & { tops: string[] } {
  const byPath = new Map(templates.map((file) => [file.path, file]));
  const readPaths = new Set(files.map((file) => file.path));
  const nests = new Map(templates.map((file) => [file.path, nestedTemplatePaths(file)]));
  const nested = new Set([...nests.values()].flat());
  const errors = new Map<string, LoadError>();
  const report = (error: LoadError): void => {
    const key = JSON.stringify([error.file, error.line, error.column, error.code, error.message]);
    if (!errors.has(key)) errors.set(key, error);
  };
  const resources: Resource[] = [];

  const load = (file: SourceFile, instance: StackInstance): void => {
    const model =
      instance.module === "" && Object.keys(instance.parameters).length === 0
        ? loadCloudFormation(file)
        : loadCloudFormation(file, {
            parameters: instance.parameters,
            parameterPlaces: instance.parameterPlaces,
            ...(instance.replaceable ? { replaceable: instance.replaceable } : {}),
            ...(instance.passedChoices ? { passedChoices: instance.passedChoices } : {}),
            ...(instance.module === "" ? {} : { nested: true }),
          });
    model.errors.forEach(report);
    for (const loaded of model.resources) {
      const resource = instance.module === "" ? loaded : asInstance(loaded, instance);
      resources.push(resource);
      const property = NESTING_PROPERTY[resource.type];
      const url = property === undefined ? undefined : resource.config[property];
      if (property === undefined || typeof url !== "string" || !isLocalTemplatePath(url)) continue;
      const at = resource.locations[`/${property}`] ?? resource;
      const problem = (message: string): void =>
        report({
          file: at.file,
          line: at.line,
          column: at.column,
          code: "cfn-nested-stack",
          message: `nested stack ${qualifiedAddress(resource)}: ${message}`,
        });
      const target = joinPath(directoryOf(file.path), url);
      const child = byPath.get(target);
      const path = [...instance.chain, file.path];
      if (child === undefined && climbsAbove(file.path, target)) {
        problem(
          `${property} ${JSON.stringify(url)} leaves the files that were read (the repository, or the folders given to the CLI)`,
        );
      } else if (child === undefined) {
        problem(
          readPaths.has(target)
            ? `${property} ${JSON.stringify(url)} names ${target}, which is not a CloudFormation template`
            : `${property} ${JSON.stringify(url)} names ${target}, which is not among the files read`,
        );
      } else if (path.includes(target)) {
        problem(
          `${target} nests itself (${[...path.slice(path.indexOf(target)), target].join(" > ")}); it is not loaded again`,
        );
      } else if (path.length > MAX_STACK_DEPTH) {
        problem(
          `more than ${MAX_STACK_DEPTH} levels of nested stacks below ${instance.root}; ${target} is not loaded here`,
        );
      } else if (parsedTemplate(child).root === null) {
        problem(`${target} does not parse (its errors say where); its resources are left out`);
        loadCloudFormation(child).errors.forEach(report);
      } else {
        const passed = passedParameters(resource, child);
        const place = resource.locations["/Parameters"] ?? resource;
        for (const name of parametersWithoutDefault(child).filter(
          (name) => !(name in passed.parameters),
        ))
          report({
            file: place.file,
            line: place.line,
            column: place.column,
            code: "cfn-missing-parameter",
            message: `nested stack ${qualifiedAddress(resource)}: passes no value for ${name}, which ${target} declares without a Default; CloudFormation fails to create the stack`,
            level: "warning",
          });
        load(child, {
          root: instance.root,
          module:
            instance.module === "" ? resource.address : `${instance.module}.${resource.address}`,
          ...passed,
          passedChoices: passedChoices(resource, child),
          chain: path,
          condition: conjoin(instance.condition, resource.conditional?.[""]),
          sharedConditions: sharedConditions(file, child, resource, (name) =>
            instance.module === ""
              ? name
              : (instance.sharedConditions.get(name) ?? `${instance.module}.${name}`),
          ),
        });
      }
    }
  };

  const filesByPath = new Map(files.map((file) => [file.path, file]));
  const top = (file: SourceFile): StackInstance => ({
    root: file.path,
    module: "",
    ...givenParameters(file, filesByPath, options.parameterFiles ?? {}, report),
    chain: [],
    condition: undefined,
    sharedConditions: new Map(),
  });
  const sorted = [...templates].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const keepTops = new Set(options.keepTops ?? []);
  const tops = sorted.filter((file) => !nested.has(file.path) || keepTops.has(file.path));
  // Nested only by templates in a cycle, nothing above them nests them: the first by path is
  // loaded at the top, which reports the cycle, and what it reaches is loaded under it.
  const covered = new Set<string>();
  const cover = (path: string): void => {
    if (covered.has(path)) return;
    covered.add(path);
    for (const child of nests.get(path) ?? []) cover(child);
  };
  tops.forEach((file) => cover(file.path));
  for (const file of sorted) {
    if (covered.has(file.path)) continue;
    tops.push(file);
    cover(file.path);
  }
  for (const file of tops) load(file, top(file));
  return { resources, errors: [...errors.values()], tops: tops.map((file) => file.path) };
}

/**
 * The values the parameter files for `template` give its parameters, each located where its file
 * writes it. A file that is not among those read is an error; a name the template does not declare
 * in a file named for it, a warning at the name (`aws cloudformation create-stack` refuses it,
 * `deploy` passes it over).
 */
function givenParameters(
  template: SourceFile,
  files: ReadonlyMap<string, SourceFile>,
  byTemplate: NonNullable<StackOptions["parameterFiles"]>,
  report: (error: LoadError) => void,
): Pick<StackInstance, "parameters" | "parameterPlaces"> {
  const parameters: Record<string, Value> = {};
  const parameterPlaces: Record<string, SourceLocation> = {};
  const own = byTemplate[template.path] ?? [];
  const every = byTemplate["*"] ?? [];
  if (own.length === 0 && every.length === 0) return { parameters, parameterPlaces };
  const declared = new Set(declaredParameters(template));
  for (const [paths, named] of [
    [every, false],
    [own, true],
  ] as const) {
    for (const path of paths) {
      const file = files.get(path);
      if (file === undefined) {
        report({
          file: path,
          line: 1,
          column: 1,
          code: "cfn-missing-parameter-file",
          message: `parameter file ${JSON.stringify(path)} (of ${named ? template.path : "every template"}) is not among the files read`,
        });
        continue;
      }
      const given: GivenParameters = { values: {}, places: {}, names: {} };
      readParameterFile(file, given, report);
      for (const [name, value] of Object.entries(given.values)) {
        if (declared.has(name)) {
          parameters[name] = value;
          const place = given.places[name];
          if (place !== undefined) parameterPlaces[name] = place;
        } else if (named) {
          const at = given.names[name];
          report({
            file: path,
            line: at?.line ?? 1,
            column: at?.column ?? 1,
            code: "cfn-unknown-parameter",
            message: `${template.path} declares no parameter ${name}; its value is not used`,
            level: "warning",
          });
        }
      }
    }
  }
  return { parameters, parameterPlaces };
}

/** The names of the parameters a template declares. */
function declaredParameters(template: SourceFile): string[] {
  return parameterDeclarations(template).map((entry) => entry.key);
}

/** The names of the parameters a template declares without a `Default`: a deployment must pass them. */
function parametersWithoutDefault(template: SourceFile): string[] {
  return parameterDeclarations(template)
    .filter(
      ({ value }) =>
        value.kind !== "mapping" || !value.entries.some((field) => field.key === "Default"),
    )
    .map((entry) => entry.key);
}

function parameterDeclarations(template: SourceFile): TemplateEntry[] {
  const { root } = parsedTemplate(template);
  const section =
    root?.kind === "mapping"
      ? root.entries.find((entry) => entry.key === "Parameters")?.value
      : undefined;
  return section?.kind === "mapping" ? section.entries : [];
}

/**
 * The parent's evaluated `Parameters` of a stack resource, each located where it is written.
 * `Parameters` the parent cannot know as a whole (`!If [C, {...}, {...}]` undecided, a `!Ref` of a
 * JSON parameter) may set any parameter of `child`: each is unknown, never its `Default`.
 */
function passedParameters(
  stack: Resource,
  child: SourceFile,
): Pick<StackInstance, "parameters" | "parameterPlaces" | "replaceable"> {
  const written = stack.config.Parameters;
  const parameters: Record<string, Value> = {};
  const parameterPlaces: Record<string, SourceLocation> = {};
  if (isUnknown(written)) {
    const place = stack.locations["/Parameters"];
    for (const name of declaredParameters(child)) {
      parameters[name] = written;
      if (place !== undefined) parameterPlaces[name] = place;
    }
    return { parameters, parameterPlaces };
  }
  if (written === null || typeof written !== "object" || Array.isArray(written))
    return { parameters, parameterPlaces };
  const replaceable: string[] = [];
  for (const [name, value] of Object.entries(written)) {
    if (name.startsWith("AWS::")) continue;
    parameters[name] = value;
    const pointer = toPointer(["Parameters", name]);
    const place = stack.locations[pointer];
    if (place !== undefined) parameterPlaces[name] = place;
    if (stack.parameterDefaults?.[pointer] !== undefined) replaceable.push(name);
  }
  return { parameters, parameterPlaces, ...(replaceable.length > 0 ? { replaceable } : {}) };
}

/**
 * The parent's `Parameters` of a stack resource that differ by the deployment of the parent's
 * parameters with several `AllowedValues` (`alternatives` under "Env is prod", "Env is prod and
 * Tier is web", one per combination of the values `choices` lists): each value with the texts
 * that give it. A value under other conditions too (an undecided `Fn::If`) is left as passed,
 * and so is one reading a parameter whose name the child declares for another value (the child
 * could not tell the two apart).
 */
function passedChoices(
  stack: Resource,
  child: SourceFile,
): CloudFormationOptions["passedChoices"] | undefined {
  const domain = stack.choices?.parameters ?? {};
  const written = stack.config.Parameters;
  if (written === null || typeof written !== "object" || Array.isArray(written)) return undefined;
  if (isUnknown(written)) return undefined;
  const values: Record<string, PassedChoice[]> = {};
  for (const name of Object.keys(written)) {
    const alternatives = stack.alternatives?.[toPointer(["Parameters", name])];
    if (name.startsWith("AWS::") || alternatives === undefined) continue;
    const pointer = toPointer(["Parameters", name]);
    const entry = stack.locations[pointer];
    const deployments = alternatives.map(({ condition, value }): PassedChoice => {
      const when = condition.split(" and ");
      const decidedBy = (stack.readFrom?.[pointer] ?? []).filter(
        (place) => place.when?.every((text) => when.includes(text)) ?? true,
      );
      const places = [
        ...(entry ? [entry] : []),
        ...decidedBy.map(({ when: _when, through: _through, ...place }) => place),
      ];
      return { when, value, places };
    });
    const read = (text: string): string | undefined => {
      const match = /^([A-Za-z0-9]+) is (\S+)$/.exec(text);
      return match && domain[match[1]!]?.includes(match[2]!) ? match[1] : undefined;
    };
    const parameters = [...new Set(deployments.flatMap(({ when }) => when.map(read)))];
    const combinations = parameters.reduce(
      (count, parameter) => count * (parameter === undefined ? 0 : domain[parameter]!.length),
      1,
    );
    const distinct = new Set(deployments.map(({ when }) => [...when].sort().join(" and ")));
    const everyCombinationOnce =
      parameters.length > 0 &&
      deployments.every(({ when }) => when.length === parameters.length) &&
      distinct.size === deployments.length &&
      deployments.length === combinations;
    if (everyCombinationOnce) values[name] = deployments;
  }
  const declared = new Set(declaredParameters(child));
  const clashes = (parameter: string): boolean => declared.has(parameter) && !(parameter in values);
  const parameters: Record<string, string[]> = {};
  for (const [name, deployments] of Object.entries(values)) {
    const read = deployments[0]!.when.map((text) => text.slice(0, text.indexOf(" is ")));
    if (read.some(clashes)) delete values[name];
    else for (const parameter of read) parameters[parameter] = domain[parameter]!;
  }
  return Object.keys(values).length > 0 ? { parameters, values } : undefined;
}

/**
 * A child template's resource as the instance nested at `instance.module` of `instance.root`, its
 * condition names qualified by the stack (`qualifiedCondition`), in its `choices` too.
 */
function asInstance(resource: Resource, instance: StackInstance): Resource {
  const qualify = (text: string): string =>
    qualifiedCondition(
      text,
      (name) => instance.sharedConditions.get(name) ?? `${instance.module}.${name}`,
    );
  const conditional = Object.fromEntries(
    Object.entries(resource.conditional ?? {}).map(([pointer, text]) => [pointer, qualify(text)]),
  );
  const condition = conjoin(instance.condition, conditional[""]);
  if (condition !== undefined) conditional[""] = condition;
  const alternatives = resource.alternatives && {
    alternatives: Object.fromEntries(
      Object.entries(resource.alternatives).map(([pointer, values]) => [
        pointer,
        values.map((alternative) => ({
          ...alternative,
          condition: qualify(alternative.condition),
        })),
      ]),
    ),
  };
  const readFrom = resource.readFrom && {
    readFrom: Object.fromEntries(
      Object.entries(resource.readFrom).map(([by, places]) => [
        by,
        places.map((place) => (place.when ? { ...place, when: place.when.map(qualify) } : place)),
      ]),
    ),
  };
  const choices = resource.choices && {
    choices: {
      parameters: resource.choices.parameters,
      conditions: Object.fromEntries(
        Object.entries(resource.choices.conditions).map(([name, text]) => [qualify(name), text]),
      ),
    },
  };
  const asWritten = resource.conditionsAsWritten && {
    conditionsAsWritten: Object.fromEntries(
      Object.entries(resource.conditionsAsWritten).map(([name, text]) => [qualify(name), text]),
    ),
  };
  return {
    ...resource,
    ...choices,
    ...asWritten,
    root: instance.root,
    module: instance.module,
    ...(Object.keys(conditional).length > 0 ? { conditional } : {}),
    ...alternatives,
    ...readFrom,
  };
}

/**
 * A child stack's condition text (`not IsProd and HasKey`) with each condition name as `named`
 * gives it: qualified by the stack path (`not Net.IsProd and Net.HasKey`), since the child's
 * `IsProd` is its own, decided by its own parameters, and must neither merge with nor contradict a
 * parent's condition of that name; or the parent's name for one they share (`sharedConditions`).
 * A parameter's value in it (`IsProd and Env is prod`) stays as written, and so does a text that
 * is no formula of names and such values (`x is not empty`).
 */
function qualifiedCondition(text: string, named: (name: string) => string): string {
  const tokens = text.match(/\(|\)|[^\s()]+/g) ?? [];
  const operator = (token: string | undefined): boolean =>
    token === "and" || token === "or" || token === "not";
  const plain = (token: string | undefined): token is string =>
    token !== undefined && token !== "(" && token !== ")" && !operator(token);
  // A parameter's value (`Env is prod`, `AWS::Region is eu-west-1`) is one term, kept as written:
  // the texts of a parent's parameters name them as the parent does.
  const terms: Array<{ text: string; name: boolean }> = [];
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    const value = tokens[index + 2];
    if (plain(token) && tokens[index + 1] === "is" && plain(value)) {
      terms.push({ text: `${token} is ${value}`, name: false });
      index += 2;
    } else terms.push({ text: token, name: plain(token) });
  }
  // A term stands between operators or parentheses, never beside another (`x is not empty`).
  const formula = terms.every(
    ({ text: term, name }, index) =>
      term === "(" ||
      term === ")" ||
      operator(term) ||
      ((!name || /^[A-Za-z0-9]+$/.test(term)) &&
        [undefined, "and", "or", ")"].includes(terms[index + 1]?.text) &&
        [undefined, "and", "or", "not", "("].includes(terms[index - 1]?.text)),
  );
  if (!formula) return text;
  return text.replace(/([^\s()]+) is ([^\s()]+)|[^\s()]+/g, (token, parameter?: string) =>
    parameter !== undefined || operator(token) ? token : named(token),
  );
}

/**
 * The conditions of `child` that are those of `parent` of the same name, nested by `stack`:
 * written alike, reading only parameters the stack passes straight through (`Env: !Ref Env` of a
 * parent parameter without a value) and naming only conditions shared in turn, as a parent and
 * a child that both test the `Env` passed down do. Each maps to the name the parent's texts give
 * it (`parentName`).
 */
function sharedConditions(
  parent: SourceFile,
  child: SourceFile,
  stack: Resource,
  parentName: (name: string) => string,
): Map<string, string> {
  const conditionsOf = (file: SourceFile): Map<string, TemplateNode> => {
    const { root } = parsedTemplate(file);
    const section =
      root?.kind === "mapping"
        ? root.entries.find((entry) => entry.key === "Conditions")?.value
        : undefined;
    return new Map(
      section?.kind === "mapping" ? section.entries.map((entry) => [entry.key, entry.value]) : [],
    );
  };
  const parentConditions = conditionsOf(parent);
  const childConditions = conditionsOf(child);
  const passed = stack.config.Parameters;
  const passedThrough = (name: string): boolean => {
    const value =
      passed !== null && typeof passed === "object" && !Array.isArray(passed) && !isUnknown(passed)
        ? passed[name]
        : undefined;
    return isUnknown(value) && value.$unknown === `!Ref ${name}`;
  };
  const verdicts = new Map<string, boolean>();
  const shared = (name: string): boolean => {
    const known = verdicts.get(name);
    if (known !== undefined) return known;
    verdicts.set(name, false);
    const body = childConditions.get(name);
    const theirs = parentConditions.get(name);
    const verdict =
      body !== undefined &&
      theirs !== undefined &&
      writtenAlike(body, theirs) &&
      namesRead(body).every(({ kind, name: read }) =>
        kind === "Ref" ? passedThrough(read) || SAME_IN_NESTED_STACKS.has(read) : shared(read),
      );
    verdicts.set(name, verdict);
    return verdict;
  };
  return new Map(
    [...childConditions.keys()].filter(shared).map((name) => [name, parentName(name)]),
  );
}

/** Pseudo parameters a nested stack has as its parent does (its stack name and id are its own). */
const SAME_IN_NESTED_STACKS = new Set([
  "AWS::AccountId",
  "AWS::Partition",
  "AWS::Region",
  "AWS::URLSuffix",
]);

/** Two template nodes written alike, wherever they are written. */
function writtenAlike(left: TemplateNode, right: TemplateNode): boolean {
  const text = (node: TemplateNode): string =>
    JSON.stringify(node, (key, value: unknown) =>
      key === "span" || key === "keySpan" || key === "alias" ? undefined : value,
    );
  return text(left) === text(right);
}

/** The parameters (`Ref`) and conditions (`Condition`) a condition's body names. */
function namesRead(node: TemplateNode): Array<{ kind: "Ref" | "Condition"; name: string }> {
  if (node.kind === "scalar") return [];
  if (node.kind === "sequence") return node.items.flatMap(namesRead);
  return node.entries.flatMap((entry) =>
    (entry.key === "Ref" || entry.key === "Condition") && entry.value.kind === "scalar"
      ? [{ kind: entry.key, name: String(entry.value.value) }]
      : namesRead(entry.value),
  );
}

function conjoin(outer: string | undefined, inner: string | undefined): string | undefined {
  if (outer === undefined) return inner;
  return inner === undefined ? outer : `${outer} and ${inner}`;
}
