// Nested stacks: a template's `AWS::CloudFormation::Stack` whose `TemplateURL` (or SAM
// `AWS::Serverless::Application` whose `Location`) is a local path, as `aws cloudformation
// package` and `sam build` take it, is loaded as an instance of its parent, the way the Terraform
// loader evaluates a local module with the arguments of its call:
// - the child template gets the parent's evaluated `Parameters` (unknown stays unknown; one not
//   passed takes the child's `Default`), each located at the parent's `Parameters` entry, or
//   where that entry's own value is written (a parent `Default`), so a finding a passed value
//   decides is reported on the parent's line, and one the child decides on the child's;
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
//   in the model with its evaluated `Parameters`, as a Terraform registry module's call does,
//   and nothing is reported, which is how the loaders treat what they never fetch.
// Errors are located at the `TemplateURL` (or `Location`): a path to no file read, or out of the
// files read, a file that is not a template or does not parse, a cycle, more than
// MAX_STACK_DEPTH levels.
import { toPointer } from "../../model/pointer.js";
import type { LoadError, Resource, SourceLocation, Value } from "../../model/types.js";
import { isUnknown, qualifiedAddress } from "../../model/types.js";
import { directoryOf, joinPath, leavesTop, type SourceFile } from "../source.js";
import { loadCloudFormation, parsedTemplate, type CloudFormationModel } from "./load.js";
import { readParameterFile, type GivenParameters } from "./parameter-files.js";

export interface StackOptions {
  /**
   * Parameter files (parameter-files.ts) by top template, repository paths, read in order, later
   * values replacing earlier ones; `"*"` names files for every top template (the CLI's
   * `--parameter-file`), read first, whose names a template does not declare are passed over.
   */
  parameterFiles?: { readonly [template: string]: readonly string[] };
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
 * The repository paths of the templates `file` nests with a literal local path, written
 * anywhere in its `Resources` (conditions aside): what a reader of part of a repository (the CLI
 * given one file, the app fetching a pull request) reads next. Paths above the top are dropped.
 */
export function nestedTemplatePaths(file: SourceFile): string[] {
  if (!/TemplateURL|Location/.test(file.text)) return [];
  const { root } = parsedTemplate(file);
  if (root?.kind !== "mapping") return [];
  const resources = root.entries.find((entry) => entry.key === "Resources")?.value;
  if (resources?.kind !== "mapping") return [];
  const paths = new Set<string>();
  for (const { value: body } of resources.entries) {
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
    if (!leavesTop(target)) paths.add(target);
  }
  return [...paths].sort();
}

/** Where one template is loaded: at the top, or as a stack of a parent. */
interface StackInstance {
  /** The top template's path. */
  root: string;
  /** The logical ids of the stack resources from the top down, joined by `.`; "" at the top. */
  module: string;
  parameters: Record<string, Value>;
  parameterPlaces: Record<string, SourceLocation>;
  /** The templates from the top down to this one's parent. */
  chain: string[];
  /** The undecided conditions the stacks creating this one hold under. */
  condition: string | undefined;
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
): CloudFormationModel {
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
      if (leavesTop(target)) {
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
        load(child, {
          root: instance.root,
          module:
            instance.module === "" ? resource.address : `${instance.module}.${resource.address}`,
          ...passedParameters(resource),
          chain: path,
          condition: conjoin(instance.condition, resource.conditional?.[""]),
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
  });
  const sorted = [...templates].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const tops = sorted.filter((file) => !nested.has(file.path));
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
  return { resources, errors: [...errors.values()] };
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
  const { root } = parsedTemplate(template);
  const section =
    root?.kind === "mapping"
      ? root.entries.find((entry) => entry.key === "Parameters")?.value
      : undefined;
  const declared = new Set(section?.kind === "mapping" ? section.entries.map((e) => e.key) : []);
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

/** The parent's evaluated `Parameters` of a stack resource, each located where it is written. */
function passedParameters(stack: Resource): Pick<StackInstance, "parameters" | "parameterPlaces"> {
  const written = stack.config.Parameters;
  const parameters: Record<string, Value> = {};
  const parameterPlaces: Record<string, SourceLocation> = {};
  if (
    written === null ||
    typeof written !== "object" ||
    Array.isArray(written) ||
    isUnknown(written)
  )
    return { parameters, parameterPlaces };
  for (const [name, value] of Object.entries(written)) {
    if (name.startsWith("AWS::")) continue;
    parameters[name] = value;
    const place = stack.locations[toPointer(["Parameters", name])];
    if (place !== undefined) parameterPlaces[name] = place;
  }
  return { parameters, parameterPlaces };
}

/** A child template's resource as the instance nested at `instance.module` of `instance.root`. */
function asInstance(resource: Resource, instance: StackInstance): Resource {
  const own = resource.conditional?.[""];
  const condition = conjoin(instance.condition, own);
  // The parent's condition names are not the child's: what the child's mean over its
  // AllowedValues (`choices`) would be read into a parent's condition of the same name.
  const nested: Resource = { ...resource };
  if (instance.condition !== undefined) delete nested.choices;
  return {
    ...nested,
    root: instance.root,
    module: instance.module,
    ...(condition !== undefined ? { conditional: { ...resource.conditional, "": condition } } : {}),
  };
}

function conjoin(outer: string | undefined, inner: string | undefined): string | undefined {
  if (outer === undefined) return inner;
  return inner === undefined ? outer : `${outer} and ${inner}`;
}
