// The GitHub fetch stage's only door: a pull request's changed files, its base and head snapshots
// of IaC files, and the repository settings.
export * from "./client.js";
export * from "./pullFiles.js";
export * from "./select.js";
export * from "./blobs.js";
export * from "./snapshot.js";
export * from "./settings.js";
export * from "./installationSight.js";
export * from "./mergeBase.js";
export * from "./retry.js";
