// The custom policy stage's only door: reading a policy folder from a default branch, compiling it
// by content hash with the last good version kept (in memory, and, authenticated, in Redis or a
// folder, so a restart or another replica skips the compile and keeps the last good version), and
// evaluating it bounded beside the built-ins.
export {
  OrgPolicies,
  type OrgPolicyOptions,
  type PullPolicies,
  type ResolvedPolicies,
} from "./store.js";
export {
  cacheKeyOf,
  cacheKeyOfApp,
  DiskCompiledStore,
  openCompiledStore,
  RedisCompiledStore,
  type CacheLog,
  type CompiledStore,
} from "./cache/index.js";
export { boundedRuleSet, defaultCustomRuleBounds, type CustomRuleBounds } from "./bounded.js";
export {
  compilePolicies,
  compilerVersion,
  policiesKey,
  type CompiledPolicies,
  type CompileOutcome,
  type CustomRule,
} from "./compile.js";
export { builtinLibrary, type PolicyLibrary } from "../policy/library.js";
export {
  folderOrigin,
  listPolicyFolder,
  policyFileKind,
  readPolicyFolder,
  type PolicyFile,
  type PolicyFolderContents,
  type PolicyFolderListing,
} from "./folder.js";
export { planPush, type PushedChanges, type PushPlan } from "./push.js";
export {
  organizationFileNotices,
  selectorsUnjudged,
  type OrganizationFileContext,
} from "./settingsCheck.js";
export {
  listInstallationRepositories,
  listOpenPulls,
  type InstallationListing,
  type InstallationRepository,
  mapLimited,
  ORGANIZATION_PULL_LIMITS,
  RESUME_PULL_LIMITS,
  type OpenPull,
  type OpenPullLimits,
  type OpenPullList,
} from "./pulls.js";
export { policyCheckReport, POLICY_CHECK_NAME, type LocatedAnnotation } from "./policyCheck.js";
export {
  MAX_PREVIEW_PULLS,
  previewImpact,
  type ImpactOptions,
  type ImpactPreview,
  type ProposedChange,
  type PullImpact,
} from "./impact.js";
export { IMPACT_CHECK_NAME, impactReport } from "./impactReport.js";
