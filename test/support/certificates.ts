// Certificates made when a test runs, for a key made then too, so the repository keeps no private
// key for a secret scanner to report: a minimal DER writer and a self-signed ECDSA certificate.
import { createPublicKey, sign, type KeyObject } from "node:crypto";

/** DER: a tag, its length (up to 65,535), its contents. */
function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  const length =
    body.length < 0x80
      ? Buffer.from([body.length])
      : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

const sequence = (...contents: Buffer[]) => tlv(0x30, ...contents);
/** ecdsa-with-SHA256 (1.2.840.10045.4.3.2), commonName (2.5.4.3), subjectAltName (2.5.29.17). */
const ECDSA_SHA256 = sequence(Buffer.from("06082a8648ce3d040302", "hex"));
const COMMON_NAME = Buffer.from("0603550403", "hex");
const SUBJECT_ALT_NAME = Buffer.from("0603551d11", "hex");

/**
 * A self-signed certificate of an ECDSA P-256 `key` as PEM: `host` as common name and DNS name,
 * serial 1, valid 2025 to 2125.
 */
export function selfSignedCertificate(key: KeyObject, host: string): string {
  const name = sequence(tlv(0x31, sequence(COMMON_NAME, tlv(0x0c, Buffer.from(host)))));
  const time = (year: number) => tlv(0x18, Buffer.from(`${year}0101000000Z`));
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, Buffer.from([1])),
    ECDSA_SHA256,
    name,
    sequence(time(2025), time(2125)),
    name,
    createPublicKey(key).export({ type: "spki", format: "der" }),
    tlv(
      0xa3,
      sequence(sequence(SUBJECT_ALT_NAME, tlv(0x04, sequence(tlv(0x82, Buffer.from(host)))))),
    ),
  );
  const der = sequence(tbs, ECDSA_SHA256, tlv(0x03, Buffer.from([0]), sign("sha256", tbs, key)));
  const body = der.toString("base64").replace(/.{1,64}/g, "$&\n");
  return `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`;
}
