// The model stage's only door: the types that cross every seam, pointer and move helpers.
export * from "./types.js";
export * from "./pointer.js";
export * from "./scopes.js";
export * from "./moves.js";
export * from "./input.js";
