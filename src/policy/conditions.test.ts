import { describe, expect, it } from "vitest";
import {
  conjunctionText,
  coversEveryDeployment,
  implies,
  meaningText,
  parseCondition,
  readableText,
  satisfiable,
  widening,
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

  it("reads a nested stack's condition (Net.IsProd) as a name of its own, apart from the parent's", () => {
    expect(satisfiable(["IsProd", "not Net.IsProd"])).toBe(true);
    expect(satisfiable(["Net.IsProd", "not Net.IsProd"])).toBe(false);
    expect(readableText(["IsProd", "not (Net.IsProd or Net.Sub.HasKey)"])).toBe(
      "IsProd and not Net.IsProd and not Net.Sub.HasKey",
    );
  });

  it("joins conditions with and, a disjunction among several in parentheses", () => {
    expect(conjunctionText(["IsA or IsB"])).toBe("IsA or IsB");
    expect(conjunctionText(["IsDeployed", "IsA or IsB", "not (IsC or IsD)"])).toBe(
      "IsDeployed and (IsA or IsB) and not (IsC or IsD)",
    );
  });

  it("names the deployments as a plain conjunction where one is shorter or has no parentheses", () => {
    expect(readableText(["C", "not (C and D)"])).toBe("C and not D");
    expect(readableText(["not (HasLogs and IsProd) and not (HasLogs and not IsProd)"])).toBe(
      "not HasLogs",
    );
    expect(readableText(["not (not IsProd and HasBackup) and not IsProd"])).toBe(
      "not IsProd and not HasBackup",
    );
    expect(readableText(["not (IsAudited or IsProd)"])).toBe("not IsAudited and not IsProd");
    expect(readableText(["IsDeployed", "IsPublic and not HasVpn"])).toBe(
      "IsDeployed and IsPublic and not HasVpn",
    );
    expect(readableText(["not (HasKey and IsProd and not HasKey)"])).toBe("");
    expect(readableText([])).toBe("");
  });

  it("keeps the text as written where no such conjunction says the same", () => {
    expect(readableText(["IsA or IsB"])).toBe("IsA or IsB");
    expect(readableText(["not (C and D) and not E"])).toBe("not (C and D) and not E");
    expect(readableText(["IsDeployed", "IsA or IsB"])).toBe("IsDeployed and (IsA or IsB)");
    expect(readableText(["var.rules is not empty", "IsA"])).toBe("var.rules is not empty and IsA");
  });

  describe("over a parameter's AllowedValues", () => {
    const domain = {
      parameters: { Env: ["dev", "test", "prod"], Cidr: ["10.0.0.0/8", "0.0.0.0/0"] },
      conditions: { IsProd: "Env is prod", IsDev: "Env is dev", Open: "Cidr is 0.0.0.0/0" },
    };

    it("reads a parameter's value as one name", () => {
      expect(parseCondition("IsProd and Cidr is 0.0.0.0/0")).toEqual({
        kind: "and",
        operands: [
          { kind: "name", name: "IsProd" },
          { kind: "name", name: "Cidr is 0.0.0.0/0" },
        ],
      });
    });

    it("gives each parameter exactly one value per deployment, and conditions as defined", () => {
      expect(coversEveryDeployment(["Env is dev", "Env is test", "Env is prod"], domain)).toBe(
        true,
      );
      expect(coversEveryDeployment(["Env is dev", "Env is test", "Env is prod"])).toBe(false);
      expect(coversEveryDeployment(["Env is dev", "Env is prod"], domain)).toBe(false);
      expect(coversEveryDeployment(["IsProd", "IsDev", "Env is test"], domain)).toBe(true);
      expect(coversEveryDeployment(["IsProd", "not IsProd"], domain)).toBe(true);
      expect(satisfiable(["IsProd", "Env is dev"], domain)).toBe(false);
      expect(satisfiable(["IsProd", "Env is dev"])).toBe(true);
      expect(satisfiable(["Env is staging"], domain)).toBe(false);
      expect(implies(["Open"], "Cidr is 0.0.0.0/0", domain)).toBe(true);
      // A name the domain does not define is free, as without one.
      expect(coversEveryDeployment(["HasKey", "IsProd"], domain)).toBe(false);
    });

    it("names deployments that are all of them as none, and one name where it says the same", () => {
      expect(readableText(["Env is dev or Env is test or Env is prod"], domain)).toBe("");
      expect(readableText(["IsProd or not IsProd and (IsDev or Env is test)"], domain)).toBe("");
      expect(readableText(["IsProd and Env is prod"], domain)).toBe("IsProd");
      expect(readableText(["not IsDev and Env is prod or not IsDev and Env is test"], domain)).toBe(
        "not IsDev",
      );
      expect(readableText(["Env is dev or Env is test"], domain)).toBe("Env is dev or Env is test");
      expect(readableText(["IsProd and Cidr is 0.0.0.0/0"], domain)).toBe(
        "IsProd and Cidr is 0.0.0.0/0",
      );
    });
  });
});

describe("widening: where a head finding holds and its base finding did not", () => {
  const ws = "terraform.workspace";
  const workspaces = (...names: string[]) => ({
    parameters: { [ws]: names },
    conditions: {},
  });

  it("names a workspace the pull request adds to the worlds a finding holds in", () => {
    const base = { when: [`${ws} is prod`], choices: workspaces("prod", "staging") };
    const head = {
      when: [`${ws} is prod or ${ws} is qa`],
      choices: workspaces("prod", "qa", "staging"),
    };
    expect(widening(base, head)).toBe(`also when ${ws} is qa`);
    // A workspace the head adds where the finding does not hold widens nothing; narrowing neither.
    expect(widening(base, { ...head, when: [`${ws} is prod`] })).toBeUndefined();
    expect(widening(head, base)).toBeUndefined();
  });

  it("reads a workspace no name stands for as the base's unnamed world, not as a new one", () => {
    // At base `qa` was one of the workspaces nothing named, where the finding held already.
    const base = {
      when: [`not ${ws} is staging`],
      choices: workspaces("(unnamed)", "staging"),
    };
    const head = {
      when: [`not ${ws} is staging`],
      choices: workspaces("(unnamed)", "qa", "staging"),
    };
    expect(widening(base, head)).toBeUndefined();
    expect(widening(base, { when: [], choices: head.choices })).toBe(`also when ${ws} is staging`);
  });

  it("widens an unconditional head finding over a conditional base one, never an unconditional base one", () => {
    expect(widening({ when: ["IsProd"] }, { when: [] })).toBe(
      "in every deployment (was only when IsProd)",
    );
    expect(widening({ when: [] }, { when: ["IsProd"] })).toBeUndefined();
    expect(widening({ when: [] }, { when: [], choices: workspaces("prod", "qa") })).toBeUndefined();
  });

  it("reads a condition by what defines it at each side, and an allowed value the head adds", () => {
    const env = (values: string[], isOpen: string) => ({
      parameters: { Env: values },
      conditions: { IsOpen: isOpen },
    });
    const base = { when: ["IsOpen"], choices: env(["dev", "prod", "qa"], "Env is prod") };
    const redefined = {
      when: ["IsOpen"],
      choices: env(["dev", "prod", "qa"], "Env is prod or Env is qa"),
    };
    expect(widening(base, redefined)).toBe("also when Env is qa");
    expect(widening(redefined, base)).toBeUndefined();
    const mapped = { when: ["Env is prod"], choices: env(["dev", "prod"], "Env is prod") };
    const allowed = {
      when: ["Env is prod or Env is qa"],
      choices: env(["dev", "prod", "qa"], "Env is prod"),
    };
    expect(widening(mapped, allowed)).toBe("also when Env is qa");
  });

  it("reads a condition no AllowedValues decide by its meaning over parameters of any value", () => {
    const isProd = (meaning: string) => ({ when: ["IsProd"], meanings: { IsProd: meaning } });
    const prod = isProd("Env is prod");
    const prodOrStaging = isProd("(Env is prod or Env is staging)");
    expect(widening(prod, prodOrStaging)).toBe("also when Env is staging");
    expect(widening(prodOrStaging, prod)).toBeUndefined();
    expect(widening(prod, isProd("Env is prod"))).toBeUndefined();
    // Always true, though no value decides it: every value but prod is new.
    expect(widening(prod, isProd("(Env is prod or not Env is prod)"))).toBe(
      "also when Env is another value",
    );
    // Another condition it reads, itself known or only a name.
    const live = { IsLive: "Stage is live" };
    const withLive = (meaning: string) => ({
      when: ["IsProd"],
      meanings: { IsProd: meaning, ...live },
    });
    expect(
      widening(withLive("(Env is prod and IsLive)"), withLive("(Env is prod or IsLive)")),
    ).toBe("also where it did not hold (was only when IsProd)");
    expect(
      widening(withLive("(Env is prod or IsLive)"), withLive("(Env is prod and IsLive)")),
    ).toBeUndefined();
    // Unchanged under its name, or said another way, it compares as before.
    expect(
      widening(isProd("(Env is prod or Env is qa)"), isProd("(Env is qa or Env is prod)")),
    ).toBeUndefined();
    expect(widening({ when: ["IsProd"] }, { when: ["IsProd"] })).toBeUndefined();
  });

  it("says a condition text by what its names mean", () => {
    const deployments = {
      when: ["IsProd"],
      meanings: { IsProd: "(Env is prod or IsLive)", IsLive: "Stage is live" },
    };
    expect(meaningText("IsProd and not IsDev", deployments)).toBe(
      "(Env is prod or Stage is live) and not IsDev",
    );
    expect(meaningText("not IsProd", deployments)).toBe("not (Env is prod or Stage is live)");
    expect(meaningText("IsProd", { when: ["IsProd"] })).toBe("IsProd");
    expect(meaningText("var.rules is not empty", deployments)).toBe("var.rules is not empty");
  });

  it("never widens where each side writes a name the other does not: they cannot be compared", () => {
    expect(widening({ when: ["IsProd"] }, { when: ["IsProduction"] })).toBeUndefined();
    expect(
      widening({ when: ["var.rules is not empty"] }, { when: ["local.rules is not empty"] }),
    ).toBeUndefined();
    // A name only one side writes otherwise may hold or not, as within one scan.
    expect(widening({ when: ["IsProd"] }, { when: ["IsProd or IsQa"] })).toBe(
      "also where it did not hold (was only when IsProd)",
    );
    expect(widening({ when: ["IsProd or IsQa"] }, { when: ["IsProd"] })).toBeUndefined();
  });
});
