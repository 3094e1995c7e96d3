// Why the app may run what it reads back from its cache: every entry carries an HMAC-SHA256 over
// its slot (which content key, or which folder's last good version) and its bytes, keyed by a
// secret derived with HKDF from the App's private key and webhook secret.
//
// The threat is a writer of the cache without the app's secrets: anyone who can write to the Redis
// of REDIS_URL (a shared instance, a leaked Redis password, another service on it) or to
// TOLLGATE_CACHE_DIR. Without the MAC such a writer could plant a Wasm bundle that the gate would
// run as an organization's policy (one that finds nothing, say). With it, a planted, altered or
// moved entry (another slot's, valid there) does not verify and is a miss: the folder compiles
// again from its default branch. The secrets are what GitHub's webhooks and the App's tokens
// already rest on, so whoever holds them could impersonate the App anyway.
//
// What it does not cover: a writer may delete entries (a recompile; without a last good version
// a restarted app reports a folder's compile errors on pull requests, as with no store), or put
// back an entry this app once wrote to the same slot (a folder's earlier last good version: one
// that did compile from that default branch, used only while the newest does not compile); it may
// read entries (the organization's rules, compiled); and Redis also holds the job queue, which
// this does not protect. Rotating either secret makes every entry a miss, once (last good
// versions too).
import {
  createHmac,
  createPrivateKey,
  createSecretKey,
  hkdfSync,
  timingSafeEqual,
  type KeyObject,
} from "node:crypto";

const SALT = "tollgate compiled policy cache";
const INFO = "hmac-sha256 of tollgate-compiled/2 entries";

/** The App's secrets, as the server reads them (src/app/environment.ts). */
export interface AppSecrets {
  privateKey: string;
  webhookSecret: string;
}

/**
 * The MAC key of the App's cache entries. Every replica derives the same one: the private key is
 * taken as its DER encoding, so PEM line endings and PKCS#1 or PKCS#8 do not matter.
 */
export function cacheKeyOfApp(secrets: AppSecrets): KeyObject {
  let privateKey: Buffer;
  try {
    privateKey = createPrivateKey(secrets.privateKey).export({ type: "pkcs8", format: "der" });
  } catch {
    // Probot refuses such a key when the App starts; the text still keys the cache.
    privateKey = Buffer.from(secrets.privateKey.trim());
  }
  return cacheKeyOf(lengthPrefixed(privateKey, Buffer.from(secrets.webhookSecret)));
}

/** A MAC key from explicit material, for tools and tests that hold no App secrets. */
export function cacheKeyOf(material: Uint8Array | string): KeyObject {
  const derived = hkdfSync("sha256", material, SALT, INFO, 32);
  return createSecretKey(Buffer.from(derived));
}

export function entryMac(key: KeyObject, slot: string, content: Uint8Array): Buffer {
  return createHmac("sha256", key)
    .update(lengthPrefixed(Buffer.from(slot)))
    .update(content)
    .digest();
}

export function macMatches(expected: Buffer, given: Uint8Array): boolean {
  return expected.byteLength === given.byteLength && timingSafeEqual(expected, given);
}

/** Each part preceded by its length, so no two lists of parts give the same bytes. */
function lengthPrefixed(...parts: Uint8Array[]): Buffer {
  return Buffer.concat(
    parts.flatMap((part) => {
      const size = Buffer.alloc(4);
      size.writeUInt32BE(part.byteLength);
      return [size, part];
    }),
  );
}
