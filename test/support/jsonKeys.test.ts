import { describe, expect, it } from "vitest";
import { repeatedKeys } from "./jsonKeys.js";

describe("repeatedKeys", () => {
  it("finds a key repeated at the top level, as Probot's loggers wrote it", () => {
    const line =
      '{"level":30,"pid":1,"name":"probot","name":"probot","name":"event","id":"d1","msg":"check requested"}';
    expect(repeatedKeys(line)).toEqual(["name", "name"]);
  });

  it("finds a repeated key inside nested objects and arrays, by path", () => {
    expect(repeatedKeys('{"req": {"headers": {"host": "a", "Host": "b", "host": "c"}}}')).toEqual([
      "req.headers.host",
    ]);
    expect(repeatedKeys('[{"a": 1}, {"b": [true, null, {"c": 1.5e3, "c": "x"}]}]')).toEqual([
      "[].b.[].c",
    ]);
  });

  it("reads keys as JSON does: escapes decoded, the same key in sibling objects is no repeat", () => {
    expect(repeatedKeys('{"n\\u0061me": 1, "name": 2}')).toEqual(["name"]);
    expect(
      repeatedKeys('{"a": {"id": 1}, "b": {"id": 2}, "id": "x\\"y", "s": "\\"id\\":"}'),
    ).toEqual([]);
    expect(repeatedKeys("{}")).toEqual([]);
    expect(repeatedKeys('{ "a" : [ ] , "b" : { } }')).toEqual([]);
  });

  it("refuses text that is not JSON", () => {
    expect(() => repeatedKeys('{"a": 1')).toThrow();
  });
});
