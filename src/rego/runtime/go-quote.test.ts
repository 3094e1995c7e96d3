// Go's IsPrint on the host reads the table the Wasm runtime reads (both written by
// scripts/print-ranges.ts), not the running Node's Unicode tables: a template's %q and sprintf's
// %q escape the same runes on any Node.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { callBuiltin } from "../wasm/testing-builtins.js";
import { goQuote } from "./go-quote.js";
import { hostDefinitions } from "./host-functions.js";
import { PRINT_RANGES } from "./print-ranges.js";

const wasmTable = readFileSync(new URL("./assembly/print-ranges.ts", import.meta.url), "utf8");

describe("Go's IsPrint on the host", () => {
  afterEach(() => vi.restoreAllMocks());

  it("reads the Wasm runtime's ranges, pair for pair", () => {
    const wasmRanges = [...wasmTable.matchAll(/\b0x[0-9a-f]+\b/g)].map((m) => Number(m[0]));
    expect(PRINT_RANGES.length).toBeGreaterThan(1000);
    expect(PRINT_RANGES).toEqual(wasmRanges);
  });

  it("quotes as sprintf's %q in Wasm at every edge of every range", async () => {
    const edges = new Set<number>();
    for (const edge of [...PRINT_RANGES, 0x20, 0x7e, 0xa0, 0xad, 0xff])
      for (const cp of [edge - 1, edge, edge + 1])
        if (cp >= 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff)) edges.add(cp);
    const text = String.fromCodePoint(...edges);
    expect(goQuote(text)).toBe(await callBuiltin("sprintf", "%q", [text]));
  });

  it("does not read the running Node's Unicode tables (20.18's are 15.1)", () => {
    // As on a Node whose \p{..} knows none of these: U+1FBCB (Unicode 16.0), U+1C89 (16.0),
    // U+2EBF0 (15.1), U+00E9.
    const test = RegExp.prototype.test;
    vi.spyOn(RegExp.prototype, "test").mockImplementation(function (this: RegExp, s: string) {
      return this.source.includes("\\p{") ? false : test.call(this, s);
    });
    const render = hostDefinitions["strings.render_template"]!.fn;
    expect(render('{{printf "%q" .s}}', { s: "\u{1fbcb}\u1c89\u{2ebf0}é\u{16d7a}" })).toBe(
      '"\u{1fbcb}\u1c89\u{2ebf0}é\\U00016d7a"',
    );
  });
});
