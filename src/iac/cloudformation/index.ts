// The CloudFormation loader's only door: detect a template by content and load it into the
// shared resource model. Parsing (parse.ts), intrinsic evaluation (evaluate.ts) and SAM
// globals (sam.ts) sit behind it; load.ts documents what `config` holds.

export { isCloudFormation, loadCloudFormation } from "./load.js";
export type { CloudFormationModel, CloudFormationOptions } from "./load.js";
