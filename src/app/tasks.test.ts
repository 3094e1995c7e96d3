import { describe, expect, it } from "vitest";
import { BackgroundTasks } from "./tasks.js";

describe("BackgroundTasks", () => {
  it("settles with nothing pending once every task has run, reporting failures", async () => {
    const failed: string[] = [];
    const tasks = new BackgroundTasks((name) => failed.push(name), 1);
    const ran: string[] = [];
    tasks.run("a", async () => {
      ran.push("a");
    });
    tasks.run("b", () => Promise.reject(new Error("boom")));
    tasks.run("c", async () => {
      ran.push("c");
    });
    expect(await tasks.settle(5_000)).toBe(0);
    expect(ran).toEqual(["a", "c"]);
    expect(failed).toEqual(["b"]);
  });

  it("stops waiting at the deadline and says how many tasks are still pending", async () => {
    const tasks = new BackgroundTasks(() => undefined, 1);
    let release: () => void = () => undefined;
    tasks.run("stuck", () => new Promise<void>((resolve) => (release = resolve)));
    tasks.run("queued", async () => undefined);
    expect(await tasks.settle(10)).toBe(2);
    release();
    expect(await tasks.settle(5_000)).toBe(0);
  });
});
