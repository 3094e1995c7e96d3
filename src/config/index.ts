// The settings stage's only door: the `.github/tollgate.yml` schema, its parser, the merge of the
// organization's and a repository's files, and the JSON Schema published for editors.
export * from "./schema.js";
export * from "./parse.js";
export * from "./merge.js";
export * from "./jsonSchema.js";
