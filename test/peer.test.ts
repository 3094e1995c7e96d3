// Recall and false positives of the built-in rules on the peer scanner's fixtures. The figures
// are pinned where they stand so they can only improve; the target is 90% recall and
// no finding on negatives (the gap is tracked in the closing notes, not hidden here).
import { describe, expect, it } from "vitest";
import { measureBuiltinLibrary, summarise } from "./peer/measure.js";

/** Expected lines recalled, and findings on negative fixtures, when last pinned. */
const PINNED = { recalled: 111, expected: 133, falsePositives: 0 };
/** Under `unknown_values: advisory`: missed lines a rule flags as "cannot tell", and such findings on negative fixtures. */
const CANNOT_TELL = { missedLines: 1, onNegatives: 0 };
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
    const cannotTell = measures.reduce((n, m) => n + m.cannotTell.length, 0);
    const cannotTellOnNegatives = measures.reduce((n, m) => n + m.cannotTellOnNegatives.length, 0);
    expect(cannotTell).toBeGreaterThanOrEqual(CANNOT_TELL.missedLines);
    expect(cannotTellOnNegatives).toBeLessThanOrEqual(CANNOT_TELL.onNegatives);
    // One test loads and evaluates every fixture of the 42 mapped queries: 26-29 s at a load
    // average of 20 on two cores, against the suite's 30 s default. It measures recall, not speed
    // (that is `npm run bench`).
  }, 120_000);
});
