import { describe, expect, it } from "vitest";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { withTempDir } from "../../test/support/tempDir.js";
import { readPolicySources } from "./build.js";
import { NumberText } from "../rego/runtime/index.js";
import { isDataFile, mergeDataFiles } from "./data.js";

describe("a policy folder's data files", () => {
  it("are data.json, data.yaml and data.yml, each at its folder's path under data, merged", () => {
    expect(
      ["data.json", "a/data.yaml", "a/b/data.yml", "a/data.yaml.bak", "x.json"].map(isDataFile),
    ).toEqual([true, true, true, false, false]);
    const merged = mergeDataFiles([
      { path: "acme/data.json", text: '{"instance_types": ["t3.micro"], "limits": {"a": 1}}' },
      { path: "acme/limits/data.yml", text: "b: 2\n" },
      { path: "data.yaml", text: "acme:\n  limits:\n    c: yes\nteams: [platform]\n" },
      { path: "acme/ports/data.json", text: "[22, 3389]" },
    ]);
    expect(merged.errors).toEqual([]);
    expect(merged.data).toEqual({
      acme: {
        instance_types: ["t3.micro"],
        limits: { a: 1, b: 2, c: true },
        ports: [22, 3389],
      },
      teams: ["platform"],
    });
  });

  it("sit below the folder the paths start with, as the app lists them from the repository root", () => {
    const merged = mergeDataFiles(
      [{ path: "tollgate/policies/acme/data.json", text: '{"x": 1}' }],
      "tollgate/policies",
    );
    expect(merged).toEqual({ data: { acme: { x: 1 } }, errors: [] });
  });

  it("refuse, located, what does not parse, two files setting one value, and a top that is no object", () => {
    const { errors } = mergeDataFiles([
      { path: "acme/data.json", text: '{"types": ["t3.micro",\n  ]}' },
      { path: "acme/data.yaml", text: "types:\n  - [\n" },
      { path: "a/data.json", text: '{"types": ["t3.micro"]}' },
      { path: "data.json", text: '{"a": {"types": []}}' },
      { path: "b/data.json", text: '{"x": 1}' },
      { path: "b/x/data.json", text: "2" },
      { path: "c/data.json", text: "{}" },
      { path: "data.yml", text: "- 1\n" },
    ]);
    expect(errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`)).toEqual([
      "acme/data.json:2:3: " + errors[0]?.message,
      expect.stringMatching(/^acme\/data\.yaml:3:1: /),
      expect.stringMatching(/^b\/x\/data\.json:1:1: data\.b\.x is also set by b\/data\.json/),
      "data.json:1:1: data.a.types is also set by a/data.json: data files may add keys to one another's objects, not set the same value",
      expect.stringMatching(
        /^data\.yml:1:1: a data file at the top of the policy folder must hold an object/,
      ),
    ]);
    expect(errors.every((e) => e.code !== "" && e.level === undefined)).toBe(true);
  });

  it("may not write data.tollgate, where the rules, the helpers and the scan's settings are", () => {
    const { data, errors } = mergeDataFiles([
      { path: "tollgate/data.json", text: '{"lib": {}}' },
      { path: "data.json", text: '{"tollgate": {"settings": {"strict": false}}}' },
      { path: "tollgate/lib/data.yaml", text: "x: 1\n" },
    ]);
    expect(data).toEqual({});
    expect(errors.map((e) => e.file)).toEqual([
      "data.json",
      "tollgate/data.json",
      "tollgate/lib/data.yaml",
    ]);
    expect(errors[0]?.message).toMatch(/^data\.tollgate is Tollgate's/);
  });

  it("read YAML with the CloudFormation loader's bounds, and keep __proto__ a plain key", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...Array.from({ length: 8 }, (_, i) => {
        const name = String.fromCharCode(98 + i);
        const prev = String.fromCharCode(97 + i);
        return `${name}: &${name} [${Array(10).fill(`*${prev}`).join(", ")}]`;
      }),
      "",
    ].join("\n");
    const refused = mergeDataFiles([{ path: "x/data.yaml", text: bomb }]);
    expect(refused.errors).toEqual([expect.objectContaining({ file: "x/data.yaml" })]);
    expect(refused.data).toEqual({});
    const proto = mergeDataFiles([
      { path: "data.json", text: '{"__proto__": {"polluted": true}}' },
      { path: "p/data.json", text: '{"__proto__": {"x": 1}}' },
    ]);
    expect(proto.errors).toEqual([]);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.keys(proto.data)).toEqual(["__proto__", "p"]);
  });

  it("refuse CloudFormation's tags, which the YAML reader would turn into objects, at the tag", () => {
    const { errors, data } = mergeDataFiles([
      { path: "acme/data.yaml", text: "ok: [a]\nowner:\n  - team\n  - !Ref Owner\n" },
    ]);
    expect(errors).toEqual([
      expect.objectContaining({
        file: "acme/data.yaml",
        line: 4,
        column: 5,
        code: "policy-data",
        message: "!Ref is a CloudFormation tag; data files take plain YAML",
      }),
    ]);
    expect(data).toEqual({});
    // A key written Ref is a key like any other.
    expect(mergeDataFiles([{ path: "data.yaml", text: "Ref: x\n" }])).toEqual({
      errors: [],
      data: { Ref: "x" },
    });
  });

  it("keep integers past 2^53 exact, as OPA reads data's numbers, in JSON and YAML alike", () => {
    const merged = mergeDataFiles([
      { path: "acme/data.json", text: '{"account": 123456789012345678901, "n": 9007199254740993}' },
      {
        path: "acme/more/data.yaml",
        text: `ids: [9007199254740993, -18446744073709551617]\nf: 1.5\nhuge: 1${"0".repeat(400)}\nquoted: "12345678901234567890"\n`,
      },
    ]);
    expect(merged.errors).toEqual([]);
    expect(merged.data).toEqual({
      acme: {
        account: 123456789012345678901n,
        n: 9007199254740993n,
        more: {
          ids: [9007199254740993n, -18446744073709551617n],
          f: 1.5,
          huge: 10n ** 400n,
          quoted: "12345678901234567890",
        },
      },
    });
  });

  it("keep a decimal a double does not hold as written, as OPA keeps data's numbers (json.Number)", () => {
    const merged = mergeDataFiles([
      {
        path: "acme/data.json",
        text: '{"tiny": 0.1000000000000000055511151231257827, "big": 1e400, "plain": 1.50, "e": 2.5e-3}',
      },
      { path: "acme/more/data.yaml", text: "rate: 0.3000000000000000444\nhalf: 0.5\nfar: 1e400\n" },
    ]);
    expect(merged.errors).toEqual([]);
    expect(merged.data).toEqual({
      acme: {
        tiny: new NumberText("0.1000000000000000055511151231257827"),
        big: new NumberText("1e400"),
        // What a double holds exactly stays a number (trailing zeros are not kept).
        plain: 1.5,
        e: 0.0025,
        more: {
          rate: new NumberText("0.3000000000000000444"),
          half: 0.5,
          far: new NumberText("1e400"),
        },
      },
    });
    // Such a value is a value, not an object other files could add keys to.
    const twice = mergeDataFiles([
      { path: "acme/data.json", text: '{"tiny": 0.1000000000000000055511151231257827}' },
      { path: "acme/tiny/data.json", text: '{"text": "x"}' },
    ]);
    expect(twice.errors.map((e) => [e.file, e.message])).toEqual([
      [
        "acme/tiny/data.json",
        expect.stringMatching(/^data\.acme\.tiny is also set by acme\/data\.json/),
      ],
    ]);
  });

  it("are read with the folder's Rego, and under fixtures/ stay fixtures", async () => {
    await withTempDir("policy-data", async (dir) => {
      await mkdir(path.join(dir, "acme", "fixtures"), { recursive: true });
      await writeFile(path.join(dir, "acme", "data.yaml"), "x: 1\n");
      await writeFile(path.join(dir, "acme", "fixtures", "data.json"), "{}");
      await writeFile(path.join(dir, "acme", "policy.rego"), "package acme\n");
      await writeFile(path.join(dir, "acme", "notes.json"), "{}");
      expect((await readPolicySources(dir)).map((s) => s.path)).toEqual([
        "acme/data.yaml",
        "acme/policy.rego",
      ]);
    });
  });
});
