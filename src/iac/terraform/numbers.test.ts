import { describe, expect, it } from "vitest";
import { exactArithmetic, literalNumber, type ArithmeticOperator } from "./numbers.js";

// What cty's 512-bit numbers make of decimals a float64 rounds: each row [a, op, b, Terraform's result].
const exact: [number, ArithmeticOperator, number, number][] = [
  [0.1, "+", 0.2, 0.3],
  [0.3, "-", 0.1, 0.2],
  [-0.1, "*", -0.2, 0.02],
  [1.1, "*", 3, 3.3],
  [0.3, "/", 0.1, 3],
  [7, "/", -2, -3.5],
  [0.7, "%", 0.2, 0.1],
  [-7, "%", 3, -1],
  [1e-7, "+", 2e-7, 3e-7],
  [1e300, "*", 10, 1e301],
  [9007199254740992, "+", 2, 9007199254740994],
];

describe("exactArithmetic", () => {
  it.each(exact)("%s %s %s is %s", (a, op, b, expected) => {
    expect(exactArithmetic(op, a, b)).toBe(expected);
  });

  it("leaves a quotient with no finite decimal, and infinities, to float64", () => {
    expect(exactArithmetic("/", 1, 3)).toBeUndefined();
    expect(exactArithmetic("+", Infinity, 1)).toBeUndefined();
    expect(exactArithmetic("/", 1, 0)).toBeUndefined();
  });

  it("fails on an integer result a float64 does not hold, as Tollgate's limit", () => {
    expect(() => exactArithmetic("+", 9007199254740992, 1)).toThrow(
      "the result 9007199254740993 is an integer past 2^53",
    );
    expect(() => exactArithmetic("*", 4503599627370497, 3)).toThrow(
      "the result 13510798882111491 is an integer past 2^53",
    );
  });
});

describe("literalNumber", () => {
  it("gives the float64 of a number it holds, however written", () => {
    expect(literalNumber("0.1", 0.1)).toBe(0.1);
    expect(literalNumber("9007199254740992", 9007199254740992)).toBe(9007199254740992);
    expect(literalNumber("1e21", 1e21)).toBe(1e21);
    expect(literalNumber("9007199254740993.5", 9007199254740994)).toBe(9007199254740994);
  });

  it("fails on an integer past 2^53 it does not hold, and on one past its range", () => {
    expect(() => literalNumber("9007199254740993", 9007199254740992)).toThrow(
      "the number 9007199254740993 is an integer past 2^53",
    );
    expect(() => literalNumber("-9.007199254740993E15", -9007199254740992)).toThrow(
      "the number -9007199254740993 is an integer past 2^53",
    );
    expect(() => literalNumber("1e400", Infinity)).toThrow("the number 1e400 is beyond");
  });
});
