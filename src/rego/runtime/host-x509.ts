// OPA's crypto.x509.* and crypto.parse_private_keys: certificates, certificate requests and
// private keys given as PEM, base64 of PEM, or base64 of DER, read as OPA reads them and
// returned in the JSON shapes of Go's types (host-x509-der.ts). Parsing, signature checks and
// key handling are Node's crypto; chains are verified as Go's Certificate.Verify does for the
// checks policies rely on: signatures up to the given root, validity at the time given, CA
// intermediates, extended key usage, host name, and no MD5 or SHA-1 signatures.
import { createPrivateKey, X509Certificate, type JsonWebKey, type KeyObject } from "node:crypto";
import { base64Text } from "./host-base64.js";
import { pemBlock } from "./host-jwt.js";
import { elements, exactInteger, isObject, str, typeName } from "./host-operands.js";
import {
  certificateJson,
  certificateRequestJson,
  INSECURE_SIGNATURES,
  jwkInteger,
  readDer,
} from "./host-x509-der.js";
import { OperandTypeError, type HostFunction, type HostValue } from "./host-value.js";

/** Input larger than this is refused before decoding: a bundle of a thousand certificates. */
export const MAX_X509_INPUT = 4 * 1024 * 1024;

type GoJson = { [key: string]: HostValue };

function boundedText(value: HostValue | undefined, what: string): string {
  const text = str(value, what);
  if (text.length > MAX_X509_INPUT)
    throw new Error(`operand ${what}: ${text.length} characters is over ${MAX_X509_INPUT}`);
  return text;
}

/** Go's base64.StdEncoding.DecodeString, or undefined where it fails. */
function decodedBase64(text: string): Buffer | undefined {
  const joined = base64Text(text, false);
  return joined === undefined ? undefined : Buffer.from(joined, "base64");
}

interface PemBlock {
  type: string;
  bytes: Buffer | undefined;
  rest: string;
}

/** The next PEM block (Go's pem.Decode), its contents decoded; undefined when none is left. */
function nextPem(text: string): PemBlock | undefined {
  const found = pemBlock(text);
  if (found === undefined) return undefined;
  const body = found.block
    .split("\n")
    .slice(1, -1)
    .filter((line) => !line.includes(":"))
    .join("");
  return { type: found.type, bytes: decodedBase64(body.replace(/\s/g, "")), rest: found.rest };
}

/** The DER of each certificate in a series (Go's x509.ParseCertificates input). */
function splitDer(der: Buffer, malformed: string): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < der.length;) {
    const element = readDer(der, at, malformed);
    out.push(element.encoding);
    at = element.end;
  }
  return out;
}

/** OPA's getX509CertsFromString: PEM, base64 of PEM, or base64 of DER. */
function certificatesDer(input: string): Buffer[] {
  let pem = input;
  if (!input.startsWith("-----BEGIN")) {
    const decoded = decodedBase64(input);
    if (decoded === undefined) throw new Error("illegal base64 data");
    if (!decoded.subarray(0, 10).equals(Buffer.from("-----BEGIN")))
      return splitDer(decoded, "x509: malformed certificate");
    pem = decoded.toString("latin1");
  }
  const blocks: Buffer[] = [];
  for (let block = nextPem(pem); block !== undefined; block = nextPem(block.rest)) {
    if (block.type !== "CERTIFICATE")
      throw new Error(`PEM block type is '${block.type}', expected CERTIFICATE`);
    if (block.bytes === undefined) break;
    blocks.push(block.bytes);
  }
  return splitDer(Buffer.concat(blocks), "x509: malformed certificate");
}

function parseCertificates(input: HostValue): HostValue {
  const ders = certificatesDer(boundedText(input, "1"));
  if (ders.length === 0) throw new Error("x509: malformed certificate");
  return ders.map(certificateJson);
}

// ---- chain verification ----

interface Certificate {
  node: X509Certificate;
  json: GoJson;
}

interface VerifyOptions {
  dnsName?: string;
  /** Unix milliseconds. */
  currentTime?: number;
  keyUsages: number[];
}

/** Go's x509.ExtKeyUsage numbers by the names OPA's options accept. */
const KEY_USAGE_NAMES: Record<string, number> = {
  KeyUsageAny: 0,
  KeyUsageServerAuth: 1,
  KeyUsageClientAuth: 2,
  KeyUsageCodeSigning: 3,
  KeyUsageEmailProtection: 4,
  KeyUsageIPSECEndSystem: 5,
  KeyUsageIPSECTunnel: 6,
  KeyUsageIPSECUser: 7,
  KeyUsageTimeStamping: 8,
  KeyUsageOCSPSigning: 9,
  KeyUsageMicrosoftServerGatedCrypto: 10,
  KeyUsageNetscapeServerGatedCrypto: 11,
  KeyUsageMicrosoftCommercialCodeSigning: 12,
  KeyUsageMicrosoftKernelCodeSigning: 13,
};

function validAt(certificate: Certificate, now: number): boolean {
  return (
    Date.parse(String(certificate.json.NotBefore)) <= now &&
    now <= Date.parse(String(certificate.json.NotAfter))
  );
}

/** Whether `parent` issued and signed `child`, as a chain link Go would accept. */
function signs(parent: Certificate, child: Certificate): boolean {
  if (!child.node.checkIssued(parent.node)) return false;
  if (INSECURE_SIGNATURES.has(Number(child.json.SignatureAlgorithm))) return false;
  try {
    return child.node.verify(parent.node.publicKey);
  } catch {
    return false;
  }
}

/** The usages the chain allows, each certificate narrowing the last (Go's checkChainForKeyUsage). */
function allowsUsages(chain: Certificate[], wanted: number[]): boolean {
  if (wanted.includes(0)) return true;
  let allowed = new Set(wanted);
  for (const certificate of chain) {
    const usages = certificate.json.ExtKeyUsage as number[] | null;
    const unknown = certificate.json.UnknownExtKeyUsage as unknown[] | null;
    if (usages === null && unknown === null) continue;
    if (usages?.includes(0)) continue;
    allowed = new Set([...allowed].filter((usage) => usages?.includes(usage)));
    if (allowed.size === 0) return false;
  }
  return allowed.size > 0;
}

const MAX_SIGNATURE_CHECKS = 100;

/** The first chain from the leaf (last) to the root (first) that Go's Verify would return. */
function verifiedChain(certificates: Certificate[], options: VerifyOptions): Certificate[] {
  if (certificates.length < 2)
    throw new Error("must supply at least two certificates to be able to verify");
  const root = certificates[0]!;
  // A pool holds each certificate once, as Go's CertPool does.
  const intermediates = [
    ...new Map(certificates.slice(1, -1).map((c) => [c.json.Raw, c])).values(),
  ];
  const leaf = certificates[certificates.length - 1]!;
  const now = options.currentTime ?? Date.now();
  if (!validAt(leaf, now)) throw new Error("x509: certificate has expired or is not yet valid");
  if (options.dnsName !== undefined && options.dnsName !== "") {
    const host = options.dnsName;
    const matches = /^[\d.]+$|:/.test(host)
      ? leaf.node.checkIP(host.replace(/^\[|\]$/g, "")) !== undefined
      : leaf.node.checkHost(host, { subject: "never" }) !== undefined;
    if (!matches) throw new Error(`x509: certificate is not valid for ${host}`);
  }
  // Go stops after 100 signature checks, so many look-alike intermediates cannot blow up.
  let checksLeft = MAX_SIGNATURE_CHECKS;
  const search = (chain: Certificate[]): Certificate[] | undefined => {
    const current = chain[chain.length - 1]!;
    if (current === root || (chain.length > 1 && current.json.Raw === root.json.Raw))
      return allowsUsages(chain, options.keyUsages) ? chain : undefined;
    if (chain.length > 1 + intermediates.length) return undefined;
    for (const parent of [root, ...intermediates]) {
      if (chain.includes(parent) || !validAt(parent, now)) continue;
      if (checksLeft-- <= 0)
        throw new Error(
          "x509: signature check attempts limit reached while verifying certificate chain",
        );
      if (!signs(parent, current)) continue;
      if (parent !== root && !(parent.json.BasicConstraintsValid && parent.json.IsCA)) continue;
      const found = search([...chain, parent]);
      if (found) return found;
    }
    return undefined;
  };
  // A leaf that is the root itself verifies alone, as in Go.
  if (leaf.json.Raw === root.json.Raw) return [leaf];
  const chain = search([leaf]);
  if (chain === undefined) throw new Error("x509: certificate signed by unknown authority");
  return chain;
}

function verifyOptions(options: HostValue | undefined): VerifyOptions {
  if (!isObject(options))
    throw new OperandTypeError(`operand 2 must be object but got ${typeName(options)}`);
  const result: VerifyOptions = { keyUsages: [] };
  for (const [key, value] of Object.entries(options)) {
    switch (key) {
      case "DNSName":
        if (typeof value !== "string") throw new Error("'DNSName' should be a string");
        result.dnsName = value;
        break;
      case "CurrentTime": {
        if (typeName(value) !== "number") throw new Error("'CurrentTime' should be a number");
        const nanos = exactInteger(value, "2");
        if (nanos === undefined || BigInt.asIntN(64, nanos) !== nanos)
          throw new Error("'CurrentTime' should be a valid int64 number");
        result.currentTime = Number(nanos / 1_000_000n);
        break;
      }
      case "MaxConstraintComparisons":
        if (typeName(value) !== "number")
          throw new Error("'MaxConstraintComparisons' should be a number");
        break;
      case "KeyUsages": {
        if (!Array.isArray(value) && typeName(value) !== "set")
          throw new Error("'KeyUsages' should be an Array or Set");
        const names = elements(value, "2", "array, set").filter((v) => typeof v === "string");
        const invalid = names.filter((name) => KEY_USAGE_NAMES[name] === undefined);
        if (invalid.length > 0)
          throw new Error(`invalid entries for 'KeyUsages' found: [${invalid.join(" ")}]`);
        result.keyUsages = names.map((name) => KEY_USAGE_NAMES[name]!);
        break;
      }
      default:
        throw new Error("invalid key option");
    }
  }
  // Go assumes server authentication when no usage is asked for.
  if (result.keyUsages.length === 0) result.keyUsages = [1];
  return result;
}

/** Go's own x509.Certificate JSON, without the `URIStrings` OPA adds in some builtins. */
function withoutUriStrings(json: GoJson): GoJson {
  return Object.fromEntries(Object.entries(json).filter(([key]) => key !== "URIStrings"));
}

function parseAndVerify(input: HostValue, options: VerifyOptions, extended: boolean): HostValue {
  const text = boundedText(input, "1");
  let certificates: Certificate[];
  try {
    certificates = certificatesDer(text).map((der) => ({
      node: new X509Certificate(der),
      json: certificateJson(der),
    }));
    const chain = verifiedChain(certificates, options);
    return [
      true,
      chain.map(({ json }) => {
        return extended ? json : withoutUriStrings(json);
      }),
    ];
  } catch (error) {
    if (error instanceof OperandTypeError) throw error;
    return [false, []];
  }
}

// ---- private keys ----

/** Go's JSON of a parsed private key (rsa.PrivateKey, ecdsa.PrivateKey, ed25519.PrivateKey). */
function privateKeyJson(key: KeyObject): HostValue {
  const jwk: JsonWebKey = key.export({ format: "jwk" });
  const n = jwkInteger;
  switch (key.asymmetricKeyType) {
    case "rsa":
      return {
        N: n(jwk.n),
        E: n(jwk.e),
        D: n(jwk.d),
        Primes: [n(jwk.p), n(jwk.q)],
        Precomputed: { Dp: n(jwk.dp), Dq: n(jwk.dq), Qinv: n(jwk.qi), CRTValues: [] },
      };
    case "ec":
      return { Curve: {}, X: n(jwk.x), Y: n(jwk.y), D: n(jwk.d) };
    case "ed25519":
      return Buffer.concat([
        Buffer.from(jwk.d ?? "", "base64url"),
        Buffer.from(jwk.x ?? "", "base64url"),
      ]).toString("base64");
    default:
      throw new Error(`unsupported private key type ${key.asymmetricKeyType}`);
  }
}

const KEY_ENCODINGS: Record<string, "pkcs1" | "pkcs8" | "sec1"> = {
  "RSA PRIVATE KEY": "pkcs1",
  "PRIVATE KEY": "pkcs8",
  "EC PRIVATE KEY": "sec1",
};

function privateKey(der: Buffer, type: "pkcs1" | "pkcs8" | "sec1"): KeyObject {
  try {
    return createPrivateKey({ key: der, format: "der", type });
  } catch {
    throw new Error(
      `x509: failed to parse private key (${type === "pkcs1" ? "PKCS #1" : type === "pkcs8" ? "PKCS #8" : "SEC 1"})`,
    );
  }
}

/** OPA's getPrivateKeysFromPEMData: base64 decoded first when it decodes, other blocks skipped. */
function privateKeys(text: string): KeyObject[] {
  const decoded = decodedBase64(text);
  let rest = decoded === undefined ? text : decoded.toString("latin1");
  const keys: KeyObject[] = [];
  for (let block = nextPem(rest); block !== undefined; block = nextPem(rest)) {
    rest = block.rest;
    const encoding = KEY_ENCODINGS[block.type];
    if (encoding === undefined || block.bytes === undefined) continue;
    keys.push(privateKey(block.bytes, encoding));
  }
  return keys;
}

function parsePrivateKeys(input: HostValue): HostValue {
  const text = boundedText(input, "1");
  if (text === "") return null;
  return privateKeys(text).map(privateKeyJson);
}

/** crypto.x509.parse_rsa_private_key: the first private key as a JWK. */
function parseRsaPrivateKey(input: HostValue): HostValue {
  let text = boundedText(input, "1");
  if (text === "") throw new Error("input PEM data was empty");
  if (!text.startsWith("-----BEGIN")) {
    const decoded = decodedBase64(text);
    if (decoded === undefined) throw new Error("illegal base64 data");
    text = decoded.toString("latin1");
  }
  const [key] = privateKeys(text);
  if (key === undefined) return null;
  return key.export({ format: "jwk" }) as GoJson;
}

/** Go's tls.X509KeyPair as OPA calls it, returning a tls.Certificate. */
function parseKeyPair(certificateInput: HostValue, keyInput: HostValue): HostValue {
  const asPem = (text: string, type: string) => {
    if (text.startsWith("-----BEGIN ")) return text;
    const decoded = decodedBase64(text);
    if (decoded === undefined) throw new Error("illegal base64 data");
    if (decoded.subarray(0, 11).equals(Buffer.from("-----BEGIN ")))
      return decoded.toString("latin1");
    const body = decoded.toString("base64").replace(/.{1,64}/g, "$&\n");
    return `-----BEGIN ${type}-----\n${body}-----END ${type}-----\n`;
  };
  const certificatePem = asPem(boundedText(certificateInput, "1"), "CERTIFICATE");
  const keyPem = asPem(boundedText(keyInput, "2"), "PRIVATE KEY");
  const certificates: Buffer[] = [];
  for (let block = nextPem(certificatePem); block; block = nextPem(block.rest))
    if (block.type === "CERTIFICATE" && block.bytes) certificates.push(block.bytes);
  if (certificates.length === 0)
    throw new Error("tls: failed to find any PEM data in certificate input");
  let key: KeyObject | undefined;
  for (let block = nextPem(keyPem); block && !key; block = nextPem(block.rest)) {
    if ((block.type === "PRIVATE KEY" || block.type.endsWith(" PRIVATE KEY")) && block.bytes)
      key = ["pkcs1", "pkcs8", "sec1"]
        .map((type) => {
          try {
            return createPrivateKey({ key: block.bytes!, format: "der", type: type as "pkcs1" });
          } catch {
            return undefined;
          }
        })
        .find((parsed) => parsed !== undefined);
  }
  if (key === undefined) throw new Error("tls: failed to find any PEM data in key input");
  const leaf = certificateJson(certificates[0]!);
  const node = new X509Certificate(certificates[0]!);
  if (!node.checkPrivateKey(key)) throw new Error("tls: private key does not match public key");
  return {
    Certificate: certificates.map((der) => der.toString("base64")),
    PrivateKey: privateKeyJson(key),
    SupportedSignatureAlgorithms: null,
    OCSPStaple: null,
    SignedCertificateTimestamps: null,
    Leaf: withoutUriStrings(leaf),
  };
}

/** OPA's crypto.x509.parse_certificate_request: PEM, or base64 of PEM or DER. */
function parseCertificateRequest(input: HostValue): HostValue {
  let bytes: Buffer = Buffer.from(boundedText(input, "1"), "utf8");
  const text = bytes.toString("utf8");
  if (!text.startsWith("-----BEGIN CERTIFICATE REQUEST-----")) {
    const decoded = decodedBase64(text);
    if (decoded === undefined) throw new Error("illegal base64 data");
    bytes = decoded;
  }
  const block = nextPem(bytes.toString("latin1"));
  if (block !== undefined && block.type !== "CERTIFICATE REQUEST")
    throw new Error("invalid PEM-encoded certificate signing request");
  if (block?.bytes !== undefined) bytes = block.bytes;
  return certificateRequestJson(bytes);
}

export const x509Definitions: Record<string, { arity: number; fn: HostFunction }> = {
  "crypto.x509.parse_certificates": { arity: 1, fn: parseCertificates },
  "crypto.x509.parse_and_verify_certificates": {
    arity: 1,
    fn: (input) => parseAndVerify(input, { keyUsages: [1] }, true),
  },
  "crypto.x509.parse_and_verify_certificates_with_options": {
    arity: 2,
    fn: (input, options) => parseAndVerify(input, verifyOptions(options), false),
  },
  "crypto.x509.parse_certificate_request": {
    arity: 1,
    fn: parseCertificateRequest,
  },
  "crypto.x509.parse_keypair": { arity: 2, fn: parseKeyPair },
  "crypto.x509.parse_rsa_private_key": { arity: 1, fn: parseRsaPrivateKey },
  "crypto.parse_private_keys": { arity: 1, fn: parsePrivateKeys },
};
