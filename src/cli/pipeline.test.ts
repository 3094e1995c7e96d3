// The data files a file() with a computed path may read are read within one budget per snapshot:
// in a large repository such a call could otherwise read every file.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readGitSnapshot } from "../fetch/git.js";
import { checkSourceBytes, DataFileBudget } from "../iac/index.js";
import { loadSettings, readPaths, readWorkingTree, type Snapshot } from "./pipeline.js";

let repo = "";

beforeAll(async () => {
  repo = await mkdtemp(path.join(tmpdir(), "tollgate-budget-"));
  // `var.rules` may name any file: every listed one is a data file it may read.
  await writeFile(path.join(repo, "main.tf"), "locals {\n  rules = file(var.rules)\n}\n");
  for (const name of ["a", "b", "c", "d"])
    await writeFile(path.join(repo, `${name}.csv`), "port,cidr\n22,0.0.0.0/0\n");
  const git = (...args: string[]) =>
    execFileSync("git", [
      "-C",
      repo,
      "-c",
      "user.name=t",
      "-c",
      "user.email=t@example.com",
      ...args,
    ]);
  git("init", "-q", "-b", "main");
  git("add", "main.tf", "a.csv", "b.csv", "c.csv", "d.csv");
  git("commit", "-qm", "rules");
});
afterAll(() => rm(repo, { recursive: true, force: true }));

const read = (snapshot: Snapshot) =>
  snapshot.files.map((file) => file.path).filter((file) => file.endsWith(".csv"));
const warnings = (snapshot: Snapshot) =>
  snapshot.errors.map((error) => [error.file, error.line, error.code, error.level]);

describe("data files a computed file() may read", () => {
  it("are read up to the budget's count, then one warning names what was not", async () => {
    for (const snapshot of [
      await readPaths(["."], repo, new DataFileBudget({ maxFiles: 2, maxBytes: 1000 })),
      await readWorkingTree(repo, new DataFileBudget({ maxFiles: 2, maxBytes: 1000 })),
      await readGitSnapshot(
        repo,
        "main",
        (file, bytes) => checkSourceBytes(file, bytes),
        new DataFileBudget({ maxFiles: 2, maxBytes: 1000 }),
      ),
    ]) {
      expect(read(snapshot).sort()).toEqual(["a.csv", "b.csv"]);
      expect(warnings(snapshot)).toEqual([["c.csv", 1, "data-file-budget", "warning"]]);
      expect(snapshot.errors[0]?.message).toBe(
        "2 data files (c.csv, d.csv) are over the budget of 2 files or 1000 bytes a scan reads as data; they were not read, so what a module reads from them with file() is unknown",
      );
    }
  });

  it("are read up to the budget's bytes, and all of them within it", async () => {
    // Each file is 23 bytes: three fit in 70.
    const bytes = await readWorkingTree(repo, new DataFileBudget({ maxFiles: 10, maxBytes: 70 }));
    expect(read(bytes).sort()).toEqual(["a.csv", "b.csv", "c.csv"]);
    expect(warnings(bytes)).toEqual([["d.csv", 1, "data-file-budget", "warning"]]);
    const all = await readPaths(["."], repo);
    expect(read(all).sort()).toEqual(["a.csv", "b.csv", "c.csv", "d.csv"]);
    expect(all.errors).toEqual([]);
  });
});

describe("settings selecting repositories by name, read without --repository", () => {
  it("are named as settings errors name an entry, the first where it is written, up to three others", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tollgate-unnamed-"));
    try {
      const entry = (i: number) => [`  - repositories: [team-${i}]`, "    fail_on: all"];
      await writeFile(
        path.join(dir, "org.yml"),
        [
          "waivers:",
          "  - rule: TG-ENC-002",
          "    repositories: [payments]",
          "    reason: SEC-4",
          "overrides:",
          ...[0, 1, 2, 3].flatMap(entry),
          "",
        ].join("\n"),
      );
      const notices = async (flags: { config?: string; "org-config"?: string }) =>
        (await loadSettings(flags, dir, { name: "", topics: [] })).notices
          .filter((notice) => notice.code === "settings-no-repository")
          .map((notice) => `${notice.file}:${notice.line}: ${notice.message.split(", but")[0]}`);
      expect(await notices({ "org-config": "org.yml" })).toEqual([
        "org.yml:3: waivers.0 selects repositories by name (as overrides.0, overrides.1, overrides.2 and 1 more do)",
      ]);
      await writeFile(
        path.join(dir, "repo.yml"),
        ["overrides:", ...entry(0), ...entry(1), ""].join("\n"),
      );
      expect(await notices({ config: "repo.yml" })).toEqual([
        "repo.yml:2: overrides.0 selects repositories by name (as overrides.1 does)",
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
