// The model stage's only door: the types that cross every seam, and pointer helpers.
export * from "./types.js";
export * from "./pointer.js";
export * from "./scopes.js";
