import { describe, expect, it } from "vitest";
import { MAX_COMMANDS_PER_COMMENT, MAX_REASON_LENGTH, parseCommands } from "./commands.js";

describe("parseCommands", () => {
  it("reads one command per line, the command word in any case", () => {
    expect(
      parseCommands(
        [
          "Looks risky to me.",
          "/TOLLGATE Run",
          "  /tollgate explain TG-NET-001  ",
          "/tollgate Override hotfix for INC-42, reviewed by @sec",
        ].join("\n"),
      ),
    ).toEqual([
      { name: "run" },
      { name: "explain", rule: "TG-NET-001" },
      { name: "override", reason: "hotfix for INC-42, reviewed by @sec" },
    ]);
  });

  it("ignores commands in quoted replies, fenced and indented code, and mid-sentence", () => {
    const body = [
      "> /tollgate run",
      ">> /tollgate override quoted",
      "```",
      "/tollgate run",
      "```",
      "~~~~md",
      "/tollgate run",
      "```",
      "/tollgate run",
      "~~~~",
      "    /tollgate run",
      "\t/tollgate run",
      "please /tollgate run",
      "/tollgaterun",
    ].join("\n");
    expect(parseCommands(body)).toEqual([]);
    expect(parseCommands(`${body}\n/tollgate run`)).toEqual([{ name: "run" }]);
  });

  it("says what is wrong with a malformed command", () => {
    expect(
      parseCommands(
        [
          "/tollgate override",
          "/tollgate override    ",
          `/tollgate override ${"x".repeat(MAX_REASON_LENGTH + 1)}`,
        ].join("\n"),
      ),
    ).toEqual([
      {
        name: "malformed",
        command: "override",
        problem: expect.stringMatching(/reason is required/),
      },
      {
        name: "malformed",
        command: "override",
        problem: expect.stringMatching(/reason is required/),
      },
      {
        name: "malformed",
        command: "override",
        problem: "the reason is longer than 500 characters",
      },
    ]);
    expect(parseCommands("/tollgate explain\n/tollgate explain a b\n/tollgate run now")).toEqual([
      { name: "malformed", command: "explain", problem: expect.stringMatching(/one rule id/) },
      { name: "malformed", command: "explain", problem: expect.stringMatching(/one rule id/) },
      { name: "malformed", command: "run", problem: "`/tollgate run` takes no arguments" },
    ]);
    expect(parseCommands("/tollgate frobnicate")).toEqual([
      { name: "unknown", word: "frobnicate" },
    ]);
    // Asking for the list is not an unknown command.
    expect(parseCommands("/tollgate\n/tollgate HELP\n/tollgate help explain")).toEqual([
      { name: "help" },
      { name: "help" },
      { name: "help" },
    ]);
  });

  it(`takes at most ${MAX_COMMANDS_PER_COMMENT} commands from one comment`, () => {
    expect(parseCommands("/tollgate run\n".repeat(10))).toHaveLength(MAX_COMMANDS_PER_COMMENT);
  });
});
