// The rollout stage's only door: waivers (inline comments and settings) applied to findings on an
// injected day, before the gate, rule ids named in settings checked against the rules loaded, and
// `blocking_from` days already begun.
// Settings inheritance lives in `config`, dates in `gate`.
export * from "./days.js";
export * from "./enforcementDays.js";
export * from "./inline.js";
export * from "./ruleIds.js";
export * from "./waivers.js";
