// The settings stage's only door: the `.github/tollgate.yml` schema, its parser, the merge of the
// organization's and a repository's files, the JSON Schema published for editors, and the
// organization file's repository globs judged against the installation's repositories.
export * from "./schema.js";
export * from "./parse.js";
export * from "./merge.js";
export * from "./jsonSchema.js";
export * from "./repositoryGlobs.js";
