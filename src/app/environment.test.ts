import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { describeMissing, readServerEnvironment } from "./environment.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 1024,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

describe("readServerEnvironment", () => {
  it("lists everything missing at once", () => {
    const result = readServerEnvironment({});
    expect(result).toEqual({
      ok: false,
      problems: [
        "APP_ID is not set",
        "WEBHOOK_SECRET is not set",
        "PRIVATE_KEY or PRIVATE_KEY_PATH is not set",
      ],
    });
    if (!result.ok)
      expect(describeMissing(result.problems)).toMatch(
        /^tollgate: cannot start the GitHub App:\n  - APP_ID is not set\n/,
      );
  });

  it("reads a key from PRIVATE_KEY_PATH, and says so when it cannot", () => {
    const files: Record<string, string> = { "/keys/app.pem": privateKey };
    const readFile = ((path: string) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error("no such file"), { code: "ENOENT" });
      return text;
    }) as typeof import("node:fs").readFileSync;
    const base = { APP_ID: "123", WEBHOOK_SECRET: "s3cret" };
    const ok = readServerEnvironment({ ...base, PRIVATE_KEY_PATH: "/keys/app.pem" }, readFile);
    expect(ok).toMatchObject({
      ok: true,
      environment: {
        appId: "123",
        port: 3000,
        webhookPath: "/api/github/webhooks",
        leftRunsAfterMs: 60_000,
      },
    });
    expect(
      readServerEnvironment({ ...base, PRIVATE_KEY_PATH: "/keys/nope.pem" }, readFile),
    ).toEqual({
      ok: false,
      problems: ["PRIVATE_KEY_PATH cannot be read: ENOENT"],
    });
  });

  it("takes a one-line key with escaped newlines, GitHub Enterprise and tuning, and refuses junk", () => {
    const result = readServerEnvironment({
      APP_ID: "123",
      WEBHOOK_SECRET: "s3cret",
      PRIVATE_KEY: privateKey.replace(/\n/g, "\\n"),
      GHE_HOST: "github.example.com",
      TOLLGATE_TIMEOUT_SECONDS: "60",
      TOLLGATE_LEFT_RUNS_AFTER_SECONDS: "0",
    });
    expect(result).toMatchObject({
      ok: true,
      environment: {
        baseUrl: "https://github.example.com/api/v3",
        timeoutMs: 60_000,
        leftRunsAfterMs: 0,
        privateKey,
      },
    });
    expect(
      readServerEnvironment({
        APP_ID: "abc",
        WEBHOOK_SECRET: "x",
        PRIVATE_KEY: "hello",
        PORT: "99999",
      }),
    ).toEqual({
      ok: false,
      problems: [
        "APP_ID must be the numeric App ID",
        expect.stringMatching(/^PORT /),
        "the private key is not a PEM key (-----BEGIN RSA PRIVATE KEY-----)",
      ],
    });
  });
});
