// CloudFormation loader speed: MB/s on the corpus's templates (cfngoat + KICS fixtures), on one
// large YAML template and the same template as JSON (the shared positioned JSON reader alone and
// under parseTemplate, against the YAML parser reading JSON and JSON.parse as the ceiling), and
// how long hostile inputs take.
// Speeds are per CPU second of this process. Run: `npx tsx bench/cloudformation.ts`.

import { parseDocument } from "yaml";
import { loadCloudFormation } from "../src/iac/cloudformation/index.js";
import { MAX_NESTING_DEPTH, parseTemplate } from "../src/iac/cloudformation/parse.js";
import type { TemplateNode } from "../src/iac/cloudformation/parse.js";
import { readJson } from "../src/iac/json/index.js";
import type { SourceFile } from "../src/iac/source.js";
import { corpusSource, kicsExamples } from "../test/support/corpus.js";

function corpusTemplates(): SourceFile[] {
  const cfngoat = ["real/cfngoat/cfngoat.yaml", "real/cfngoat/eks.yaml"];
  return [...cfngoat, ...kicsExamples("cloudformation")].map(corpusSource);
}

/** cfngoat's resources copied under new logical ids until the template reaches `targetBytes`. */
function largeYamlTemplate(targetBytes: number): SourceFile {
  const { text } = corpusSource("real/cfngoat/cfngoat.yaml");
  const [head, rest] = text.split(/^Resources:\n/m) as [string, string];
  const body = rest.split(/^Outputs:/m)[0] as string;
  const copies: string[] = [];
  for (let copy = 0; head.length + copies.join("").length < targetBytes; copy++) {
    copies.push(body.replace(/^ {2}([A-Za-z0-9]+):/gm, `  $1C${copy}:`));
  }
  return { path: "large.yaml", text: `${head}Resources:\n${copies.join("")}` };
}

/** The same template in JSON, intrinsics in long form. */
function asJson(template: SourceFile): SourceFile {
  const toJson = (node: TemplateNode): unknown => {
    if (node.kind === "scalar") return node.value;
    if (node.kind === "sequence") return node.items.map(toJson);
    return Object.fromEntries(node.entries.map((entry) => [entry.key, toJson(entry.value)]));
  };
  const root = parseTemplate(template).root;
  if (root === null) throw new Error("large template did not parse");
  return { path: "large.json", text: JSON.stringify(toJson(root), null, 2) };
}

function megabytesOf(files: SourceFile[]): number {
  return files.reduce((sum, file) => sum + Buffer.byteLength(file.text), 0) / 1e6;
}

/** Best MB/s of `rounds` rounds, by CPU time (user + system): the machine is shared. */
function speed(files: SourceFile[], rounds: number, work: (file: SourceFile) => unknown): number {
  const megabytes = megabytesOf(files);
  let best = 0;
  for (let round = 0; round < rounds; round++) {
    const started = process.cpuUsage();
    for (const file of files) work({ ...file });
    const used = process.cpuUsage(started);
    best = Math.max(best, megabytes / ((used.user + used.system) / 1e6));
  }
  return best;
}

function milliseconds(work: () => unknown): number {
  const started = process.cpuUsage();
  work();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

const templates = corpusTemplates();
const large = largeYamlTemplate(1_500_000);
const largeJson = asJson(large);
const minifiedJson = { path: "minified.json", text: JSON.stringify(JSON.parse(largeJson.text)) };
const row = (label: string, value: number, unit: string): void =>
  console.log(`${label.padEnd(58)} ${value.toFixed(2).padStart(9)} ${unit}`);

console.log(
  `corpus: ${templates.length} templates, ${megabytesOf(templates).toFixed(3)} MB; large: ${megabytesOf([large]).toFixed(2)} MB YAML, ${megabytesOf([largeJson]).toFixed(2)} MB JSON`,
);
row(
  "corpus: loadCloudFormation (parse + evaluate)",
  speed(templates, 20, (file) => loadCloudFormation(file)),
  "MB/s",
);
row("corpus: parseTemplate only", speed(templates, 20, parseTemplate), "MB/s");
row(
  "corpus: yaml.parseDocument (no bounds, no tree)",
  speed(templates, 20, (file) => parseDocument(file.text)),
  "MB/s",
);
row(
  "large YAML: loadCloudFormation",
  speed([large], 5, (file) => loadCloudFormation(file)),
  "MB/s",
);
row(
  "large JSON: loadCloudFormation (positioned JSON reader)",
  speed([largeJson], 5, (file) => loadCloudFormation(file)),
  "MB/s",
);
row(
  "large JSON: parseTemplate only (positioned JSON reader)",
  speed([largeJson], 5, parseTemplate),
  "MB/s",
);
row(
  "large JSON: readJson alone (positioned tree, src/iac/json)",
  speed([largeJson], 5, (file) => readJson(file.text, MAX_NESTING_DEPTH)),
  "MB/s",
);
row(
  "large JSON: yaml.parseDocument (the same JSON read as YAML)",
  speed([largeJson], 2, (file) => parseDocument(file.text)),
  "MB/s",
);
row(
  "minified JSON: parseTemplate (positioned JSON reader)",
  speed([minifiedJson], 5, parseTemplate),
  "MB/s",
);
row(
  "minified JSON: readJson alone",
  speed([minifiedJson], 5, (file) => readJson(file.text, MAX_NESTING_DEPTH)),
  "MB/s",
);
row(
  "minified JSON: yaml.parseDocument (read as YAML)",
  speed([minifiedJson], 2, (file) => parseDocument(file.text)),
  "MB/s",
);
row(
  "large JSON: JSON.parse (no positions)",
  speed([largeJson], 5, (file) => JSON.parse(file.text)),
  "MB/s",
);
const resources = loadCloudFormation(large).resources.length;
row(`large YAML: resources loaded`, resources, "resources");

const bombLevels = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
for (let level = 1; level <= 9; level++)
  bombLevels.push(
    `a${level}: &a${level} [${Array(9)
      .fill(`*a${level - 1}`)
      .join(",")}]`,
  );
const hostile: Array<[string, string]> = [
  ["2 MB of `[` (refused before parsing)", `Resources: ${"[".repeat(2_000_000)}`],
  [
    "billion laughs (9 levels of 9 aliases)",
    `Resources:\n${bombLevels.map((line) => `  ${line}`).join("\n")}\n`,
  ],
  [
    "1 MB of 60-deep flow nesting, repeated",
    `Resources:\n${Array(8000)
      .fill(`  - ${"[".repeat(60)}1${"]".repeat(60)}`)
      .join("\n")}\n`,
  ],
  [
    "19 000 flow items, just under the flow limit (accepted)",
    `Resources:\n${Array(2375).fill("  - [1, 2, 3, 4, 5, 6, 7, 8]").join("\n")}\n`,
  ],
  ["1 MB of unterminated quotes", `Resources: "${"x".repeat(1_000_000)}`],
];
for (const [label, text] of hostile) {
  let codes = "";
  const spent = milliseconds(() => {
    codes = [
      ...new Set(
        loadCloudFormation({ path: "hostile.yaml", text }).errors.map((error) => error.code),
      ),
    ].join(",");
  });
  row(`hostile: ${label} -> ${codes || "no error"}`, spent, "ms");
}
