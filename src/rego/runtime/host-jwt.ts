// OPA's io.jwt.* builtins (decode, decode_verify and the verify_* family) over Node's crypto:
// JWS compact serialization only (a JWE is an error, as in OPA), keys given as a PEM certificate,
// a PEM public key, a JWK or a JWK set, and OPA's rules for which key is tried (a `kid` match
// first, then every key whose `alg` is the token's or unset). Messages are OPA's.
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  sign as signData,
  timingSafeEqual,
  verify as verifySignature,
  X509Certificate,
  constants,
  type JsonWebKey,
  type KeyObject,
} from "node:crypto";
import { base64Bytes, base64Decode } from "./host-base64.js";
import { goJson } from "./host-json-marshal.js";
import { isObject, str, typeName } from "./host-operands.js";
import { OperandTypeError, RegoNumber, type HostFunction, type HostValue } from "./host-value.js";

type JsonObject = { [key: string]: HostValue };

/** A token's three base64url sections, as written. */
interface Token {
  header: string;
  payload: string;
  signature: string;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

function splitToken(value: HostValue | undefined): Token {
  const text = str(value, "1");
  if (!text.includes(".")) throw new Error("encoded JWT had no period separators");
  const parts = text.split(".");
  if (parts.length !== 3)
    throw new Error(`encoded JWT must have 3 sections, found ${parts.length}`);
  const [header = "", payload = "", signature = ""] = parts;
  return { header, payload, signature };
}

function jsonObject(text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`invalid JSON: ${errorText(error)}`);
  }
  if (!isObject(value as HostValue)) throw new Error("decoded JSON type was not an Object");
  return value as JsonObject;
}

function decodeHeader(token: Token): JsonObject {
  let text: string;
  try {
    text = base64Decode(token.header, true);
  } catch (error) {
    throw new Error(`JWT header had invalid encoding: ${errorText(error)}`);
  }
  let header: JsonObject;
  try {
    header = jsonObject(text);
  } catch (error) {
    throw new Error(`bad JWT header: ${errorText(error)}`);
  }
  if ("enc" in header) throw new Error("JWT is a JWE object, which is not supported");
  return header;
}

function decodePayload(token: Token): string {
  try {
    return base64Decode(token.payload, true);
  } catch (error) {
    throw new Error(`JWT payload had invalid encoding: ${errorText(error)}`);
  }
}

/** The header parameters verification reads, checked as OPA's parseTokenHeader checks them. */
interface HeaderParameters {
  alg: string;
  kid: string;
  cty: string;
  /** RFC 7515 4.1.11: a critical parameter this implementation does not know invalidates the token. */
  criticalUnknown: boolean;
}

const KNOWN_HEADER_PARAMETERS = new Set(["alg", "kid", "typ", "cty", "crit"]);

function headerParameters(header: JsonObject): HeaderParameters {
  const text = (name: string) => {
    const value = header[name];
    if (value === undefined) return "";
    if (typeof value !== "string") throw new Error(`${name}: must be a string`);
    return value;
  };
  const parameters = { alg: text("alg"), kid: text("kid"), cty: text("cty") };
  text("typ");
  let critical = new Set<string>();
  const crit = header.crit;
  if (crit !== undefined) {
    if (!Array.isArray(crit)) throw new Error("crit: must be a list");
    critical = new Set(crit.filter((name): name is string => typeof name === "string"));
    if (critical.size === 0) throw new Error("crit: must be a nonempty list");
  }
  const criticalUnknown = Object.keys(header).some(
    (name) => !KNOWN_HEADER_PARAMETERS.has(name) && critical.has(name),
  );
  return { ...parameters, criticalUnknown };
}

// ---- keys ----

/** A verification key: a public key, or an HMAC secret (a JWK of kty "oct"). */
interface VerificationKey {
  key: KeyObject | Buffer;
  alg: string;
  kid: string;
}

const ALGORITHMS = new Set(
  "RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 HS256 HS384 HS512 EdDSA".split(" "),
);

/** The first PEM block of the text, as Go's pem.Decode finds it, with what follows it. */
export function pemBlock(text: string): { type: string; block: string; rest: string } | undefined {
  const marker = "-----BEGIN ";
  let begin = text.startsWith(marker) ? 0 : text.indexOf(`\n${marker}`);
  if (begin < 0) return undefined;
  if (text[begin] === "\n") begin++;
  const lineEnd = text.indexOf("\n", begin);
  if (lineEnd < 0) return undefined;
  const typeLine = text.slice(begin, lineEnd).trimEnd();
  if (!typeLine.endsWith("-----")) return undefined;
  const type = typeLine.slice(marker.length, -"-----".length);
  const endMarker = `-----END ${type}-----`;
  const end = text.indexOf(endMarker, lineEnd);
  if (end < 0) return undefined;
  const afterEnd = text.indexOf("\n", end + endMarker.length);
  const rest = afterEnd < 0 ? "" : text.slice(afterEnd + 1);
  return { type, block: text.slice(begin, end + endMarker.length), rest };
}

function jwkKey(jwk: HostValue): VerificationKey | undefined {
  if (!isObject(jwk)) throw new Error("failed to parse a JWK key (set): key is not an object");
  const alg = typeof jwk.alg === "string" ? jwk.alg : "";
  if (alg !== "" && !ALGORITHMS.has(alg)) return undefined;
  const kid = typeof jwk.kid === "string" ? jwk.kid : "";
  try {
    const key =
      jwk.kty === "oct" && typeof jwk.k === "string"
        ? Buffer.from(jwk.k, "base64url")
        : createPublicKey({ key: jwk as JsonWebKey, format: "jwk" });
    return { key, alg, kid };
  } catch (error) {
    throw new Error(`failed to parse a JWK key (set): ${errorText(error)}`);
  }
}

/** OPA's getKeysFromCertOrJWK: a PEM certificate or public key, or a JWK or JWK set. */
function verificationKeys(text: string): VerificationKey[] {
  const pem = pemBlock(text);
  if (pem !== undefined) {
    if (pem.rest.length > 0) throw new Error("extra data after a PEM certificate block");
    if (pem.type === "CERTIFICATE") {
      try {
        return [{ key: new X509Certificate(pem.block).publicKey, alg: "", kid: "" }];
      } catch (error) {
        throw new Error(`failed to parse a PEM certificate: ${errorText(error)}`);
      }
    }
    if (pem.type === "PUBLIC KEY") {
      try {
        return [{ key: createPublicKey(pem.block), alg: "", kid: "" }];
      } catch (error) {
        throw new Error(`failed to parse a PEM public key: ${errorText(error)}`);
      }
    }
    throw new Error("failed to extract a Key from the PEM certificate");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`failed to parse a JWK key (set): ${errorText(error)}`);
  }
  const set = isObject(parsed as HostValue) ? (parsed as JsonObject) : undefined;
  const jwks = set !== undefined && Array.isArray(set.keys) ? set.keys : [parsed as HostValue];
  return jwks.map(jwkKey).filter((key): key is VerificationKey => key !== undefined);
}

// ---- signatures ----

const HASHES: Record<string, string> = { "256": "sha256", "384": "sha384", "512": "sha512" };

/** Whether `signature` is `alg`'s signature of `data` under `key`; false for a key of another kind. */
function verifies(alg: string, key: KeyObject | Buffer, data: Buffer, signature: Buffer): boolean {
  const family = alg.slice(0, 2);
  const hash = HASHES[alg.slice(2)];
  try {
    if (family === "HS" && hash !== undefined) {
      if (!Buffer.isBuffer(key)) return false;
      const expected = createHmac(hash, key).update(data).digest();
      return expected.length === signature.length && timingSafeEqual(expected, signature);
    }
    if (Buffer.isBuffer(key)) return false;
    const type = key.asymmetricKeyType;
    if (alg === "EdDSA") return type === "ed25519" && verifySignature(null, data, key, signature);
    if (hash === undefined) return false;
    if (family === "RS" && type === "rsa") return verifySignature(hash, data, key, signature);
    if (family === "PS" && (type === "rsa" || type === "rsa-pss"))
      return verifySignature(
        hash,
        data,
        {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_AUTO,
        },
        signature,
      );
    if (family === "ES" && type === "ec")
      return verifySignature(hash, data, { key, dsaEncoding: "ieee-p1363" }, signature);
    return false;
  } catch {
    return false;
  }
}

/**
 * OPA's key choice: the key whose `kid` is the token's, alone, when there is one; otherwise any
 * key whose `alg` is unset or the token's.
 */
function verifiesWithAny(
  keys: VerificationKey[],
  kid: string,
  alg: string,
  verify: (key: KeyObject | Buffer) => boolean,
): boolean {
  const byKid = kid === "" ? undefined : keys.find((key) => key.kid === kid);
  if (byKid !== undefined) return verify(byKid.key);
  return keys.some((key) => (key.alg === "" || key.alg === alg) && verify(key.key));
}

const signedPart = (token: Token) => Buffer.from(`${token.header}.${token.payload}`, "utf8");

/** io.jwt.verify_<alg> for a public-key algorithm: the token's `alg` only chooses keys. */
function verifyWithPublicKey(alg: string): HostFunction {
  return (jwt, certificate) => {
    const token = splitToken(jwt);
    const keys = verificationKeys(str(certificate, "2"));
    const signature = base64Bytes(token.signature, true);
    const header = headerParameters(decodeHeader(token));
    return verifiesWithAny(keys, header.kid, header.alg, (key) =>
      verifies(alg, key, signedPart(token), signature),
    );
  };
}

/** io.jwt.verify_hs<bits>: the secret's HMAC of the signed part, whatever the header says. */
function verifyWithSecret(alg: string): HostFunction {
  return (jwt, secret) => {
    str(jwt, "1");
    const key = Buffer.from(str(secret, "2"), "utf8");
    const token = splitToken(jwt);
    return verifies(alg, key, signedPart(token), base64Bytes(token.signature, true));
  };
}

// ---- decode and decode_verify ----

/** io.jwt.decode: [header, payload, signature as hex], following a nested token (cty "JWT"). */
function decode(jwt: HostValue | undefined): HostValue {
  const token = splitToken(jwt);
  const header = decodeHeader(token);
  const payloadText = decodePayload(token);
  // A nested token is often quoted (jwt.io writes it so): OPA trims quotes before decoding it.
  if (header.cty === "JWT") return decode(payloadText.replace(/^["']+|["']+$/g, ""));
  const payload = jsonObject(payloadText);
  let signature: Buffer;
  try {
    signature = base64Bytes(token.signature, true);
  } catch (error) {
    throw new Error(`JWT signature had invalid encoding: ${errorText(error)}`);
  }
  return [header, payload, signature.toString("hex")];
}

interface Constraints {
  keys?: VerificationKey[];
  secret: string;
  alg: string;
  iss: string;
  aud: string;
  /** Nanoseconds since the epoch. */
  time: number;
}

function timeConstraint(value: HostValue | undefined): number {
  if (typeof value !== "number" && !(value instanceof RegoNumber))
    throw new Error("token time constraint: must be a number");
  const time = typeof value === "number" ? value : Number(value.text);
  if (time < 0) throw new Error("token time constraint: must not be negative");
  return time;
}

function constraintsOf(value: HostValue | undefined, nowNs: () => number): Constraints {
  if (!isObject(value))
    throw new OperandTypeError(`operand 2 must be object but got ${typeName(value)}`);
  const constraints: Constraints = { secret: "", alg: "", iss: "", aud: "", time: -1 };
  for (const name of Object.keys(value).sort()) {
    const given = value[name];
    if (name === "cert") {
      if (typeof given !== "string") throw new Error("cert constraint: must be a string");
      constraints.keys = verificationKeys(given);
    } else if (name === "secret" || name === "alg" || name === "iss" || name === "aud") {
      if (typeof given !== "string") throw new Error(`${name} constraint: must be a string`);
      constraints[name] = given;
    } else if (name === "time") constraints.time = timeConstraint(given);
    else throw new Error(`unknown token validation constraint: ${name}`);
  }
  if (constraints.time === -1) constraints.time = nowNs();
  const keyConstraints = (constraints.keys ? 1 : 0) + (constraints.secret !== "" ? 1 : 0);
  if (keyConstraints > 1) throw new Error("duplicate key constraints");
  if (keyConstraints < 1) throw new Error("no key constraint");
  return constraints;
}

function signatureVerifies(constraints: Constraints, header: HeaderParameters, token: Token) {
  const signature = base64Bytes(token.signature, true);
  const verify = (key: KeyObject | Buffer) =>
    verifies(header.alg, key, signedPart(token), signature);
  if (constraints.keys) return verifiesWithAny(constraints.keys, header.kid, header.alg, verify);
  return verify(Buffer.from(constraints.secret, "utf8"));
}

const asNumber = (v: HostValue | undefined) =>
  typeof v === "number" ? v : v instanceof RegoNumber ? Number(v.text) : undefined;

/**
 * io.jwt.decode_verify: [true, header, payload] when the signature verifies with the constraints'
 * key and the claims meet them (iss, aud, exp and nbf against `time`, by default the host's clock
 * at the call), else [false, {}, {}]; a malformed token or constraint is an error.
 */
export function decodeVerify(
  jwt: HostValue | undefined,
  constraintValue: HostValue | undefined,
  nowNs: () => number = () => Date.now() * 1e6,
): HostValue {
  const unverified = [false, {}, {}];
  const constraints = constraintsOf(constraintValue, nowNs);
  let current = jwt;
  let header: JsonObject;
  let payloadText: string;
  for (;;) {
    const token = splitToken(current);
    header = decodeHeader(token);
    const parameters = headerParameters(header);
    if (parameters.alg === "" || parameters.criticalUnknown) return unverified;
    if (constraints.alg !== "" && constraints.alg !== parameters.alg) return unverified;
    if (!signatureVerifies(constraints, parameters, token)) return unverified;
    payloadText = decodePayload(token);
    if (parameters.cty.toUpperCase() !== "JWT") break;
    current = payloadText;
  }
  const payload = jsonObject(payloadText);
  if (constraints.iss !== "" && payload.iss !== constraints.iss) return unverified;
  const aud = payload.aud;
  if (aud !== undefined) {
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.some((entry) => entry === constraints.aud)) return unverified;
  } else if (constraints.aud !== "") return unverified;
  const seconds = constraints.time / 1e9;
  if (payload.exp !== undefined) {
    const exp = asNumber(payload.exp);
    if (exp === undefined) throw new Error("exp value must be a number");
    if (seconds >= exp) return unverified;
  }
  if (payload.nbf !== undefined) {
    const nbf = asNumber(payload.nbf);
    if (nbf === undefined) throw new Error("nbf value must be a number");
    if (seconds < nbf) return unverified;
  }
  return [true, header, payload];
}

/** The algorithms OPA signs with (its jwx has no EdDSA signer, and `none` signs nothing). */
const SIGNING_ALGORITHMS = new Set(
  "RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 HS256 HS384 HS512".split(" "),
);

/** The first key of a JWK or JWK set, as a signing key: a private key, or an `oct` secret. */
function signingKey(jwkText: string): KeyObject | Buffer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(jwkText);
  } catch (error) {
    throw new Error(`failed to parse JWK: ${errorText(error)}`);
  }
  const set = isObject(parsed as HostValue) ? (parsed as JsonObject) : undefined;
  const jwk = Array.isArray(set?.keys) ? set.keys[0] : set;
  if (!isObject(jwk)) throw new Error("failed to parse JWK: not an object");
  if (typeof jwk.kty !== "string") throw new Error("failed to parse JWK: no kty");
  if (jwk.kty === "oct") {
    if (typeof jwk.k !== "string") throw new Error("failed to parse JWK: oct key without k");
    return Buffer.from(jwk.k, "base64url");
  }
  try {
    return createPrivateKey({ key: jwk as JsonWebKey, format: "jwk" });
  } catch (error) {
    throw new Error(`failed to materialize key: ${errorText(error)}`);
  }
}

/** OPA's SignLiteral: the header and payload as given, base64url without padding, signed. */
function encodeSign(header: string, payload: string, jwkText: string): string {
  const key = signingKey(jwkText);
  const headerObject = jsonObject(header);
  const alg = typeof headerObject.alg === "string" ? headerObject.alg : "";
  if (!SIGNING_ALGORITHMS.has(alg))
    throw new Error(`unsupported signature algorithm ${JSON.stringify(alg)}`);
  const typ = typeof headerObject.typ === "string" ? headerObject.typ : "";
  if (typ === "" || typ === "JWT") {
    try {
      JSON.parse(payload);
    } catch {
      throw new Error("type is JWT but payload is not JSON");
    }
  }
  const signingInput = `${Buffer.from(header).toString("base64url")}.${Buffer.from(payload).toString("base64url")}`;
  const data = Buffer.from(signingInput, "utf8");
  const hash = HASHES[alg.slice(2)] as string;
  const family = alg.slice(0, 2);
  let signature: Buffer;
  if (family === "HS") {
    if (!Buffer.isBuffer(key)) throw new Error(`${alg} needs an oct key`);
    signature = createHmac(hash, key).update(data).digest();
  } else {
    if (Buffer.isBuffer(key)) throw new Error(`${alg} needs a private key`);
    const wanted = family === "ES" ? "ec" : "rsa";
    if (key.asymmetricKeyType !== wanted)
      throw new Error(`${alg} needs an ${wanted.toUpperCase()} key`);
    signature =
      family === "PS"
        ? signData(hash, data, {
            key,
            padding: constants.RSA_PKCS1_PSS_PADDING,
            saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
          })
        : family === "ES"
          ? signData(hash, data, { key, dsaEncoding: "ieee-p1363" })
          : signData(hash, data, key);
  }
  return `${signingInput}.${signature.toString("base64url")}`;
}

const publicKeyAlgorithms = "RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA";

export const jwtDefinitions: Record<string, { arity: number; fn: HostFunction }> = {
  "io.jwt.decode": { arity: 1, fn: decode },
  "io.jwt.decode_verify": { arity: 2, fn: (jwt, constraints) => decodeVerify(jwt, constraints) },
  "io.jwt.encode_sign": {
    arity: 3,
    fn: (header, payload, key) => {
      for (const [value, position] of [
        [header, "1"],
        [payload, "2"],
        [key, "3"],
      ] as const)
        if (!isObject(value))
          throw new OperandTypeError(
            `operand ${position} must be object but got ${typeName(value)}`,
          );
      return encodeSign(goJson(header), goJson(payload), goJson(key));
    },
  },
  "io.jwt.encode_sign_raw": {
    arity: 3,
    fn: (header, payload, key) => encodeSign(str(header, "1"), str(payload, "2"), str(key, "3")),
  },
  ...Object.fromEntries(
    publicKeyAlgorithms
      .split(" ")
      .map((alg) => [
        `io.jwt.verify_${alg.toLowerCase()}`,
        { arity: 2, fn: verifyWithPublicKey(alg) },
      ]),
  ),
  ...Object.fromEntries(
    ["HS256", "HS384", "HS512"].map((alg) => [
      `io.jwt.verify_${alg.toLowerCase()}`,
      { arity: 2, fn: verifyWithSecret(alg) },
    ]),
  ),
};
