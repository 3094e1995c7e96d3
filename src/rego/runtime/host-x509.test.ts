// crypto.x509.* and crypto.parse_private_keys: Go's JSON shapes read from test certificates
// (testdata/x509: a test-only RSA root, an ECDSA intermediate and leaf, made with OpenSSL, valid
// 2025 to 2125), chain verification as Go's Verify decides it, and hostile input. Private keys are
// made when the tests run, never kept, so no secret scanner finds one in the repository.
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it } from "vitest";
import { selfSignedCertificate } from "../../../test/support/certificates.js";
import { compileRego } from "../index.js";
import { hostDefinitions } from "./host-functions.js";
import { hostBuiltins } from "./host.js";
import { RegoNumber, type HostValue } from "./host-value.js";
import { MAX_X509_INPUT } from "./host-x509.js";

const call = (name: string, ...args: HostValue[]) => hostDefinitions[name]!.fn(...args);
const fixture = (name: string) =>
  readFileSync(new URL(`testdata/x509/${name}`, import.meta.url), "utf8");
const root = fixture("root.pem");
const intermediate = fixture("inter.pem");
const leaf = fixture("leaf.pem");
const chain = root + intermediate + leaf;
const base64 = (text: string) => Buffer.from(text).toString("base64");
/** The DER of every certificate in PEM text, concatenated. */
const der = (pem: string) =>
  Buffer.concat(
    [...pem.matchAll(/-----BEGIN CERTIFICATE-----([^-]+)-----END/g)].map((m) =>
      Buffer.from(m[1]!.replace(/\s/g, ""), "base64"),
    ),
  );

type Json = { [key: string]: HostValue };
const certificates = (input: string) => call("crypto.x509.parse_certificates", input) as Json[];
const verify = (input: string) =>
  call("crypto.x509.parse_and_verify_certificates", input) as [boolean, Json[]];
const verifyWith = (input: string, options: Json) =>
  call("crypto.x509.parse_and_verify_certificates_with_options", input, options) as [
    boolean,
    Json[],
  ];
/** 2030-01-01 in nanoseconds, inside every test certificate's validity. */
const IN_2030 = new RegoNumber("1893456000000000000");

describe("crypto.x509.parse_certificates", () => {
  it("gives the fields of Go's x509.Certificate that policies read", () => {
    const [cert] = certificates(leaf);
    expect(cert).toMatchObject({
      Version: 3,
      SerialNumber: new RegoNumber("1512366075204170929049582354406559215"),
      SignatureAlgorithm: 10,
      PublicKeyAlgorithm: 3,
      NotBefore: "2025-01-01T00:00:00Z",
      NotAfter: "2125-01-01T00:00:00Z",
      KeyUsage: 5,
      ExtKeyUsage: [1, 2],
      UnknownExtKeyUsage: null,
      BasicConstraintsValid: true,
      IsCA: false,
      MaxPathLen: -1,
      DNSNames: ["api.example.com", "*.apps.example.com"],
      IPAddresses: ["10.0.0.1", "2001:db8::1"],
      EmailAddresses: ["ops@example.com"],
      URIStrings: ["spiffe://example.com/api"],
      OCSPServer: ["http://ocsp.example.com"],
      IssuingCertificateURL: ["http://ca.example.com/inter.crt"],
      CRLDistributionPoints: ["http://crl.example.com/inter.crl"],
      PolicyIdentifiers: [[2, 23, 140, 1, 2, 1]],
    });
    expect(cert!.Subject).toEqual({
      Country: ["DE"],
      Organization: ["Example GmbH"],
      OrganizationalUnit: null,
      Locality: ["Berlin"],
      Province: null,
      StreetAddress: null,
      PostalCode: null,
      SerialNumber: "",
      CommonName: "api.example.com",
      Names: [
        { Type: [2, 5, 4, 6], Value: "DE" },
        { Type: [2, 5, 4, 10], Value: "Example GmbH" },
        { Type: [2, 5, 4, 7], Value: "Berlin" },
        { Type: [2, 5, 4, 3], Value: "api.example.com" },
      ],
      ExtraNames: null,
    });
    expect(cert!.Issuer).toMatchObject({
      CommonName: "Tollgate Test Intermediate",
      OrganizationalUnit: ["Platform", "Security"],
    });
    expect(cert!.Extensions).toContainEqual({
      Id: [2, 5, 29, 15],
      Critical: true,
      Value: "AwIFoA==",
    });
    expect((cert!.PublicKey as Json).Curve).toEqual({});
    expect(Buffer.from(String(cert!.Raw), "base64")).toEqual(der(leaf));
  });

  it("reads CA constraints and RSA keys, and links key identifiers", () => {
    const [rootCert, intermediateCert, leafCert] = certificates(chain);
    expect(rootCert).toMatchObject({
      IsCA: true,
      MaxPathLen: -1,
      KeyUsage: 96,
      SignatureAlgorithm: 4,
    });
    expect(rootCert!.PublicKeyAlgorithm).toBe(1);
    expect((rootCert!.PublicKey as Json).E).toBe(65537);
    expect((rootCert!.PublicKey as Json).N).toBeInstanceOf(RegoNumber);
    expect(intermediateCert).toMatchObject({ IsCA: true, MaxPathLen: 0, MaxPathLenZero: true });
    expect(leafCert!.AuthorityKeyId).toBe(intermediateCert!.SubjectKeyId);
  });

  it("reads PEM, base64 of PEM and base64 of DER, in order", () => {
    const names = (input: string) => certificates(input).map((c) => (c.Subject as Json).CommonName);
    const expected = ["Tollgate Test Root", "Tollgate Test Intermediate", "api.example.com"];
    expect(names(chain)).toEqual(expected);
    expect(names(base64(chain))).toEqual(expected);
    expect(names(der(chain).toString("base64"))).toEqual(expected);
  });

  it("fails as OPA does on other PEM blocks, bad base64 and bad DER", () => {
    expect(() => certificates("YmFkc3RyaW5n")).toThrow("x509: malformed certificate");
    expect(() => certificates("%%%")).toThrow("illegal base64 data");
    expect(() =>
      certificates("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
    ).toThrow("PEM block type is 'PUBLIC KEY', expected CERTIFICATE");
    // A length running past the end, and a truncated certificate.
    expect(() =>
      certificates(Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff]).toString("base64")),
    ).toThrow("x509: malformed certificate");
    expect(() => certificates(der(leaf).subarray(0, 300).toString("base64"))).toThrow(
      "x509: malformed certificate",
    );
  });

  it("refuses huge input at once and survives garbage", () => {
    const started = Date.now();
    expect(() => certificates("A".repeat(MAX_X509_INPUT + 4))).toThrow(`over ${MAX_X509_INPUT}`);
    const garbage = Buffer.alloc(100_000, 0x30).toString("base64");
    expect(() => certificates(garbage)).toThrow("x509: malformed certificate");
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("crypto.x509.parse_and_verify_certificates", () => {
  it("verifies root, intermediates, leaf and returns the chain from the leaf", () => {
    const [valid, verified] = verify(chain);
    expect(valid).toBe(true);
    expect(verified.map((c) => (c.Subject as Json).CommonName)).toEqual([
      "api.example.com",
      "Tollgate Test Intermediate",
      "Tollgate Test Root",
    ]);
    expect(verified[0]!.URIStrings).toEqual(["spiffe://example.com/api"]);
    expect(verify(base64(chain))[0]).toBe(true);
  });

  it("verifies a bundle of 200 repeated intermediates quickly, as a pool holds each once", () => {
    const started = Date.now();
    expect(verify(root + intermediate.repeat(200) + leaf)[0]).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("gives [false, []] where Go's Verify fails", () => {
    // One certificate; a leaf with no path to the root; SHA-1; client-only usage (Go asks for
    // server authentication by default); unparseable input.
    for (const input of [
      leaf,
      root + leaf,
      root + intermediate + fixture("sha1.pem"),
      root + intermediate + fixture("client.pem"),
      "garbage",
    ])
      expect(verify(input)).toEqual([false, []]);
  });
});

describe("crypto.x509.parse_and_verify_certificates_with_options", () => {
  it("applies DNSName, CurrentTime and KeyUsages", () => {
    expect(verifyWith(chain, { DNSName: "x.apps.example.com", CurrentTime: IN_2030 })[0]).toBe(
      true,
    );
    expect(verifyWith(chain, { DNSName: "example.org" })).toEqual([false, []]);
    expect(verifyWith(chain, { CurrentTime: new RegoNumber("7258118400000000000") })).toEqual([
      false,
      [],
    ]);
    const client = root + intermediate + fixture("client.pem");
    expect(verifyWith(client, { KeyUsages: ["KeyUsageClientAuth"] })[0]).toBe(true);
    expect(verifyWith(client, { KeyUsages: ["KeyUsageAny"] })[0]).toBe(true);
    // Without OPA's URIStrings, as OPA returns it.
    expect(verifyWith(chain, {})[1][0]).not.toHaveProperty("URIStrings");
  });

  it("rejects options OPA rejects", () => {
    expect(() => verifyWith(chain, { Foo: 1 })).toThrow("invalid key option");
    expect(() => verifyWith(chain, { KeyUsages: ["KeyUsageNope"] })).toThrow(
      "invalid entries for 'KeyUsages' found: [KeyUsageNope]",
    );
    expect(() => verifyWith(chain, { DNSName: 1 })).toThrow("'DNSName' should be a string");
    expect(() => verifyWith(chain, { CurrentTime: 1.5 })).toThrow("valid int64 number");
  });
});

describe("crypto.x509.parse_certificate_request", () => {
  it("gives Go's x509.CertificateRequest from PEM or base64", () => {
    const csr = fixture("leaf.csr");
    const expected = {
      Version: 0,
      SignatureAlgorithm: 10,
      PublicKeyAlgorithm: 3,
      DNSNames: ["api.example.com"],
      IPAddresses: ["10.0.0.1"],
      EmailAddresses: ["ops@example.com"],
      URIStrings: ["spiffe://example.com/api"],
    };
    expect(call("crypto.x509.parse_certificate_request", csr)).toMatchObject(expected);
    expect(call("crypto.x509.parse_certificate_request", base64(csr))).toMatchObject({
      Subject: { CommonName: "api.example.com", Country: ["DE"] },
    });
    expect(() => call("crypto.x509.parse_certificate_request", base64(leaf))).toThrow(
      "invalid PEM-encoded certificate signing request",
    );
    expect(() => call("crypto.x509.parse_certificate_request", "YmFkc3RyaW5n")).toThrow(
      "x509: malformed certificate request",
    );
  });
});

describe("private keys", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
  const ec = () => generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  const [ecKey, otherKey] = [ec(), ec()];
  const rsaPem = rsa.export({ type: "pkcs1", format: "pem" }) as string;
  const keys =
    rsaPem +
    (ecKey.export({ type: "sec1", format: "pem" }) as string) +
    (otherKey.export({ type: "pkcs8", format: "pem" }) as string);

  it("crypto.parse_private_keys gives each key in Go's JSON, RSA (PKCS #1), EC (SEC 1), PKCS #8", () => {
    const parsed = call("crypto.parse_private_keys", keys) as Json[];
    expect(parsed).toHaveLength(3);
    expect(Object.keys(parsed[0]!)).toEqual(["N", "E", "D", "Primes", "Precomputed"]);
    expect(parsed[0]!.E).toBe(65537);
    expect(parsed[1]).toMatchObject({ Curve: {} });
    expect(Object.keys(parsed[2]!)).toEqual(["Curve", "X", "Y", "D"]);
    expect(call("crypto.parse_private_keys", base64(keys))).toHaveLength(3);
    expect(call("crypto.parse_private_keys", "")).toBeNull();
    expect(call("crypto.parse_private_keys", "no keys here")).toEqual([]);
    expect(call("crypto.parse_private_keys", leaf)).toEqual([]);
    expect(() =>
      call(
        "crypto.parse_private_keys",
        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
      ),
    ).toThrow("x509: failed to parse private key");
  });

  it("crypto.x509.parse_rsa_private_key gives the first key as a JWK", () => {
    const jwk = call("crypto.x509.parse_rsa_private_key", rsaPem) as Json;
    expect(Object.keys(jwk).sort()).toEqual(["d", "dp", "dq", "e", "kty", "n", "p", "q", "qi"]);
    expect(jwk).toMatchObject({ kty: "RSA", e: "AQAB" });
    expect(jwk).toEqual(rsa.export({ format: "jwk" }));
    expect(call("crypto.x509.parse_rsa_private_key", base64(rsaPem))).toEqual(jwk);
    expect(call("crypto.x509.parse_rsa_private_key", leaf)).toBeNull();
    expect(() => call("crypto.x509.parse_rsa_private_key", "")).toThrow("input PEM data was empty");
  });

  it("crypto.x509.parse_keypair gives Go's tls.Certificate, or says the key does not match", () => {
    const certificate = selfSignedCertificate(ecKey, "keypair.example.com");
    const keyPem = ecKey.export({ type: "pkcs8", format: "pem" }) as string;
    const pair = call("crypto.x509.parse_keypair", certificate, keyPem) as Json;
    expect(pair.Certificate).toEqual([der(certificate).toString("base64")]);
    expect((pair.Leaf as Json).DNSNames).toEqual(["keypair.example.com"]);
    expect(pair.PrivateKey).toMatchObject({ Curve: {} });
    expect(call("crypto.x509.parse_keypair", base64(certificate), base64(keyPem))).toEqual(pair);
    const otherPem = otherKey.export({ type: "sec1", format: "pem" }) as string;
    expect(() => call("crypto.x509.parse_keypair", certificate, otherPem)).toThrow(
      "tls: private key does not match public key",
    );
  });
});

describe("crypto.x509 through the compiler and Wasm", () => {
  it("compiles calls to them and gives OPA's results", async () => {
    const source = `package t

names := [cert.Subject.CommonName | some cert in crypto.x509.parse_certificates(input.chain)]

wildcard_hosts contains name if {
	some cert in crypto.x509.parse_certificates(input.chain)
	some name in cert.DNSNames
	startswith(name, "*.")
}

verified := crypto.x509.parse_and_verify_certificates_with_options(
	input.chain,
	{"CurrentTime": 1893456000000000000},
)[0]
`;
    const rules = ["names", "wildcard_hosts", "verified"];
    const { wasm, entrypoints } = await compileRego(
      { "policy.rego": source },
      { entrypoints: rules.map((r) => `t/${r}`) },
    );
    const policy = await loadPolicy(wasm, undefined, hostBuiltins);
    const result = (rule: string) =>
      (policy.evaluate({ chain }, entrypoints[`t/${rule}`]) as { result: unknown }[])[0]?.result;
    expect(result("names")).toEqual([
      "Tollgate Test Root",
      "Tollgate Test Intermediate",
      "api.example.com",
    ]);
    expect(result("wildcard_hosts")).toEqual(["*.apps.example.com"]);
    expect(result("verified")).toBe(true);
  });
});
