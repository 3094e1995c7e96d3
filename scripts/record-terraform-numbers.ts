// Records what Terraform's cty numbers (512-bit binary floats) make of arithmetic into
// src/iac/terraform/numbers.terraform.json, the table numbers.test.ts checks Tollgate against.
// Needs a `terraform` on PATH (run: npx tsx scripts/record-terraform-numbers.ts); tests never call it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const TABLE = new URL("../src/iac/terraform/numbers.terraform.json", import.meta.url);

/** One case: `left op right`, as a string (`tostring`) or compared (`== equals`). */
interface NumberCase {
  left: string;
  op: "+" | "-" | "*" | "/" | "%";
  right: string;
  equals?: string;
}

// The review's rows (finding 7), then generated ones from a fixed seed.
const cases: NumberCase[] = [
  { left: "0.1", op: "+", right: "0.2", equals: "0.3" },
  { left: "0.3", op: "+", right: "0.6", equals: "0.9" },
  { left: "1.1", op: "+", right: "2.2", equals: "3.3" },
  { left: "0.1", op: "*", right: "3", equals: "0.3" },
  { left: "0.7", op: "*", right: "0.1", equals: "0.07" },
  { left: "100", op: "*", right: "1.1", equals: "110" },
  { left: "0.3", op: "/", right: "0.1", equals: "3" },
  { left: "0.1", op: "+", right: "0.7", equals: "0.8" },
  { left: "4.35", op: "*", right: "100", equals: "435" },
  { left: "1.15", op: "*", right: "100", equals: "115" },
  { left: "1e16", op: "+", right: "1", equals: "1e16" },
  { left: "0.3", op: "-", right: "0.1", equals: "0.2" },
  { left: "-0.1", op: "*", right: "-0.2", equals: "0.02" },
  { left: "1.1", op: "*", right: "3", equals: "3.3" },
  { left: "0.7", op: "%", right: "0.2", equals: "0.1" },
  ...["0.3 + 0.6", "1.1 + 2.2", "100 * 1.1", "0.3 / 0.1", "2.675 * 100", "1 / 3", "7.5 % 2"]
    .concat(["-7 % 3", "0.1 + 0.7", "4.35 * 100", "1e21 + 1", "0.3 % 0.1", "0.7 % 0.2"])
    .concat(["1.1 * 3", "0.10 * 1.5", "0.3 - 0.1", "-0.1 * -0.2", "9007199254740992 + 1"])
    .map((text): NumberCase => {
      const [left = "", op = "+", right = ""] = text.split(" ");
      return { left, op: op as NumberCase["op"], right };
    }),
];

let seed = 21;
const random = (below: number): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % below;
};
/** A number of one or two decimals, 0.1 to 99.99. */
const decimal = (): string => {
  const places = 1 + random(2);
  const whole = random(places === 1 ? 10 : 100);
  const fraction = String(1 + random(places === 1 ? 9 : 99)).padStart(places, "0");
  return `${whole}.${fraction}`;
};
const exactSum = (a: string, b: string, sign: 1 | -1): string => {
  const scaled = (text: string) => Math.round(Number(text) * 100);
  const total = scaled(a) + sign * scaled(b);
  return `${total < 0 ? "-" : ""}${Math.floor(Math.abs(total) / 100)}.${String(Math.abs(total) % 100).padStart(2, "0")}`;
};
for (let i = 0; i < 25; i++) {
  const [a, b] = [decimal(), decimal()];
  cases.push({ left: a, op: "+", right: b, equals: exactSum(a, b, 1) });
  cases.push({ left: a, op: "+", right: b });
}
for (let i = 0; i < 15; i++) {
  const [a, b] = [decimal(), decimal()];
  cases.push({ left: a, op: "-", right: b, equals: exactSum(a, b, -1) });
  cases.push({ left: a, op: "-", right: b });
}
for (let i = 0; i < 20; i++) cases.push({ left: decimal(), op: "*", right: decimal() });
for (let i = 0; i < 15; i++) cases.push({ left: decimal(), op: "/", right: decimal() });
for (let i = 0; i < 12; i++) cases.push({ left: decimal(), op: "%", right: decimal() });
for (const [left, op, right] of [
  ["9007199254740993", "*", "3"],
  ["4503599627370497", "*", "4503599627370497"],
  ["123456789012345678901234567890", "+", "1"],
  ["1e300", "*", "1e10"],
  ["-9007199254740993", "-", "0.5"],
  ["1e-300", "/", "3"],
  ["2", "/", "3"],
  ["-1", "/", "7"],
  ["1e22", "/", "7"],
  ["0.000001", "*", "0.000003"],
] as const)
  cases.push({ left, op, right });

// Whole expressions, evaluated by Tollgate's evaluator in numbers.test.ts's neighbour index.test.ts:
// the review's (finding 7) and what decides on or writes a number no float64 holds.
const expressions = [
  ...["0.1 + 0.2 == 0.3", "0.3 + 0.6 == 0.9", "1.1 + 2.2 == 3.3", "0.1 * 3 == 0.3"],
  ...["0.7 * 0.1 == 0.07", "100 * 1.1 == 110", "tostring(0.3 % 0.1)", "floor(0.3 / 0.1)"],
  ...["0.3 / 0.1 == 3", "tostring(0.3 + 0.6)", "tostring(1.1 + 2.2)", "tostring(100 * 1.1)"],
  ...["tostring(0.3 / 0.1)", "tostring(2.675 * 100)", "tostring(1 / 3)", "tostring(7.5 % 2)"],
  ...["tostring(-7 % 3)", "tostring(0.1 + 0.7)", "0.1 + 0.7 == 0.8", "4.35 * 100 == 435"],
  ...["tostring(4.35 * 100)", "1.15 * 100 == 115", "sum([0.1, 0.2]) == 0.3"],
  ...["sum([0.3, 0.6]) == 0.9", "tostring(1e21 + 1)", "1e16 + 1 == 1e16"],
  ...["tostring(sum([0.3, 0.6, -0.6]))", "tostring(sum([1, 2.5]))", "0.3 + 0.6 > 0.9"],
  ...["0.3 + 0.6 != 0.9", "1 / 3 * 3 == 1", "tostring(1 / 3 * 3)", "tostring(-(0.3 + 0.6))"],
  ...[
    "(0.3 + 0.6) - 0.6 == 0.3",
    "0.3 + 0.6 >= 0.9",
    "0.3 + 0.6 < 1",
    "1 / 3 < 0.3333333333333333",
  ],
  ...['"x${0.3 + 0.6}"', '"n${1 / 7}"', "9007199254740993 == 9007199254740992"],
  ...["9007199254740992 + 1 > 9007199254740992", "tostring(9007199254740993 * 3)"],
  ...["1e400 > 1e308", "tostring(1e300 * 1e10)", '0.3 + 0.6 == "0.9"', "tostring(2 / 3 - 1 / 3)"],
  ...[
    "(0.3 + 0.6 == 0.9 ? 1 : 0) + 1",
    "tostring(0.10000000000000000001)",
    "0.1 == 0.10000000000000000001",
  ],
];

const expression = ({ left, op, right, equals }: NumberCase): string =>
  equals === undefined ? `tostring(${left} ${op} ${right})` : `${left} ${op} ${right} == ${equals}`;

const folder = mkdtempSync(join(tmpdir(), "tollgate-numbers-"));
try {
  const output = execFileSync("terraform", ["console"], {
    cwd: folder,
    // One expression: the console reads all of its input as one.
    input: `jsonencode([${[...cases.map(expression), ...expressions].join(", ")}])\n`,
    encoding: "utf8",
    env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null" },
  });
  const answers = JSON.parse(JSON.parse(output.trim()) as string) as (string | boolean)[];
  if (answers.length !== cases.length + expressions.length)
    throw new Error(`terraform console gave ${answers.length} answers for ${cases.length} cases`);
  const version = execFileSync("terraform", ["version"], { encoding: "utf8" }).split("\n")[0];
  const rows = cases.map((numberCase, i) => ({
    ...numberCase,
    terraform: answers[i],
  }));
  const evaluated = expressions.map((text, i) => ({
    expression: text,
    terraform: answers[cases.length + i],
  }));
  writeFileSync(
    TABLE,
    JSON.stringify({ recordedWith: version, rows, expressions: evaluated }, null, 2) + "\n",
  );
  console.log(`${rows.length} rows recorded with ${version}`);
} finally {
  rmSync(folder, { recursive: true });
}
