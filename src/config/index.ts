// The settings stage's only door: the `.github/tollgate.yml` schema, its defaults and its parser.
export * from "./schema.js";
export * from "./parse.js";
