// The conformance runner's door: load OPA's conformance cases, run them against Tollgate's
// compiler through OPA's own SDK (each case bounded in a child process), summarise.

export { builtinsOutsideRequired, loadConformanceCases, type ConformanceCase } from "./cases.js";
export { canonical, judge, type Observed, type Verdict } from "./compare.js";
export {
  runConformance,
  summarise,
  type CaseResult,
  type ConformanceSummary,
  type RunOptions,
} from "./runner.js";
