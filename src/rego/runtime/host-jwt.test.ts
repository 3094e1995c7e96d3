// io.jwt.* as OPA defines them: decoding, the verify_* family and decode_verify's constraints, on
// tokens signed here with Node's crypto, then through the compiler, Wasm and the SDK.
import { generateKeyPairSync, sign, createHmac, type KeyObject } from "node:crypto";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it } from "vitest";
import { selfSignedCertificate } from "../../../test/support/certificates.js";
import { compileRego } from "../index.js";
import { hostDefinitions } from "./host-functions.js";
import { hostBuiltins } from "./host.js";
import type { HostValue } from "./host-value.js";
import { decodeVerify } from "./host-jwt.js";

const call = (name: string, ...args: HostValue[]) => hostDefinitions[name]!.fn(...args);
const b64 = (text: string | Buffer) => Buffer.from(text).toString("base64url");

type Signer = (data: Buffer) => Buffer;

function token(header: object, payload: object | string, signer: Signer): string {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const signed = `${b64(JSON.stringify(header))}.${b64(body)}`;
  return `${signed}.${b64(signer(Buffer.from(signed)))}`;
}

const hmac =
  (hash: string, secret: string): Signer =>
  (data) =>
    createHmac(hash, secret).update(data).digest();
const withKey =
  (hash: string | null, key: KeyObject, options: object = {}): Signer =>
  (data) =>
    sign(hash, data, { key, ...options });

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const ed = generateKeyPairSync("ed25519");
const pem = (key: KeyObject) => key.export({ type: "spki", format: "pem" }).toString();
const jwk = (key: KeyObject, extra: object = {}) => ({
  ...key.export({ format: "jwk" }),
  ...extra,
});

/** A throwaway self-signed P-256 certificate (CN=tollgate-test) and its key. */
const CERTIFICATE_KEY = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
const CERTIFICATE = selfSignedCertificate(CERTIFICATE_KEY, "tollgate-test");
const es256 = (key: KeyObject) => withKey("sha256", key, { dsaEncoding: "ieee-p1363" });

describe("io.jwt.decode", () => {
  it("gives [header, payload, signature as hex]", () => {
    const jwt = token({ alg: "HS256", typ: "JWT" }, { sub: "0", iss: "opa" }, () =>
      Buffer.from([0x5e, 0xff, 0x00]),
    );
    expect(call("io.jwt.decode", jwt)).toEqual([
      { alg: "HS256", typ: "JWT" },
      { sub: "0", iss: "opa" },
      "5eff00",
    ]);
  });

  it("decodes a nested token (cty JWT), quoted as jwt.io writes it", () => {
    const inner = token({ alg: "HS256" }, { sub: "inner" }, hmac("sha256", "k"));
    const outer = token({ alg: "HS256", cty: "JWT" }, `"${inner}"`, hmac("sha256", "k"));
    expect(call("io.jwt.decode", outer)).toEqual([
      { alg: "HS256" },
      { sub: "inner" },
      expect.any(String),
    ]);
  });

  it.each<[string, string]>([
    ["abc", "encoded JWT had no period separators"],
    ["a.b", "encoded JWT must have 3 sections, found 2"],
    [
      `${b64('{"alg":"RSA-OAEP","enc":"A256GCM"}')}.e30.`,
      "JWT is a JWE object, which is not supported",
    ],
    [`${b64("[1]")}.e30.`, "bad JWT header: decoded JSON type was not an Object"],
    [`${b64('{"alg":"none"}')}.${b64("not json")}.`, "invalid JSON"],
    [`${b64('{"alg":"none"}')}.e30.a`, "JWT signature had invalid encoding: illegal base64url"],
    [`e30.!!.`, "JWT payload had invalid encoding: illegal base64 data"],
  ])("rejects %s: %s", (jwt, message) => {
    expect(() => call("io.jwt.decode", jwt)).toThrow(message);
  });

  it("fails cleanly on hostile tokens: megabytes decode, deep nesting is an error", () => {
    const large = token({ alg: "HS256" }, { blob: "a".repeat(6_000_000) }, hmac("sha256", "k"));
    expect(call("io.jwt.verify_hs256", large, "k")).toBe(true);
    expect((call("io.jwt.decode", large) as HostValue[])[1]).toEqual({
      blob: "a".repeat(6_000_000),
    });
    const deep = token({ alg: "HS256" }, `{"a":${"[".repeat(200_000)}${"]".repeat(200_000)}}`, () =>
      Buffer.alloc(0),
    );
    // Through the host wrapper a stack overflow is the builtin's error, not a crash.
    expect(hostBuiltins["io.jwt.decode"]!(deep)).toEqual({
      __tollgate_error__: expect.stringMatching(/^io\.jwt\.decode: /),
    });
  });
});

describe("io.jwt.verify_*", () => {
  const claims = { iss: "opa" };

  it("verifies HMAC signatures with the secret, whatever the header's alg", () => {
    for (const [bits, hash] of [
      ["256", "sha256"],
      ["384", "sha384"],
      ["512", "sha512"],
    ] as const) {
      const jwt = token({ alg: "none" }, claims, hmac(hash, "secret"));
      expect(call(`io.jwt.verify_hs${bits}`, jwt, "secret")).toBe(true);
      expect(call(`io.jwt.verify_hs${bits}`, jwt, "other")).toBe(false);
    }
    expect(() => call("io.jwt.verify_hs256", "x.y.z", 1)).toThrow("operand 2 must be string");
  });

  it("verifies RSA, RSA-PSS, ECDSA and Ed25519 with a PEM key, a certificate or a JWK", () => {
    const rs = token({ alg: "RS256" }, claims, withKey("sha256", rsa.privateKey));
    expect(call("io.jwt.verify_rs256", rs, pem(rsa.publicKey))).toBe(true);
    expect(call("io.jwt.verify_rs384", rs, pem(rsa.publicKey))).toBe(false);
    expect(call("io.jwt.verify_rs256", rs, JSON.stringify(jwk(rsa.publicKey)))).toBe(true);
    // A key of another kind does not verify: false, not an error.
    expect(call("io.jwt.verify_rs256", rs, pem(ec.publicKey))).toBe(false);
    const ps = token(
      { alg: "PS512" },
      claims,
      withKey("sha512", rsa.privateKey, { padding: 6, saltLength: 64 }),
    );
    expect(call("io.jwt.verify_ps512", ps, pem(rsa.publicKey))).toBe(true);
    expect(call("io.jwt.verify_rs512", ps, pem(rsa.publicKey))).toBe(false);
    const es = token({ alg: "ES256" }, claims, es256(ec.privateKey));
    expect(call("io.jwt.verify_es256", es, pem(ec.publicKey))).toBe(true);
    const certified = token({ alg: "ES256" }, claims, es256(CERTIFICATE_KEY));
    expect(call("io.jwt.verify_es256", certified, CERTIFICATE)).toBe(true);
    expect(call("io.jwt.verify_es256", es, CERTIFICATE)).toBe(false);
    const eddsa = token({ alg: "EdDSA" }, claims, withKey(null, ed.privateKey));
    expect(call("io.jwt.verify_eddsa", eddsa, pem(ed.publicKey))).toBe(true);
  });

  it("chooses keys of a JWK set as OPA does: the token's kid alone, else any key of its alg", () => {
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const set = (...keys: object[]) => JSON.stringify({ keys });
    const withKid = token({ alg: "ES256", kid: "b" }, claims, es256(ec.privateKey));
    expect(
      call(
        "io.jwt.verify_es256",
        withKid,
        set(jwk(other.publicKey, { kid: "a" }), jwk(ec.publicKey, { kid: "b" })),
      ),
    ).toBe(true);
    // The key the kid names is the only one tried.
    expect(
      call(
        "io.jwt.verify_es256",
        withKid,
        set(jwk(other.publicKey, { kid: "b" }), jwk(ec.publicKey, { kid: "c" })),
      ),
    ).toBe(false);
    const noKid = token({ alg: "ES256" }, claims, es256(ec.privateKey));
    expect(call("io.jwt.verify_es256", noKid, set(jwk(ec.publicKey, { alg: "ES384" })))).toBe(
      false,
    );
    expect(
      call(
        "io.jwt.verify_es256",
        noKid,
        set(jwk(other.publicKey), jwk(ec.publicKey, { alg: "ES256" })),
      ),
    ).toBe(true);
  });

  it.each<[string, string]>([
    [
      "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
      "failed to extract a Key from the PEM certificate",
    ],
    [
      "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n\nmore",
      "extra data after a PEM certificate block",
    ],
    [
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
      "failed to parse a PEM certificate",
    ],
    ["not a key", "failed to parse a JWK key (set)"],
    ['{"kty":"RSA","n":"x"}', "failed to parse a JWK key (set)"],
  ])("rejects the key %j: %s", (key, message) => {
    const jwt = token({ alg: "RS256" }, claims, () => Buffer.alloc(0));
    expect(() => call("io.jwt.verify_rs256", jwt, key)).toThrow(message);
  });
});

describe("io.jwt.decode_verify", () => {
  const secret = "s3cret";
  const hs = (payload: object, header: object = { alg: "HS256", typ: "JWT" }) =>
    token(header, payload, hmac("sha256", secret));
  const at = (seconds: number) => seconds * 1e9;
  const unverified = [false, {}, {}];

  it("is [true, header, payload] when the signature and the claims check out", () => {
    const payload = { iss: "opa", aud: ["web", "api"], exp: 2000, nbf: 1000 };
    expect(
      call("io.jwt.decode_verify", hs(payload), { secret, iss: "opa", aud: "api", time: at(1500) }),
    ).toEqual([true, { alg: "HS256", typ: "JWT" }, payload]);
    const es = token({ alg: "ES256" }, { iss: "opa" }, es256(CERTIFICATE_KEY));
    expect(call("io.jwt.decode_verify", es, { cert: CERTIFICATE })).toEqual([
      true,
      { alg: "ES256" },
      { iss: "opa" },
    ]);
    expect(
      call("io.jwt.decode_verify", es, { cert: JSON.stringify({ keys: [jwk(ec.publicKey)] }) }),
    ).toEqual(unverified);
  });

  it.each<[string, object, object]>([
    ["a wrong secret", {}, { secret: "other" }],
    ["another alg required", {}, { secret, alg: "HS512" }],
    ["another issuer", { iss: "x" }, { secret, iss: "opa" }],
    ["no issuer when one is required", {}, { secret, iss: "opa" }],
    ["an audience not asked for", { aud: "web" }, { secret }],
    ["another audience", { aud: ["web"] }, { secret, aud: "api" }],
    ["no audience when one is required", {}, { secret, aud: "api" }],
    ["expired (exp is exclusive)", { exp: 1000 }, { secret, time: at(1000) }],
    ["not yet valid", { nbf: 1001 }, { secret, time: at(1000) }],
  ])("is [false, {}, {}] for %s", (_, payload, constraints) => {
    expect(call("io.jwt.decode_verify", hs(payload), constraints as HostValue)).toEqual(unverified);
  });

  it("is unverified without alg or with an unknown critical header, and follows nested tokens", () => {
    expect(call("io.jwt.decode_verify", hs({}, { typ: "JWT" }), { secret })).toEqual(unverified);
    expect(
      call("io.jwt.decode_verify", hs({}, { alg: "HS256", crit: ["x"], x: 1 }), { secret }),
    ).toEqual(unverified);
    const inner = hs({ sub: "inner" });
    const outer = token({ alg: "HS256", cty: "jwt" }, inner, hmac("sha256", secret));
    expect(call("io.jwt.decode_verify", outer, { secret })).toEqual([
      true,
      { alg: "HS256", typ: "JWT" },
      { sub: "inner" },
    ]);
  });

  it("reads the host clock when no time is given", () => {
    expect(decodeVerify(hs({ exp: 2000 }), { secret }, () => at(1999))).toEqual([
      true,
      expect.anything(),
      expect.anything(),
    ]);
    expect(decodeVerify(hs({ exp: 2000 }), { secret }, () => at(2000))).toEqual(unverified);
    expect(call("io.jwt.decode_verify", hs({ exp: 4102444800 }), { secret })).toEqual([
      true,
      expect.anything(),
      expect.anything(),
    ]);
  });

  it.each<[HostValue, string]>([
    [{}, "no key constraint"],
    [{ secret, cert: CERTIFICATE }, "duplicate key constraints"],
    [{ secret, leeway: 5 }, "unknown token validation constraint: leeway"],
    [{ secret, time: "now" }, "token time constraint: must be a number"],
    [{ secret, time: -1 }, "token time constraint: must not be negative"],
    [{ secret: 1 }, "secret constraint: must be a string"],
    ["secret", "operand 2 must be object but got string"],
  ])("rejects the constraints %j: %s", (constraints, message) => {
    expect(() => call("io.jwt.decode_verify", hs({}), constraints)).toThrow(message);
  });

  it("rejects claims of the wrong type", () => {
    expect(() => call("io.jwt.decode_verify", hs({ exp: "soon" }), { secret })).toThrow(
      "exp value must be a number",
    );
    expect(() => call("io.jwt.decode_verify", hs({ nbf: null }), { secret })).toThrow(
      "nbf value must be a number",
    );
  });
});

describe("io.jwt.encode_sign and encode_sign_raw", () => {
  const secret = {
    kty: "oct",
    k: "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
  };

  it("signs the header and payload text as given (RFC 7515 A.1, OPA's own example)", () => {
    expect(
      call(
        "io.jwt.encode_sign_raw",
        '{"typ":"JWT",\r\n "alg":"HS256"}',
        '{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}',
        JSON.stringify(secret),
      ),
    ).toBe(
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    );
  });

  it("writes objects as Go's json.Marshal does, and signs with RSA, RSA-PSS and ECDSA JWKs", () => {
    const payload = { sub: "<a&b>", iss: "acme", n: 1 };
    const hs = call("io.jwt.encode_sign", { typ: "JWT", alg: "HS256" }, payload, secret) as string;
    expect(hs.split(".")[0]).toBe(b64('{"alg":"HS256","typ":"JWT"}'));
    expect(hs.split(".")[1]).toBe(b64('{"iss":"acme","n":1,"sub":"\\u003ca\\u0026b\\u003e"}'));
    const rsaJwk = rsa.privateKey.export({ format: "jwk" }) as unknown as HostValue;
    const ecJwk = ec.privateKey.export({ format: "jwk" }) as unknown as HostValue;
    const rsaPem = rsa.publicKey.export({ format: "pem", type: "spki" }) as string;
    const ecPem = ec.publicKey.export({ format: "pem", type: "spki" }) as string;
    for (const [alg, key, pem] of [
      ["RS256", rsaJwk, rsaPem],
      ["PS384", { keys: [rsaJwk] }, rsaPem],
      ["ES256", ecJwk, ecPem],
    ] as const) {
      const jwt = call("io.jwt.encode_sign", { alg }, payload, key as HostValue) as string;
      expect(call(`io.jwt.verify_${alg.toLowerCase()}`, jwt, pem)).toBe(true);
      expect(call("io.jwt.decode", jwt)).toEqual([{ alg }, payload, expect.any(String)]);
    }
  });

  it.each<[string, HostValue[], string]>([
    ["io.jwt.encode_sign_raw", ['{"alg":"HS256"}', "not json", "{}"], "failed to parse JWK"],
    [
      "io.jwt.encode_sign_raw",
      ['{"alg":"HS256"}', "not json", JSON.stringify({ kty: "oct", k: "c2VjcmV0" })],
      "type is JWT but payload is not JSON",
    ],
    [
      "io.jwt.encode_sign_raw",
      ['{"alg":"none"}', "{}", JSON.stringify({ kty: "oct", k: "c2VjcmV0" })],
      'unsupported signature algorithm "none"',
    ],
    [
      "io.jwt.encode_sign_raw",
      ['{"alg":"RS256"}', "{}", JSON.stringify({ kty: "oct", k: "c2VjcmV0" })],
      "RS256 needs a private key",
    ],
    ["io.jwt.encode_sign", ["x", {}, {}], "operand 1 must be object but got string"],
  ])("%s(%j) throws %s", (name, args, message) => {
    expect(() => call(name, ...args)).toThrow(message);
  });

  it("signs in a compiled policy, and the token verifies there", async () => {
    const { wasm, entrypoints } = await compileRego(
      {
        "policy.rego": `package t
import rego.v1
key := {"kty": "oct", "k": base64url.encode_no_pad("s3cret")}
token := io.jwt.encode_sign({"alg": "HS256"}, {"sub": input.sub}, key)
valid := io.jwt.verify_hs256(token, "s3cret")
`,
      },
      { entrypoints: ["t/valid"] },
    );
    const policy = await loadPolicy(wasm, undefined, hostBuiltins);
    expect(policy.evaluate({ sub: "ann" }, entrypoints["t/valid"])).toEqual([{ result: true }]);
  });

  it("signs a text payload when typ says it is not a JWT", () => {
    const jws = call(
      "io.jwt.encode_sign_raw",
      '{"alg":"HS256","typ":"text"}',
      "plain",
      JSON.stringify(secret),
    );
    expect((jws as string).split(".")[1]).toBe(b64("plain"));
  });
});

describe("io.jwt through the compiler, Wasm and the SDK", () => {
  it("decodes and verifies in a policy; a malformed token is a located builtin error", async () => {
    const jwt = token({ alg: "HS256" }, { sub: "ci", exp: 4102444800 }, hmac("sha256", "k"));
    const source = `package t

subject := io.jwt.decode(input.token)[1].sub

valid if io.jwt.verify_hs256(input.token, "k")

claims := payload if {
  [true, _, payload] := io.jwt.decode_verify(input.token, {"secret": "k", "time": 0})
}

broken := io.jwt.decode("no-periods")
`;
    const rules = ["subject", "valid", "claims", "broken"];
    const compile = (strictBuiltinErrors: boolean) =>
      compileRego(
        { "t.rego": source },
        { entrypoints: rules.map((rule) => `t/${rule}`), strictBuiltinErrors },
      );
    const { wasm, entrypoints } = await compile(false);
    const policy = await loadPolicy(wasm, undefined, hostBuiltins);
    const results = Object.fromEntries(
      rules.map((rule) => [
        rule,
        policy.evaluate({ token: jwt }, entrypoints[`t/${rule}`])[0]?.result,
      ]),
    );
    expect(results).toEqual({
      subject: "ci",
      valid: true,
      claims: { sub: "ci", exp: 4102444800 },
      broken: undefined,
    });
    const strict = await compile(true);
    const strictPolicy = await loadPolicy(strict.wasm, undefined, hostBuiltins);
    expect(() => strictPolicy.evaluate({ token: jwt }, strict.entrypoints["t/broken"])).toThrow(
      /t\.rego:\d+:\d+: eval_builtin_error: io\.jwt\.decode: encoded JWT had no period separators/,
    );
  });
});
