// Recall and false positives of the built-in rules on the peer scanner's fixtures. The figures
// are pinned where they stand so they can only improve; the target is 90% recall and
// no finding on negatives (the gap is tracked in the closing notes, not hidden here).
import { describe, expect, it } from "vitest";
import { measureBuiltinLibrary, summarise } from "./peer/measure.js";

/** Expected lines recalled, and findings on negative fixtures, when last pinned. */
const PINNED = { recalled: 110, expected: 133, falsePositives: 0 };
/** Expected lines with nothing written on them (past the end of the file, or blank). */
const UNWRITTEN = 6;

describe("peer fixtures", () => {
  it("recalls at least the pinned share of expected lines without new false positives", async () => {
    const measures = await measureBuiltinLibrary();
    console.log(summarise(measures));
    const recalled = measures.reduce((n, m) => n + m.recalledLines, 0);
    const expected = measures.reduce((n, m) => n + m.expectedLines, 0);
    const falsePositives = measures.reduce((n, m) => n + m.falsePositives.length, 0);
    expect(expected).toBe(PINNED.expected);
    expect(measures.reduce((n, m) => n + m.unwritten.length, 0)).toBe(UNWRITTEN);
    expect(recalled).toBeGreaterThanOrEqual(PINNED.recalled);
    expect(falsePositives).toBeLessThanOrEqual(PINNED.falsePositives);
  });
});
