import { describe, expect, it } from "vitest";
import { changedLinesByFile } from "../report/index.js";
import { folderChanges } from "./folders.js";

const lines = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, i) => `${prefix} ${i}\n`).join("");

describe("folderChanges", () => {
  it("lists what git would between two commits, with the head lines each change added", () => {
    const base = [
      { path: "main.tf", text: "a\nb\nc\nd\n" },
      { path: "same.tf", text: "kept\n" },
      { path: "old.tf", text: lines(10, "old") },
      { path: "gone.tf", text: "gone\n" },
    ];
    const head = [
      { path: "main.tf", text: "a\nB\nc\nd\ne\n" },
      { path: "same.tf", text: "kept\n" },
      { path: "new.tf", text: lines(9, "old") + "edited\n" },
      { path: "added.tf", text: "x\ny\n" },
    ];
    const changes = folderChanges(base, head, [{ from: "old.tf", to: "new.tf" }]);
    expect(changes.map(({ path, status, from }) => [path, status, from])).toEqual([
      ["main.tf", "modified", undefined],
      ["new.tf", "renamed", "old.tf"],
      ["added.tf", "added", undefined],
      ["gone.tf", "removed", undefined],
    ]);
    expect(changedLinesByFile(changes)).toEqual(
      new Map<string, unknown>([
        ["main.tf", new Set([2, 5])],
        ["new.tf", new Set([10])],
        ["added.tf", "all"],
      ]),
    );
  });

  it("takes no line ending for a change: CRLF for LF, a final newline added or dropped", () => {
    const base = [
      { path: "crlf.tf", text: "a\nb\nc\n" },
      { path: "eof.tf", text: "a\nb\nc" },
      { path: "both.tf", text: "a\r\nb\r\nc" },
    ];
    const head = [
      { path: "crlf.tf", text: "a\r\nb\r\nC\r\n" },
      { path: "eof.tf", text: "a\nB\nc\n" },
      { path: "both.tf", text: "a\nB\nc\n" },
    ];
    expect(changedLinesByFile(folderChanges(base, head, []))).toEqual(
      new Map([
        ["crlf.tf", new Set([3])],
        ["eof.tf", new Set([2])],
        ["both.tf", new Set([2])],
      ]),
    );
  });

  it("counts a file rewritten past a thousand lines added and removed as wholly changed", () => {
    const base = [{ path: "big.tf", text: lines(600, "before") }];
    const head = [{ path: "big.tf", text: lines(600, "after") }];
    expect(changedLinesByFile(folderChanges(base, head, []))).toEqual(new Map([["big.tf", "all"]]));
  });
});
