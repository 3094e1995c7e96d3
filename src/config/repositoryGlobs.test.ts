import { describe, expect, it } from "vitest";
import { parseSettingsFile } from "./parse.js";
import { unmatchedRepositoryGlobs } from "./repositoryGlobs.js";

const FILE = "acme/.github:.github/tollgate.yml";
const REPOSITORIES = [".github", "payments", "payments-api", "legacy-billing", "web"];

function notices(text: string, repositories = REPOSITORIES) {
  const parsed = parseSettingsFile(text, FILE);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return unmatchedRepositoryGlobs(parsed.parsed, repositories);
}

describe("unmatchedRepositoryGlobs", () => {
  it("reports a waiver's misspelt repository at its line, naming the closest repository", () => {
    const text = [
      "waivers:",
      "  - rule: TG-NET-001",
      "    resource: aws_security_group.bastion",
      "    repositories: [paymnets]",
      "    reason: reviewed",
      "  - rule: TG-NET-001",
      "    repositories:",
      "      - web",
      "      - legacy-*",
      "      - billing-*",
      "    reason: reviewed",
      "",
    ].join("\n");
    expect(notices(text)).toEqual([
      {
        file: FILE,
        line: 4,
        column: 20,
        code: "settings-unmatched-repository",
        message:
          "waivers[0].repositories: 'paymnets' matches no repository this app is installed on (did you mean payments?), so this waiver applies to no repository",
      },
      {
        file: FILE,
        line: 10,
        column: 9,
        code: "settings-unmatched-repository",
        message:
          "waivers[1].repositories: 'billing-*' matches no repository this app is installed on, so it adds no repository to this waiver",
      },
    ]);
  });

  it("reports an override's repository glob that selects nothing; topics and matching globs are left alone", () => {
    const text = [
      "overrides:",
      "  - repositories: [Payments, legacy-*]",
      "    fail_on: all",
      "  - topics: [pci]",
      "    fail_on: all",
      "  - repositories: [webb]",
      "    fail_on: all",
      "",
    ].join("\n");
    expect(notices(text)).toEqual([
      expect.objectContaining({
        line: 6,
        code: "settings-unmatched-repository",
        message:
          "overrides[2].repositories: 'webb' matches no repository this app is installed on (did you mean web?), so this override applies to no repository",
      }),
    ]);
  });

  it("judges nothing when the installation's repositories are unknown", () => {
    expect(notices("waivers:\n  - rule: TG-NET-001\n    repositories: [x]\n", [])).toEqual([]);
  });
});
