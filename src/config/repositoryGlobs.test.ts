import { describe, expect, it } from "vitest";
import { parseSettingsFile } from "./parse.js";
import { unmatchedRepositorySelectors, type InstalledRepository } from "./repositoryGlobs.js";

const FILE = "acme/.github:.github/tollgate.yml";
const REPOSITORIES: InstalledRepository[] = [
  ".github",
  "payments",
  "payments-api",
  "legacy-billing",
  "web",
].map((name) => ({ name }));

function notices(text: string, repositories = REPOSITORIES, shownPublicly = false) {
  const parsed = parseSettingsFile(text, FILE);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return unmatchedRepositorySelectors(parsed.parsed, repositories, { shownPublicly });
}

describe("unmatchedRepositorySelectors", () => {
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

  it("reports an override's repository glob that selects nothing; unknown topics and matching globs are left alone", () => {
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

  const TOPICAL: InstalledRepository[] = [
    { name: ".github", topics: [], private: false },
    { name: "payments", topics: ["pci", "payments-team"], private: true },
    { name: "web", topics: ["frontend"], private: false },
  ];

  it("reports an override's topic that no repository has, naming the closest topic", () => {
    const text = [
      "overrides:",
      "  - topics: [pcii, frontend]",
      "    fail_on: all",
      "  - topics:",
      "      - PCI",
      "    fail_on: all",
      "  - topics: [backend]",
      "    fail_on: all",
      "",
    ].join("\n");
    expect(notices(text, TOPICAL).map((n) => [n.line, n.column, n.code, n.message])).toEqual([
      [
        2,
        14,
        "settings-unmatched-topic",
        "overrides[0].topics: 'pcii' is a topic of no repository this app is installed on (did you mean pci?), so it adds no repository to this override",
      ],
      [
        5,
        9,
        "settings-unmatched-topic",
        "overrides[1].topics: 'PCI' is a topic of no repository this app is installed on (did you mean pci?), so this override applies to no repository",
      ],
      [
        7,
        14,
        "settings-unmatched-topic",
        "overrides[2].topics: 'backend' is a topic of no repository this app is installed on, so this override applies to no repository",
      ],
    ]);
  });

  it("judges no topic when a repository's topics are unknown", () => {
    const partly = [...TOPICAL, { name: "legacy-billing" }];
    expect(notices("overrides:\n  - topics: [pcii]\n    fail_on: all\n", partly)).toEqual([]);
  });

  it("reports an override whose names and topics each match, but never the same repository", () => {
    const text = "overrides:\n  - repositories: [web]\n    topics: [pci]\n    fail_on: all\n";
    expect(notices(text, TOPICAL)).toEqual([
      expect.objectContaining({
        line: 2,
        code: "settings-unmatched-repository",
        message:
          "overrides[0]: no repository this app is installed on both matches its repositories and has one of its topics, so this override applies to no repository",
      }),
    ]);
  });

  it("suggests no private repository's name or topic where anyone may read the notices", () => {
    const text = [
      "overrides:",
      "  - repositories: [paymnets]",
      "    fail_on: all",
      "  - topics: [pcii]",
      "    fail_on: all",
      "  - repositories: [webb]",
      "    fail_on: all",
      "",
    ].join("\n");
    const suggested = (shownPublicly: boolean) =>
      notices(text, TOPICAL, shownPublicly).map((n) => /did you mean (\S+)\?/.exec(n.message)?.[1]);
    expect(suggested(false)).toEqual(["payments", "pci", "web"]);
    expect(suggested(true)).toEqual([undefined, undefined, "web"]);
  });
});
