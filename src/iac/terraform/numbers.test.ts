import { describe, expect, it } from "vitest";
import recorded from "./numbers.terraform.json" with { type: "json" };
import {
  compareNumbers,
  exactArithmetic,
  isCarriedNumber,
  literalNumber,
  negated,
  terraformText,
  type ArithmeticOperator,
  type TerraformNumber,
} from "./numbers.js";
import { formatNumber, toStringValue } from "./values.js";

// Terraform's answers, recorded from `terraform console` by scripts/record-terraform-numbers.ts:
// `tostring(left op right)`, or `left op right == equals`.
interface Row {
  left: string;
  op: ArithmeticOperator;
  right: string;
  equals?: string;
  terraform: string | boolean;
}
const rows = recorded.rows as Row[];
const written = (row: Row) => `${row.left} ${row.op} ${row.right}`;
const strings = rows
  .filter((row) => row.equals === undefined)
  .map((row) => [written(row), row] as const);
const comparisons = rows
  .filter((row) => row.equals !== undefined)
  .map((row) => [written(row), row] as const);

/** Tollgate's number for `left op right`: a float64, or the unknown carrying a 512-bit number. */
function tollgate(row: Row): TerraformNumber | undefined {
  const left = literalNumber(row.left, Number(row.left));
  const right = literalNumber(row.right, Number(row.right));
  return exactArithmetic(row.op, left, right, written(row));
}

describe("numbers as Terraform computes them (recorded from terraform console)", () => {
  it("has the review's rows and generated ones", () => {
    expect(recorded.recordedWith).toMatch(/^Terraform v/);
    expect(rows.length).toBeGreaterThanOrEqual(150);
  });

  it.each(strings)("tostring(%s) is Terraform's string", (_, row) => {
    expect(terraformText(row.left, row.op, row.right)).toBe(row.terraform);
    const result = tollgate(row);
    expect(result === undefined ? undefined : toStringValue(result)).toBe(row.terraform);
    // A float64 where one writes it, as policies read numbers; a carried number otherwise.
    const text = row.terraform as string;
    expect(typeof result).toBe(formatNumber(Number(text)) === text ? "number" : "object");
  });

  it.each(comparisons)("%s decides as Terraform's == does", (_, row) => {
    const result = tollgate(row);
    const equals = literalNumber(row.equals ?? "", Number(row.equals));
    expect(result === undefined ? undefined : compareNumbers(result, equals) === 0).toBe(
      row.terraform,
    );
  });
});

describe("exactArithmetic", () => {
  it("leaves infinities and division by zero to float64, and gives no number for a string", () => {
    expect(exactArithmetic("+", Infinity, 1, "x")).toBeUndefined();
    expect(exactArithmetic("/", 1, 0, "x")).toBeUndefined();
    expect(exactArithmetic("%", 1, 0, "x")).toBeUndefined();
    expect(exactArithmetic("+", "1", 1, "x")).toBeUndefined();
  });

  it("carries a result no float64 stands for on an unknown naming the expression", () => {
    const sum = exactArithmetic("+", 0.3, 0.6, "0.3 + 0.6");
    expect(sum).toEqual({ $unknown: "0.3 + 0.6" });
    expect(sum !== undefined && isCarriedNumber(sum)).toBe(true);
    expect(compareNumbers(sum ?? 0, 0.9)).toBe(1);
    expect(exactArithmetic("-", sum ?? 0, 0.6, "x")).toBe(0.3);
    expect(negated(sum ?? 0, "-(0.3 + 0.6)")).toEqual({ $unknown: "-(0.3 + 0.6)" });
    expect(negated(0.5, "-x")).toBe(-0.5);
  });
});

describe("literalNumber", () => {
  it("gives the float64 of a number it holds, however written", () => {
    expect(literalNumber("0.1", 0.1)).toBe(0.1);
    expect(literalNumber("0.10", 0.1)).toBe(0.1);
    expect(literalNumber("9007199254740992", 9007199254740992)).toBe(9007199254740992);
    expect(literalNumber("1e21", 1e21)).toBe(1e21);
  });

  it("carries a number the float64 does not stand for, past 2^53 or its range too", () => {
    for (const [raw, value, text] of [
      ["9007199254740993", 9007199254740992, "9007199254740993"],
      ["-9.007199254740993E15", -9007199254740992, "-9007199254740993"],
      ["9007199254740993.5", 9007199254740994, "9007199254740993.5"],
      ["0.10000000000000000001", 0.1, "0.10000000000000000001"],
      ["1e400", Infinity, `1${"0".repeat(400)}`],
    ] as const) {
      const number = literalNumber(raw, value);
      expect([number, toStringValue(number)]).toEqual([{ $unknown: raw }, text]);
    }
  });
});
