// The report stage's only door: check run output and annotations, and the text, markdown, JSON and
// SARIF renderings of a gate decision.
export * from "./patch.js";
export * from "./placement.js";
export * from "./format.js";
export * from "./annotations.js";
export * from "./markdown.js";
export * from "./checkRun.js";
export * from "./text.js";
export * from "./json.js";
export * from "./sarif.js";
export * from "./record.js";
