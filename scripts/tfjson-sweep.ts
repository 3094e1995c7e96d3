// Every Terraform fixture of the built-in rules rewritten in `.tf.json` syntax, each nested block
// that appears once written as one object (as Terraform's JSON syntax allows) and, for contrast,
// as a list of objects: the findings (rule, resource, evidence, severity) of the list form must be
// those of the native file (ARRAYS), and those of the one-object form those of the list form
// (OBJECTS). Prints each fixture whose findings differ; exits 1 when one does.
// Usage: npx tsx scripts/tfjson-sweep.ts [path-substring]

import path from "node:path";
import type { Body, Expression, TemplatePart } from "../src/iac/hcl/index.js";
import { expressionText, parseHcl } from "../src/iac/hcl/index.js";
import { loadModel, type SourceFile } from "../src/iac/index.js";
import { readBundle } from "../src/policy/bundle.js";
import { buildPolicies, bundleOf, readPolicySources } from "../src/policy/build.js";
import { loadRuleSet } from "../src/policy/evaluate.js";
import { readFixtures } from "../src/policy/fixtures.js";
import { BUILTIN_POLICY_DIR } from "../src/policy/library.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

class Unsupported extends Error {}

function escaped(text: string): string {
  return text.replaceAll("${", "$${").replaceAll("%{", "%%{");
}

function templateText(parts: TemplatePart[], source: string): string {
  return parts
    .map((part) => {
      if (part.kind === "TemplateLiteral") return escaped(part.value);
      if (part.kind === "TemplateInterpolation") return `\${${expressionText(part.expr, source)}}`;
      throw new Unsupported("template directive");
    })
    .join("");
}

function expressionJson(expr: Expression, source: string): Json {
  switch (expr.kind) {
    case "Literal":
      return expr.value;
    case "Template":
    case "Heredoc":
      return templateText(expr.parts, source);
    case "Tuple":
      return expr.elements.map((e) => expressionJson(e, source));
    case "Object":
      if (expr.items.every((item) => item.keyName !== null))
        return Object.fromEntries(
          expr.items.map((item) => [item.keyName as string, expressionJson(item.value, source)]),
        );
      return `\${${expressionText(expr, source)}}`;
    default:
      return `\${${expressionText(expr, source)}}`;
  }
}

/** A block body in JSON syntax; `single` writes a nested block that appears once as one object. */
function bodyJson(
  body: Body,
  source: string,
  single: boolean,
  dynamicSpec = false,
): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  const unlabelled = new Map<string, Json[]>();
  const dynamic = new Map<string, Json[]>();
  for (const item of body.items) {
    if (item.kind === "Attribute") {
      // A dynamic block's iterator is a bare name, which JSON writes as a plain string.
      out[item.name] =
        dynamicSpec && item.name === "iterator"
          ? expressionText(item.expr, source)
          : expressionJson(item.expr, source);
      continue;
    }
    if (item.type === "dynamic") {
      const label = item.labels[0]?.value ?? "dynamic";
      const spec = bodyJson(item.body, source, single, true);
      const list = dynamic.get(label) ?? [];
      list.push(spec);
      dynamic.set(label, list);
      continue;
    }
    if (item.labels.length === 0) {
      const list = unlabelled.get(item.type) ?? [];
      list.push(bodyJson(item.body, source, single));
      unlabelled.set(item.type, list);
      continue;
    }
    let target = (out[item.type] ??= {}) as { [key: string]: Json };
    for (const label of item.labels.slice(0, -1))
      target = (target[label.value] ??= {}) as { [key: string]: Json };
    const last = item.labels[item.labels.length - 1]?.value ?? "";
    const inner = bodyJson(item.body, source, single);
    const existing = target[last];
    target[last] =
      existing === undefined
        ? inner
        : Array.isArray(existing)
          ? [...existing, inner]
          : [existing as Json, inner];
  }
  for (const [type, bodies] of unlabelled)
    out[type] =
      (single || (dynamicSpec && type === "content")) && bodies.length === 1
        ? (bodies[0] as Json)
        : bodies;
  if (dynamic.size > 0)
    out.dynamic = Object.fromEntries(
      [...dynamic].map(([label, specs]) => [
        label,
        single && specs.length === 1 ? (specs[0] as Json) : specs,
      ]),
    );
  return out;
}

function toTfJson(file: SourceFile, single: boolean): SourceFile {
  const { body, errors } = parseHcl(file.text, file.path);
  if (errors.length > 0) throw new Unsupported(`parse error ${errors[0]?.message}`);
  // Top-level blocks keep their array form only where two share all labels (locals, providers).
  return {
    path: `${file.path}.json`,
    text: JSON.stringify(bodyJson(body, file.text, single), null, 2),
  };
}

function converted(files: SourceFile[], single: boolean): SourceFile[] {
  return files.map((f) => (f.path.endsWith(".tf") ? toTfJson(f, single) : f));
}

/**
 * An unknown's expression as native syntax writes it: `.tf.json` quotes it (`"${var.x}"`), which
 * is not what this sweep looks for.
 */
function unquoted(evidence: string): string {
  return evidence.replace(/"\$\{((?:[^"\\]|\\.)*)\}"/g, (_, inner: string) =>
    inner.replace(/\\"/g, '"'),
  );
}

const filter = process.argv[2] ?? "";
const built = await buildPolicies(await readPolicySources(BUILTIN_POLICY_DIR));
if (!built.ok) throw new Error(JSON.stringify(built.errors.slice(0, 3)));
const ruleSet = await loadRuleSet(await readBundle(await bundleOf(built.built)));
const { fixtures } = await readFixtures(BUILTIN_POLICY_DIR);
let compared = 0;
let differing = 0;
let skipped = 0;
for (const fixture of fixtures) {
  if (!fixture.path.includes(filter)) continue;
  if (!fixture.files.some((f) => f.path.endsWith(".tf"))) continue;
  const keys = (files: SourceFile[]): { keys: string[]; errors: string[] } => {
    const model = loadModel(files);
    const evaluated = ruleSet.evaluate(model.resources, fixture.settings);
    return {
      keys: [
        ...new Set(
          evaluated.findings.map(
            (f) => `${f.rule} ${f.resource} ${unquoted(f.evidence)} ${f.severity}`,
          ),
        ),
      ].sort(),
      errors: [...model.errors, ...evaluated.errors].map((e) => `${e.file}:${e.line} ${e.message}`),
    };
  };
  let objects: SourceFile[];
  let arrays: SourceFile[];
  try {
    objects = converted(fixture.files, true);
    arrays = converted(fixture.files, false);
  } catch (error) {
    if (!(error instanceof Unsupported)) throw error;
    skipped++;
    console.log(`SKIP ${fixture.path}: ${error.message}`);
    continue;
  }
  compared++;
  const native = keys(fixture.files);
  const asObjects = keys(objects);
  const asArrays = keys(arrays);
  const report = (
    label: string,
    base: { keys: string[]; errors: string[] },
    other: { keys: string[]; errors: string[] },
  ): boolean => {
    const missing = base.keys.filter((k) => !other.keys.includes(k));
    const extra = other.keys.filter((k) => !base.keys.includes(k));
    const message = (e: string) => e.slice(e.indexOf(" ") + 1);
    const errors = other.errors.filter((e) => !base.errors.some((n) => message(n) === message(e)));
    if (missing.length + extra.length + errors.length === 0) return false;
    console.log(`${label} ${fixture.path}`);
    for (const k of missing) console.log(`  - ${k}`);
    for (const k of extra) console.log(`  + ${k}`);
    for (const e of errors) console.log(`  ! ${e}`);
    return true;
  };
  // Lists against native syntax; one objects against lists, so each shows what it alone changes.
  const a = report("ARRAYS ", native, asArrays);
  const o = report("OBJECTS", asArrays, asObjects);
  if (a || o) differing++;
}
console.log(
  `${compared} fixtures compared (${skipped} skipped), ${differing} differ; ${path.basename(BUILTIN_POLICY_DIR)}`,
);
process.exitCode = differing > 0 ? 1 : 0;
