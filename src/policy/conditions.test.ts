import { describe, expect, it } from "vitest";
import {
  conjunctionText,
  coversEveryDeployment,
  implies,
  parseCondition,
  satisfiable,
} from "./conditions.js";

describe("condition texts as formulas", () => {
  it("reads not, and, or and parentheses, and names that merely contain a keyword", () => {
    expect(parseCondition("not Andromeda and NotProd or Notable")).toEqual({
      kind: "or",
      operands: [
        {
          kind: "and",
          operands: [
            { kind: "not", operand: { kind: "name", name: "Andromeda" } },
            { kind: "name", name: "NotProd" },
          ],
        },
        { kind: "name", name: "Notable" },
      ],
    });
    expect(parseCondition("var.rules is not empty")).toEqual({
      kind: "name",
      name: "var.rules is not empty",
    });
    expect(parseCondition("not (A and")).toEqual({ kind: "name", name: "not (A and" });
  });

  it("tells exclusion, implication and coverage only when the formulas prove it", () => {
    expect(satisfiable(["HasKey", "IsProd and not HasKey"])).toBe(false);
    expect(satisfiable(["Andromeda", "not NotProd"])).toBe(true);
    expect(satisfiable(["var.a is not empty", "not var.a is not empty"])).toBe(true);
    expect(implies(["IsProd and HasKey"], "IsProd")).toBe(true);
    expect(implies(["IsProd"], "IsProd and HasKey")).toBe(false);
    expect(coversEveryDeployment(["C and D", "C and not D", "not C"])).toBe(true);
    expect(coversEveryDeployment(["C and D", "not C"])).toBe(false);
    expect(coversEveryDeployment(["not (C and D)", "D and C"])).toBe(true);
  });

  it("joins conditions with and, a disjunction among several in parentheses", () => {
    expect(conjunctionText(["IsA or IsB"])).toBe("IsA or IsB");
    expect(conjunctionText(["IsDeployed", "IsA or IsB", "not (IsC or IsD)"])).toBe(
      "IsDeployed and (IsA or IsB) and not (IsC or IsD)",
    );
  });
});
