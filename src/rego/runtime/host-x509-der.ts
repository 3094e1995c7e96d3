// The JSON shapes of Go's x509.Certificate and x509.CertificateRequest, as OPA's crypto.x509.*
// builtins return them, read from the DER. Node's X509Certificate checks that a certificate
// parses and gives its public key, but not the fields policies read (the names with their OIDs,
// key usage bits, basic constraints, key identifiers), so the structure of RFC 5280 is walked
// here with a small DER reader: tag, length, contents, nothing more.
import { createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
import { formatAddress } from "../../net/address.js";
import { integerValue } from "./host-operands.js";
import type { HostValue } from "./host-value.js";

type GoJson = { [key: string]: HostValue };

/** One DER element: its tag byte, contents, and the whole encoding. */
export interface Der {
  tag: number;
  contents: Buffer;
  encoding: Buffer;
}

export class MalformedError extends Error {}

/** Reads the element at `at`; throws `malformed` when it runs past the buffer. */
export function readDer(buffer: Buffer, at: number, malformed: string): Der & { end: number } {
  const fail = () => new MalformedError(malformed);
  if (at + 2 > buffer.length) throw fail();
  const tag = buffer[at]!;
  if ((tag & 0x1f) === 0x1f) throw fail();
  let length = buffer[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4 || start + octets > buffer.length) throw fail();
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + buffer[start + i]!;
    start += octets;
  }
  const end = start + length;
  if (end > buffer.length) throw fail();
  return {
    tag,
    contents: buffer.subarray(start, end),
    encoding: buffer.subarray(at, end),
    end,
  };
}

/** The elements inside a constructed element. */
export function children(der: Der, malformed: string): Der[] {
  const out: Der[] = [];
  for (let at = 0; at < der.contents.length;) {
    const child = readDer(der.contents, at, malformed);
    out.push(child);
    at = child.end;
  }
  return out;
}

function oid(bytes: Buffer): number[] {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  const first = arcs.shift() ?? 0;
  return first < 80 ? [Math.floor(first / 40), first % 40, ...arcs] : [2, first - 80, ...arcs];
}

const dotted = (arcs: number[]) => arcs.join(".");
const base64 = (bytes: Buffer) => bytes.toString("base64");
const bigInteger = (bytes: Buffer) =>
  integerValue(
    bytes.length === 0 ? 0n : BigInt.asIntN(bytes.length * 8, BigInt(`0x${bytes.toString("hex")}`)),
  );
/** A JWK's base64url big-endian integer (`n`, `e`, `x`, `d`...) as Go's big.Int marshals it. */
export const jwkInteger = (base64url: string | undefined) =>
  integerValue(BigInt(`0x${Buffer.from(base64url ?? "", "base64url").toString("hex") || "0"}`));

/** The text of a directory string (UTF8, Printable, IA5, T61, BMP, Universal). */
function directoryString(der: Der): HostValue {
  switch (der.tag) {
    case 0x1e: // BMPString: UTF-16BE
      return Buffer.from(der.contents).swap16().toString("utf16le");
    case 0x1c: // UniversalString: UTF-32BE
      return String.fromCodePoint(
        ...Array.from({ length: der.contents.length / 4 }, (_, i) =>
          der.contents.readUInt32BE(4 * i),
        ),
      );
    case 0x14: // T61String, read as Latin-1 as Go does
      return der.contents.toString("latin1");
    default:
      return der.contents.toString("utf8");
  }
}

const NAME_FIELDS: Record<string, string> = {
  "2.5.4.6": "Country",
  "2.5.4.10": "Organization",
  "2.5.4.11": "OrganizationalUnit",
  "2.5.4.7": "Locality",
  "2.5.4.8": "Province",
  "2.5.4.9": "StreetAddress",
  "2.5.4.17": "PostalCode",
};

/** Go's pkix.Name, filled from an RDN sequence as FillFromRDNSequence does. */
function pkixName(name: Der, malformed: string): GoJson {
  const lists: Record<string, string[] | null> = Object.fromEntries(
    Object.values(NAME_FIELDS).map((field) => [field, null]),
  );
  let serialNumber = "";
  let commonName = "";
  const names: GoJson[] = [];
  for (const rdn of children(name, malformed))
    for (const attribute of children(rdn, malformed)) {
      const [type, value] = children(attribute, malformed);
      if (type === undefined || value === undefined) throw new MalformedError(malformed);
      const arcs = oid(type.contents);
      const text = directoryString(value);
      names.push({ Type: arcs, Value: text });
      if (typeof text !== "string") continue;
      const key = dotted(arcs);
      const field = NAME_FIELDS[key];
      if (field !== undefined) (lists[field] ??= []).push(text);
      else if (key === "2.5.4.3") commonName = text;
      else if (key === "2.5.4.5") serialNumber = text;
    }
  return {
    ...lists,
    SerialNumber: serialNumber,
    CommonName: commonName,
    Names: names,
    ExtraNames: null,
  } as GoJson;
}

/** A UTCTime or GeneralizedTime as Go's time.Time marshals it (RFC 3339, UTC). */
function certificateTime(der: Der, malformed: string): string {
  const text = der.contents.toString("latin1");
  const match =
    der.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) throw new MalformedError(malformed);
  const [, y = "", mo, d, h, mi, s] = match;
  const year = der.tag === 0x17 ? (Number(y) < 50 ? 2000 : 1900) + Number(y) : Number(y);
  return `${String(year).padStart(4, "0")}-${mo}-${d}T${h}:${mi}:${s}Z`;
}

/** Go's x509.SignatureAlgorithm numbers by OID. */
const SIGNATURE_ALGORITHMS: Record<string, number> = {
  "1.2.840.113549.1.1.2": 1,
  "1.2.840.113549.1.1.4": 2,
  "1.2.840.113549.1.1.5": 3,
  "1.3.14.3.2.29": 3,
  "1.2.840.113549.1.1.11": 4,
  "1.2.840.113549.1.1.12": 5,
  "1.2.840.113549.1.1.13": 6,
  "1.2.840.10040.4.3": 7,
  "2.16.840.1.101.3.4.3.2": 8,
  "1.2.840.10045.4.1": 9,
  "1.2.840.10045.4.3.2": 10,
  "1.2.840.10045.4.3.3": 11,
  "1.2.840.10045.4.3.4": 12,
  "1.3.101.112": 16,
};
const PSS_HASHES: Record<string, number> = {
  "2.16.840.1.101.3.4.2.1": 13,
  "2.16.840.1.101.3.4.2.2": 14,
  "2.16.840.1.101.3.4.2.3": 15,
};
/** Go's numbers for MD2, MD5 and SHA-1 signatures, which its chain verification refuses. */
export const INSECURE_SIGNATURES = new Set([1, 2, 3, 7, 9]);

function signatureAlgorithm(algorithm: Der, malformed: string): number {
  const [id, parameters] = children(algorithm, malformed);
  if (id === undefined) throw new MalformedError(malformed);
  const key = dotted(oid(id.contents));
  if (key !== "1.2.840.113549.1.1.10") return SIGNATURE_ALGORITHMS[key] ?? 0;
  // RSASSA-PSS: the hash is the first parameter, [0] { AlgorithmIdentifier }.
  const hashField = parameters ? children(parameters, malformed)[0] : undefined;
  const hash = hashField ? children(hashField, malformed)[0] : undefined;
  const hashId = hash ? children(hash, malformed)[0] : undefined;
  return hashId ? (PSS_HASHES[dotted(oid(hashId.contents))] ?? 0) : 0;
}

/** Go's x509.PublicKeyAlgorithm and the JSON of its public key type. */
function publicKeyFields(key: KeyObject): GoJson {
  const jwk = key.export({ format: "jwk" });
  switch (key.asymmetricKeyType) {
    case "rsa":
      return { PublicKeyAlgorithm: 1, PublicKey: { N: jwkInteger(jwk.n), E: jwkInteger(jwk.e) } };
    case "ec":
      // Go's curves marshal as an empty object: their fields are unexported.
      return {
        PublicKeyAlgorithm: 3,
        PublicKey: { Curve: {}, X: jwkInteger(jwk.x), Y: jwkInteger(jwk.y) },
      };
    case "ed25519":
      return {
        PublicKeyAlgorithm: 4,
        PublicKey: Buffer.from(jwk.x ?? "", "base64url").toString("base64"),
      };
    default:
      return { PublicKeyAlgorithm: key.asymmetricKeyType === "dsa" ? 2 : 0, PublicKey: null };
  }
}

/** Go's x509.ExtKeyUsage numbers by OID. */
const EXT_KEY_USAGES: Record<string, number> = {
  "2.5.29.37.0": 0,
  "1.3.6.1.5.5.7.3.1": 1,
  "1.3.6.1.5.5.7.3.2": 2,
  "1.3.6.1.5.5.7.3.3": 3,
  "1.3.6.1.5.5.7.3.4": 4,
  "1.3.6.1.5.5.7.3.5": 5,
  "1.3.6.1.5.5.7.3.6": 6,
  "1.3.6.1.5.5.7.3.7": 7,
  "1.3.6.1.5.5.7.3.8": 8,
  "1.3.6.1.5.5.7.3.9": 9,
  "1.3.6.1.4.1.311.10.3.3": 10,
  "2.16.840.1.113730.4.1": 11,
  "1.3.6.1.4.1.311.2.1.22": 12,
  "1.3.6.1.4.1.311.61.1.1": 13,
};

/** Go's net.IP text: dotted IPv4 (an IPv4-mapped IPv6 address too), RFC 5952 IPv6. */
function ipText(bytes: Buffer): string {
  if (bytes.length !== 4 && bytes.length !== 16) return `?${bytes.toString("hex")}`;
  return formatAddress(BigInt(`0x${bytes.toString("hex")}`), bytes.length * 8);
}

interface AlternativeNames {
  DNSNames: string[] | null;
  EmailAddresses: string[] | null;
  IPAddresses: string[] | null;
  URIStrings: string[] | null;
}

function alternativeNames(names: Der, malformed: string): AlternativeNames {
  const found: AlternativeNames = {
    DNSNames: null,
    EmailAddresses: null,
    IPAddresses: null,
    URIStrings: null,
  };
  for (const name of children(names, malformed)) {
    const kind = name.tag & 0x1f;
    const field =
      kind === 1
        ? "EmailAddresses"
        : kind === 2
          ? "DNSNames"
          : kind === 6
            ? "URIStrings"
            : kind === 7
              ? "IPAddresses"
              : undefined;
    if (field === undefined) continue;
    const text = kind === 7 ? ipText(name.contents) : name.contents.toString("latin1");
    (found[field] ??= []).push(text);
  }
  return found;
}

/** The URIs among the [6] names nested anywhere in an element (CRL distribution points). */
function nestedUris(der: Der, malformed: string, into: string[]): string[] {
  if (der.tag === 0x86) into.push(der.contents.toString("latin1"));
  else if (der.tag & 0x20)
    for (const child of children(der, malformed)) nestedUris(child, malformed, into);
  return into;
}

/** The fields Go's x509 fills from the extensions it knows. */
function extensionFields(extensions: Der[], malformed: string): GoJson {
  const fields: GoJson = {
    KeyUsage: 0,
    Extensions: [],
    ExtKeyUsage: null,
    UnknownExtKeyUsage: null,
    BasicConstraintsValid: false,
    IsCA: false,
    MaxPathLen: 0,
    MaxPathLenZero: false,
    SubjectKeyId: null,
    AuthorityKeyId: null,
    OCSPServer: null,
    IssuingCertificateURL: null,
    DNSNames: null,
    EmailAddresses: null,
    IPAddresses: null,
    URIStrings: null,
    CRLDistributionPoints: null,
    PolicyIdentifiers: null,
  };
  const listed: GoJson[] = [];
  for (const extension of extensions) {
    const parts = children(extension, malformed);
    const id = oid(parts[0]!.contents);
    const critical = parts.length === 3 && parts[1]!.tag === 0x01 && parts[1]!.contents[0] !== 0;
    const value = parts[parts.length - 1]!.contents;
    listed.push({ Id: id, Critical: critical, Value: base64(value) });
    const inner = () => readDer(value, 0, malformed);
    switch (dotted(id)) {
      case "2.5.29.15": {
        const bits = inner().contents;
        let usage = 0;
        for (let bit = 0; bit < (bits.length - 1) * 8 && bit < 9; bit++)
          if (bits[1 + (bit >> 3)]! & (0x80 >> (bit & 7))) usage |= 1 << bit;
        fields.KeyUsage = usage;
        break;
      }
      case "2.5.29.19": {
        const [first, second] = children(inner(), malformed);
        const isCA = first?.tag === 0x01 && first.contents[0] !== 0;
        const pathLength = first?.tag === 0x02 ? first : second?.tag === 0x02 ? second : undefined;
        fields.BasicConstraintsValid = true;
        fields.IsCA = isCA;
        fields.MaxPathLen = pathLength
          ? Number(BigInt(`0x${pathLength.contents.toString("hex")}`))
          : -1;
        fields.MaxPathLenZero = fields.MaxPathLen === 0;
        break;
      }
      case "2.5.29.37":
        for (const usage of children(inner(), malformed)) {
          const arcs = oid(usage.contents);
          const known = EXT_KEY_USAGES[dotted(arcs)];
          if (known !== undefined) ((fields.ExtKeyUsage ??= []) as HostValue[]).push(known);
          else ((fields.UnknownExtKeyUsage ??= []) as HostValue[]).push(arcs);
        }
        break;
      case "2.5.29.14":
        fields.SubjectKeyId = base64(inner().contents);
        break;
      case "2.5.29.35": {
        const keyId = children(inner(), malformed).find((part) => part.tag === 0x80);
        if (keyId) fields.AuthorityKeyId = base64(keyId.contents);
        break;
      }
      case "2.5.29.17":
        Object.assign(fields, alternativeNames(inner(), malformed));
        break;
      case "1.3.6.1.5.5.7.1.1":
        for (const access of children(inner(), malformed)) {
          const [method, location] = children(access, malformed);
          if (method === undefined || location?.tag !== 0x86) continue;
          const field = {
            "1.3.6.1.5.5.7.48.1": "OCSPServer",
            "1.3.6.1.5.5.7.48.2": "IssuingCertificateURL",
          }[dotted(oid(method.contents))];
          if (field)
            ((fields[field] ??= []) as HostValue[]).push(location.contents.toString("latin1"));
        }
        break;
      case "2.5.29.31": {
        const uris = nestedUris(inner(), malformed, []);
        if (uris.length > 0) fields.CRLDistributionPoints = uris;
        break;
      }
      case "2.5.29.32":
        fields.PolicyIdentifiers = children(inner(), malformed).map((policy) =>
          oid(children(policy, malformed)[0]!.contents),
        );
        break;
    }
  }
  fields.Extensions = listed.length > 0 ? listed : null;
  return fields;
}

const CERTIFICATE_MALFORMED = "x509: malformed certificate";

/** A certificate's fields as Go's x509.Certificate marshals them, with OPA's `URIStrings`. */
export function certificateJson(der: Buffer): GoJson {
  let node: X509Certificate;
  try {
    node = new X509Certificate(der);
  } catch {
    throw new MalformedError(CERTIFICATE_MALFORMED);
  }
  const m = CERTIFICATE_MALFORMED;
  const certificate = readDer(der, 0, m);
  const [tbs, algorithm, signature] = children(certificate, m);
  if (tbs === undefined || algorithm === undefined || signature === undefined)
    throw new MalformedError(m);
  const fields = children(tbs, m);
  const version = fields[0]?.tag === 0xa0 ? fields.shift()! : undefined;
  const [serial, , issuer, validity, subject, spki] = fields;
  if (!serial || !issuer || !validity || !subject || !spki) throw new MalformedError(m);
  const [notBefore, notAfter] = children(validity, m);
  if (!notBefore || !notAfter) throw new MalformedError(m);
  const extensions = fields.find((field) => field.tag === 0xa3);
  const versionNumber = version ? Number(children(version, m)[0]?.contents[0] ?? 0) : 0;
  return {
    Raw: base64(der),
    RawTBSCertificate: base64(tbs.encoding),
    RawSubjectPublicKeyInfo: base64(spki.encoding),
    RawSubject: base64(subject.encoding),
    RawIssuer: base64(issuer.encoding),
    Signature: base64(signature.contents.subarray(1)),
    SignatureAlgorithm: signatureAlgorithm(algorithm, m),
    ...publicKeyFields(node.publicKey),
    Version: versionNumber + 1,
    SerialNumber: bigInteger(serial.contents),
    Issuer: pkixName(issuer, m),
    Subject: pkixName(subject, m),
    NotBefore: certificateTime(notBefore, m),
    NotAfter: certificateTime(notAfter, m),
    ...extensionFields(extensions ? children(readDer(extensions.contents, 0, m), m) : [], m),
  };
}

const REQUEST_MALFORMED = "x509: malformed certificate request";

/** A certificate signing request as Go's x509.CertificateRequest marshals it. */
export function certificateRequestJson(der: Buffer): GoJson {
  const m = REQUEST_MALFORMED;
  const request = readDer(der, 0, m);
  if (request.end !== der.length) throw new MalformedError("x509: trailing data");
  const [info, algorithm, signature] = children(request, m);
  if (info === undefined || algorithm === undefined || signature === undefined)
    throw new MalformedError(m);
  const [version, subject, spki, attributes] = children(info, m);
  if (!version || !subject || !spki) throw new MalformedError(m);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: spki.encoding, format: "der", type: "spki" });
  } catch {
    throw new MalformedError(m);
  }
  // Extensions arrive in the extensionRequest attribute (PKCS #9).
  let extensions: Der[] = [];
  for (const attribute of attributes ? children(attributes, m) : []) {
    const [type, values] = children(attribute, m);
    if (type && values && dotted(oid(type.contents)) === "1.2.840.113549.1.9.14") {
      const requested = children(values, m)[0];
      if (requested) extensions = children(requested, m);
    }
  }
  const extensionJson = extensionFields(extensions, m);
  return {
    Raw: base64(der),
    RawTBSCertificateRequest: base64(info.encoding),
    RawSubjectPublicKeyInfo: base64(spki.encoding),
    RawSubject: base64(subject.encoding),
    Version: Number(version.contents[0] ?? 0),
    Signature: base64(signature.contents.subarray(1)),
    SignatureAlgorithm: signatureAlgorithm(algorithm, m),
    ...publicKeyFields(key),
    Subject: pkixName(subject, m),
    Extensions: extensionJson.Extensions ?? null,
    ExtraExtensions: null,
    DNSNames: extensionJson.DNSNames ?? null,
    EmailAddresses: extensionJson.EmailAddresses ?? null,
    IPAddresses: extensionJson.IPAddresses ?? null,
    URIStrings: extensionJson.URIStrings ?? null,
  };
}
