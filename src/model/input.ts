// What policies receive as `input`: the resource model without what only the reports read, so
// the JSON each deployment costs in Wasm is no larger than the rules need.
import type { Resource } from "./types.js";

export type PolicyResource = Omit<
  Resource,
  | "readFrom"
  | "readAt"
  | "choices"
  | "conditionMeanings"
  | "conditionsAsWritten"
  | "expansionAsWritten"
  | "unknownPart"
  | "unknownPartBlocks"
  | "workspace"
  | "workspaceName"
>;

/** `{ resources }` as policies (built-in and custom) and `tollgate inspect` see them. */
export function policyInput(resources: readonly Resource[]): { resources: PolicyResource[] } {
  return {
    resources: resources.map(
      ({
        readFrom: _readFrom,
        readAt: _readAt,
        choices: _choices,
        conditionMeanings: _conditionMeanings,
        conditionsAsWritten: _conditionsAsWritten,
        expansionAsWritten: _expansionAsWritten,
        unknownPart: _unknownPart,
        unknownPartBlocks: _unknownPartBlocks,
        workspace: _workspace,
        workspaceName: _workspaceName,
        ...resource
      }) => resource,
    ),
  };
}
