import { defineConfig } from "vitest/config";

/**
 * Suites that read whole corpora, run OPA's conformance cases or start Redis: `npm run
 * test:slow` runs them (CI runs both), so `npm test` stays fast and offline. A new slow suite
 * is added here.
 */
export const slowSuites = [
  "src/iac/hcl/differential.test.ts",
  "src/iac/hcl/fuzz.test.ts",
  "src/iac/cloudformation/corpus.test.ts",
  "src/iac/terraform/robustness.test.ts",
  "src/iac/cloudformation/robustness.test.ts",
  "test/rego-conformance.test.ts",
  "test/peer.test.ts",
  "test/build-library.test.ts",
  "test/plain-sdk.test.ts",
  "test/redis/**/*.test.ts",
];

const slow = process.env.TOLLGATE_SUITE === "slow";

export default defineConfig({
  test: {
    include: slow ? slowSuites : ["src/**/*.test.ts", "test/**/*.test.ts", "policies/**/*.test.ts"],
    exclude: slow ? [] : slowSuites,
    testTimeout: 30_000,
    pool: "forks",
  },
});
