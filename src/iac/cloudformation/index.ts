// The CloudFormation loader's only door: detect a template by content and load it into the
// shared resource model, nested stacks as instances of their parents (stacks.ts). Parsing
// (parse.ts), intrinsic evaluation (evaluate.ts) and SAM globals (sam.ts) sit behind it; load.ts
// documents what `config` holds.

export { isCloudFormation, loadCloudFormation } from "./load.js";
export { loadStacks, MAX_STACK_DEPTH, nestedTemplatePaths } from "./stacks.js";
export type { CloudFormationModel, CloudFormationOptions } from "./load.js";
export type { StackOptions } from "./stacks.js";
