// The app stage's only door: the Probot application factory and the check flow it runs.
export { createTollgateApp, type TollgateAppOptions } from "./app.js";
export { scanPullRequest, runCheck, type CheckFlowOptions } from "./checkFlow.js";
export { CHECK_RUN_NAME, RERUN_ACTION, type CheckTarget } from "./events.js";
