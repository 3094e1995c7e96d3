import { Probot } from "probot";
import { describe, expect, it } from "vitest";
import { repeatedKeys } from "../../test/support/jsonKeys.js";
import { createServerLog } from "./serverLog.js";

function capture(level: "info" | "debug" = "info") {
  const lines: string[] = [];
  const log = createServerLog(level, { write: (line: string) => lines.push(line.trimEnd()) });
  return {
    log,
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe("createServerLog", () => {
  it("writes one component a line, the innermost child's name, and keeps the other bindings", () => {
    const { log, lines, records } = capture();
    log.info("listening");
    const probot = log.child({ name: "probot" });
    const event = probot.child({ name: "event", id: "d1" });
    event.info({ delivery: "d1" }, "check requested");
    event.child({ name: "octokit" }).warn("rate limited");
    probot.child({ repo: "infra" }).error("check failed");
    expect(lines.flatMap(repeatedKeys)).toEqual([]);
    expect(records()).toEqual([
      expect.objectContaining({ component: "server", msg: "listening" }),
      expect.objectContaining({
        component: "event",
        id: "d1",
        delivery: "d1",
        msg: "check requested",
      }),
      expect.objectContaining({ component: "octokit", id: "d1", msg: "rate limited" }),
      expect.objectContaining({ component: "probot", repo: "infra", msg: "check failed" }),
    ]);
    expect(records().some((record) => "name" in record)).toBe(false);
  });

  it("honours the level, a child's options and the fields of a call", () => {
    const { log, records } = capture("info");
    log.debug("hidden");
    const verbose = log.child({ name: "http" }, { level: "debug" });
    verbose.debug({ name: "Tollgate" }, "GitHub request");
    verbose.child({ req: { id: "r1" } }).debug("request");
    expect(records()).toEqual([
      expect.objectContaining({ level: 20, component: "http", name: "Tollgate" }),
      expect.objectContaining({ level: 20, component: "http", req: { id: "r1" } }),
    ]);
  });

  it("gives Probot's own loggers a component each and no repeated key", async () => {
    const { log, lines, records } = capture("debug");
    const probot = new Probot({ appId: 1, privateKey: "unused", log });
    await probot.ready();
    probot.log.info("from the app");
    expect(lines.flatMap(repeatedKeys)).toEqual([]);
    expect(records()).toContainEqual(
      expect.objectContaining({ component: "probot", msg: "from the app" }),
    );
  });
});
