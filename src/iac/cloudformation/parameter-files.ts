// Parameter values a deployment passes to a template, read from the files users keep for the AWS
// CLI: `aws cloudformation create-stack --parameters file://p.json` and `deploy
// --parameter-overrides file://p.json` take `[{"ParameterKey": "Env", "ParameterValue": "prod"}]`;
// `deploy` also takes `["Env=prod"]` and CodePipeline's template configuration file
// `{"Parameters": {"Env": "prod"}}` (AWS CLI 2, aws/aws-cli#5443). YAML spellings of the same
// shapes are read too. Each value is located where the file writes it, as a `Default` is, so a pull
// request that changes only the file is reported on its line.

import type { LoadError, SourceLocation, Value } from "../../model/types.js";
import { unknown } from "../../model/types.js";
import type { SourceFile } from "../source.js";
import { parseTemplate } from "./parse.js";
import type { TemplateNode } from "./parse.js";

export interface GivenParameters {
  values: Record<string, Value>;
  /** Where each value is written. */
  places: Record<string, SourceLocation>;
  /** Where each name is written, for a name the template does not declare. */
  names: Record<string, SourceLocation>;
}

const SHAPES =
  'a parameter file holds [{"ParameterKey": ..., "ParameterValue": ...}], ["Key=Value"] or {"Parameters": {"Key": "Value"}}';

/** The values `file` gives, later files' values replacing earlier ones in `into`. */
export function readParameterFile(
  file: SourceFile,
  into: GivenParameters,
  report: (error: LoadError) => void,
): void {
  const { root, errors, locate } = parseTemplate(file);
  if (root === null) {
    errors.forEach(report);
    return;
  }
  const at = (node: TemplateNode, message: string): void => {
    const { line, column } = locate(node.span);
    report({ file: file.path, line, column, code: "cfn-parameter-file", message });
  };
  const give = (name: string, nameNode: TemplateNode, value: Value, valueNode: TemplateNode) => {
    into.values[name] = value;
    into.places[name] = locate(valueNode.span);
    into.names[name] = locate(nameNode.span);
  };
  const parameters =
    root.kind === "mapping"
      ? root.entries.find((entry) => entry.key === "Parameters")?.value
      : undefined;
  if (parameters?.kind === "mapping") {
    for (const entry of parameters.entries) {
      if (entry.value.kind !== "scalar")
        at(entry.value, `parameter ${entry.key}: a value is a string`);
      else
        give(
          entry.key,
          { kind: "scalar", value: entry.key, span: entry.keySpan },
          entry.value.value,
          entry.value,
        );
    }
    return;
  }
  if (root.kind !== "sequence") return at(root, SHAPES);
  for (const item of root.items) {
    if (item.kind === "scalar" && typeof item.value === "string" && item.value.includes("=")) {
      const equals = item.value.indexOf("=");
      give(item.value.slice(0, equals), item, item.value.slice(equals + 1), item);
      continue;
    }
    const field = (name: string): TemplateNode | undefined =>
      item.kind === "mapping" ? item.entries.find((entry) => entry.key === name)?.value : undefined;
    const key = field("ParameterKey");
    const value = field("ParameterValue");
    const previous = field("UsePreviousValue");
    if (key?.kind !== "scalar" || typeof key.value !== "string") {
      at(item, SHAPES);
      continue;
    }
    if (previous?.kind === "scalar" && previous.value === true)
      // The stack's current value: only the stack knows it.
      give(key.value, key, unknown(`previous value of ${key.value}`), previous);
    else if (value?.kind === "scalar") give(key.value, key, value.value, value);
    else at(value ?? item, `parameter ${key.value}: ParameterValue must be a string`);
  }
}
