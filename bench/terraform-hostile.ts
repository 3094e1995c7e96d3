// Terraform loader on hostile input: each case must end at a located `terraform-limit` error
// (evaluate.ts: EVALUATION_BUDGET, MAX_ELEMENTS, MAX_DATA_ELEMENTS, MAX_ROOT_ELEMENTS, MAX_TEXT), never
// hang or run out of memory.
// Prints the time to that error. Run: npx tsx bench/terraform-hostile.ts
import { loadTerraform } from "../src/iac/terraform/index.js";

/** Locals l1..l`count`, each `step` of the one before, after `first`. */
function chain(first: string, step: (previous: string) => string, count = 40): string {
  const locals = Array.from({ length: count }, (_, i) => `  l${i + 1} = ${step(`local.l${i}`)}\n`);
  return `locals {\n  l0 = ${first}\n${locals.join("")}}\n`;
}

const reader = (expr: string) => `resource "x" "y" {\n  v = ${expr}\n}\n`;
/** A CSV of 1,000 rows held by `d0`: decoded data counts against MAX_DATA_ELEMENTS. */
const rows = `n,v\n${Array.from({ length: 1000 }, (_, i) => `${i},x`).join("\n")}\n`;
/** 190,000 strings (1.7 MB), each local below the data bound: only the root's budget stops a chain. */
const strings = JSON.stringify(Array.from({ length: 190_000 }, (_, i) => `a${i % 100_000}`));
/** Eight workspaces, each indexing this map. */
const workspaces = `locals {\n  cidr = { ${Array.from({ length: 8 }, (_, i) => `w${i} = "10.${i}.0.0/16"`).join(", ")} }\n}\nresource "x" "w" {\n  cidr = local.cidr[terraform.workspace]\n}\n`;
const cases: Record<string, string> = {
  "for-expressions 3 deep over range(1000)":
    "locals {\n  r = range(1000)\n  big = [for a in local.r : [for b in local.r : [for c in local.r : c]]]\n}\n" +
    reader("length(local.big)"),
  "object for-expressions 3 deep":
    "locals {\n  r = range(1000)\n  big = {for a in local.r : a => {for b in local.r : b => {for c in local.r : c => c}}}\n}\n" +
    reader("length(local.big)"),
  "format in for-expressions 2 deep":
    'locals {\n  r = range(1000)\n  big = flatten([for a in local.r : [for b in local.r : format("%d-%d", a, b)]])\n}\n' +
    reader('strrev(join(",", local.big))'),
  "splat in for-expressions":
    "locals {\n  r = [for i in range(1000) : { a = range(1000) }]\n  big = [for x in local.r : [for y in local.r : y.a]]\n}\n" +
    reader("length(local.big)"),
  "locals doubling by concat":
    chain("[1]", (l) => `concat(${l}, ${l})`) + reader("length(local.l40)"),
  "locals doubling by flatten":
    chain("[1]", (l) => `flatten([${l}, ${l}])`) + reader("length(local.l40)"),
  "locals doubling by tuple, jsonencode":
    chain("[1]", (l) => `[${l}, ${l}]`) + reader("jsonencode(local.l40)"),
  "locals doubling by object, yamlencode":
    chain("{ a = 1 }", (l) => `{ a = ${l}, b = ${l} }`) + reader("yamlencode(local.l40)"),
  "string doubling":
    chain('"aaaaaaaaaa"', (l) => `"\${${l}}\${${l}}"`) + reader("length(local.l40)"),
  "decoded CSV doubling by tuple":
    chain('csvdecode(file("rows.csv"))', (l) => `[${l}, ${l}]`) + reader("jsonencode(local.l40)"),
  "join doubling":
    chain('["aaaaaaaaaa"]', (l) => `[join(",", concat(${l}, ${l}))]`) + reader("length(local.l40)"),
  "12 locals over 190,000 strings, 8 workspaces":
    chain('jsondecode(file("strings.json"))', (l) => `[for x in ${l} : "v\${x}"]`, 12) +
    reader("length(local.l12)") +
    workspaces,
  "the same, each local reading the workspace":
    chain(
      'jsondecode(file("strings.json"))',
      (l) => `[for x in ${l} : "\${x}\${terraform.workspace}"]`,
      12,
    ) +
    reader("length(local.l12)") +
    workspaces,
  "toset of 90,000 strings":
    'locals {\n  rows = flatten([for a in range(300) : [for b in range(300) : "r${a}-${b}"]])\n}\n' +
    reader("length(toset(local.rows))"),
  "jsonencode of 90,000 strings, 1,000 resources, 4 workspaces":
    'locals {\n  rows = flatten([for a in range(300) : [for b in range(300) : "r${a}-${b}"]])\n  size = { prod = 1, qa = 2, dev = 3 }[terraform.workspace]\n}\n' +
    'resource "x" "z" {\n  count = 1000\n  v = jsonencode(local.rows)\n}\n',
};

console.log("case                                          ms  errors  first error");
for (const [name, text] of Object.entries(cases)) {
  const start = performance.now();
  const model = loadTerraform([
    { path: "main.tf", text },
    { path: "rows.csv", text: rows },
    { path: "strings.json", text: strings },
  ]);
  const ms = performance.now() - start;
  const first = model.errors[0];
  console.log(
    [
      name.padEnd(42),
      ms.toFixed(0).padStart(6),
      String(model.errors.length).padStart(7),
      first ? ` main.tf:${first.line} ${first.code}: ${first.message.slice(0, 60)}` : " none",
    ].join(""),
  );
}
