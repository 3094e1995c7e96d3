import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { endOutputQuietly } from "./index.js";

const failure = (code: string) => Object.assign(new Error(`write ${code}`), { code });

describe("endOutputQuietly", () => {
  it("ends the output quietly when its reader went away, and lets other errors through", () => {
    const stdout = new EventEmitter();
    endOutputQuietly(stdout);
    expect(() => stdout.emit("error", failure("EPIPE"))).not.toThrow();
    expect(() => stdout.emit("error", failure("ERR_STREAM_DESTROYED"))).not.toThrow();
    expect(() => stdout.emit("error", failure("EIO"))).toThrow("write EIO");
  });
});
