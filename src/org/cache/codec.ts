// Compiled custom policies as bytes for a cache outside the process: a format line, the HMAC of
// the rest bound to the entry's slot (trust.ts), then a JSON header (key, origin, rules, each
// module's size and data, the compiler's warnings) and the Wasm modules back to back. Reading checks all of it, so a
// planted, altered, truncated, foreign or misplaced entry is a described problem, never compiled
// policies.
import type { KeyObject } from "node:crypto";
import { z } from "zod";
import { MAX_NESTING_DEPTH } from "../../iac/cloudformation/parse.js";
import { readExactJson } from "../../policy/data.js";
import { categorySchema, severitySchema } from "../../policy/metadata.js";
import { exactJsonText } from "../../rego/runtime/index.js";
import type { CompiledPolicies } from "../compile.js";
import { entryMac, macMatches } from "./trust.js";

const FORMAT = "tollgate-compiled/2\n";
/** Entries of Tollgate before the MAC: never read, and replaced by the next write. */
const UNAUTHENTICATED_FORMAT = "tollgate-compiled/1\n";
const MAC_PREFIX = "hmac-sha256:";
const MAC_LINE_LENGTH = MAC_PREFIX.length + 64 + 1;
const HEADER_SIZE_BYTES = 4;

const headerSchema = z.object({
  key: z.string(),
  origin: z.string(),
  rules: z.array(
    z.object({
      meta: z
        .object({
          id: z.string().min(1),
          title: z.string(),
          description: z.string().optional(),
          severity: severitySchema,
          category: categorySchema,
          remediation: z.string().optional(),
          controls: z.array(z.string()).optional(),
          references: z.array(z.string()).optional(),
          entrypoint: z.string().min(1),
        })
        // Fields a later RuleMetadata adds are kept, not stripped (metadata.ts is in the key).
        .loose(),
      file: z.string(),
      module: z.number().int().min(0),
    }),
  ),
  modules: z.array(
    z.object({ size: z.number().int().min(0), data: z.record(z.string(), z.unknown()) }),
  ),
  warnings: z.array(
    z.object({
      file: z.string(),
      line: z.number().int(),
      column: z.number().int(),
      code: z.string(),
      message: z.string(),
      level: z.literal("warning"),
    }),
  ),
});

export type DecodedPolicies =
  { ok: true; policies: CompiledPolicies } | { ok: false; problem: string };

/**
 * `slot` names where the entry is kept (`compiledSlot`, `lastGoodSlot`): its MAC is valid there
 * only, so an entry copied to another slot is refused.
 */
export function encodeCompiled(
  policies: CompiledPolicies,
  slot: string,
  macKey: KeyObject,
): Uint8Array {
  // Exact JSON: a data file's integer past 2^53 is a bigint (policy/data.ts).
  const header = Buffer.from(
    exactJsonText({
      key: policies.key,
      origin: policies.origin,
      rules: policies.rules,
      modules: policies.modules.map((m) => ({ size: m.wasm.byteLength, data: m.data })),
      warnings: policies.warnings,
    }),
  );
  const headerSize = Buffer.alloc(HEADER_SIZE_BYTES);
  headerSize.writeUInt32BE(header.byteLength);
  const payload = Buffer.concat([headerSize, header, ...policies.modules.map((m) => m.wasm)]);
  const mac = MAC_PREFIX + entryMac(macKey, slot, payload).toString("hex") + "\n";
  return new Uint8Array(Buffer.concat([Buffer.from(FORMAT), Buffer.from(mac), payload]));
}

/**
 * The policies in `bytes` if they are a whole entry that this app's `macKey` wrote to `slot`,
 * and, when `key` is given, compiled under that content key.
 */
export function decodeCompiled(
  bytes: Uint8Array,
  slot: string,
  macKey: KeyObject,
  key?: string,
): DecodedPolicies {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const startsWith = (format: string) =>
    buffer.subarray(0, format.length).equals(Buffer.from(format));
  if (startsWith(UNAUTHENTICATED_FORMAT))
    return { ok: false, problem: "an entry of an earlier Tollgate, without a MAC" };
  if (!startsWith(FORMAT)) return { ok: false, problem: `not a ${FORMAT.trim()} entry` };
  const macLine = buffer.subarray(FORMAT.length, FORMAT.length + MAC_LINE_LENGTH).toString();
  const payload = buffer.subarray(FORMAT.length + MAC_LINE_LENGTH);
  const given = /^hmac-sha256:([0-9a-f]{64})\n$/.exec(macLine)?.[1];
  if (!given || !macMatches(entryMac(macKey, slot, payload), Buffer.from(given, "hex")))
    return {
      ok: false,
      problem:
        "its MAC does not verify (written without this app's key, altered, truncated or moved from another slot)",
    };
  if (payload.byteLength < HEADER_SIZE_BYTES) return { ok: false, problem: "no header" };
  const headerEnd = HEADER_SIZE_BYTES + payload.readUInt32BE(0);
  if (headerEnd > payload.byteLength) return { ok: false, problem: "a header past its end" };
  // A data file's depth, below its folder's, below the header's own objects.
  const read = readExactJson(
    payload.subarray(HEADER_SIZE_BYTES, headerEnd).toString(),
    2 * MAX_NESTING_DEPTH + 8,
  );
  if ("error" in read) return { ok: false, problem: "a header that is not JSON" };
  const parsed = headerSchema.safeParse(read.value);
  if (!parsed.success)
    return { ok: false, problem: `a malformed header: ${parsed.error.issues[0]?.message}` };
  const header = parsed.data;
  if (key !== undefined && header.key !== key)
    return { ok: false, problem: `the entry of ${header.key}` };
  const wasmBytes = header.modules.reduce((sum, m) => sum + m.size, 0);
  if (headerEnd + wasmBytes !== payload.byteLength)
    return { ok: false, problem: "module sizes that do not add up to its length" };
  if (header.rules.some((rule) => rule.module >= header.modules.length))
    return { ok: false, problem: "a rule of a module it does not hold" };
  let offset = headerEnd;
  const modules = header.modules.map((m) => {
    // A copy: the entry's buffer may be pooled or reused by the reader.
    const wasm = new Uint8Array(payload.subarray(offset, offset + m.size));
    offset += m.size;
    return { wasm, data: m.data };
  });
  return {
    ok: true,
    policies: {
      key: header.key,
      origin: header.origin,
      rules: header.rules,
      modules,
      warnings: header.warnings,
    },
  };
}
