// Review finding 15 (session 21): a pull request adding a call of a git module, or moving its
// `ref` or `version`, passed with "no blocking findings" and no word, since Tollgate does not read
// such a module. The engine names each call it does not read; the diff names the changed ones.
import { beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../engine/index.js";
import type { ScanEngine, ScanResult } from "../engine/types.js";
import { changedUnreadModules, describeChangedCall } from "./modules.js";

let engine: ScanEngine;
beforeAll(async () => {
  engine = await createEngine();
}, 60_000);

const scan = (files: Record<string, string>): Promise<ScanResult> =>
  engine.scan(Object.entries(files).map(([path, text]) => ({ path, text })));

const bucket = 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n';
const gitModule = (ref: string) =>
  `module "sg" {\n  source = "git::https://github.com/evil/sg.git?ref=${ref}"\n}\n`;
const registryModule = (version: string, extra = "") =>
  `module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "${version}"\n${extra}}\n`;

describe("module calls Tollgate does not read", () => {
  it("are each a located warning at the call's source, once per call however many instances", async () => {
    const result = await scan({
      "main.tf": bucket + gitModule("v1") + registryModule("5.0.0", "  count = 2\n"),
      "app/main.tf": 'module "local" {\n  source = "../net"\n}\n',
      "net/main.tf": 'module "inner" {\n  source = "hashicorp/consul/aws"\n}\n',
    });
    const notRead = result.errors.filter((e) => e.code === "module-not-read");
    expect(notRead.map((e) => `${e.file}:${e.line}:${e.column} ${e.level}`)).toEqual([
      "main.tf:5:3 warning",
      "main.tf:8:3 warning",
      "net/main.tf:2:3 warning",
    ]);
    expect(notRead[0]?.message).toBe(
      `module.sg is not read: Tollgate does not fetch its source "git::https://github.com/evil/sg.git?ref=v1", so what it deploys is judged only through the rules that read this call's arguments`,
    );
    expect(notRead[1]?.message).toContain('"terraform-aws-modules/vpc/aws" (version "5.0.0")');
    expect(notRead[2]?.message).toContain("module.local.module.inner is not read");
    expect(result.unreadModules?.map((call) => `${call.root} ${call.address}`)).toEqual([
      " module.sg",
      " module.vpc",
      "app module.local.module.inner",
    ]);
  });

  it("in a diff, are named when the change adds one or moves its source or version, not when it moves the call", async () => {
    const base = await scan({
      "main.tf": bucket + gitModule("v1") + registryModule("5.0.0"),
      "other/main.tf": registryModule("5.0.0"),
    });
    const head = await scan({
      "main.tf": bucket + gitModule("v2"),
      // moved to another file, with a count: the same call
      "vpc.tf": registryModule("5.0.0", "  count = 1\n"),
      "other/main.tf": registryModule("6.0.0"),
      "new/main.tf": gitModule("v1"),
    });
    const changed = changedUnreadModules(base, head);
    expect(changed.map(describeChangedCall)).toEqual([
      'module.sg (main.tf:5, source "git::https://github.com/evil/sg.git?ref=v1" -> "git::https://github.com/evil/sg.git?ref=v2")',
      'module.sg (new/main.tf:2, added, source "git::https://github.com/evil/sg.git?ref=v1")',
      'module.vpc (other/main.tf:3, version "5.0.0" -> "6.0.0")',
    ]);
    expect(changedUnreadModules(base, base)).toEqual([]);
  });
});
