// Compiled custom policies as bytes for a cache outside the process: a format line, the sha256
// of the rest, then a JSON header (key, origin, rules, each module's size and data) and the Wasm
// modules back to back. Reading checks all of it, so a truncated, corrupt or foreign entry is a
// described problem, never compiled policies.
import { createHash } from "node:crypto";
import { z } from "zod";
import { categorySchema, severitySchema } from "../../policy/metadata.js";
import type { CompiledPolicies } from "../compile.js";

const FORMAT = "tollgate-compiled/1\n";
const DIGEST_LENGTH = "sha256:".length + 64 + 1;
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
});

export type DecodedPolicies =
  { ok: true; policies: CompiledPolicies } | { ok: false; problem: string };

export function encodeCompiled(policies: CompiledPolicies): Uint8Array {
  const header = Buffer.from(
    JSON.stringify({
      key: policies.key,
      origin: policies.origin,
      rules: policies.rules,
      modules: policies.modules.map((m) => ({ size: m.wasm.byteLength, data: m.data })),
    }),
  );
  const headerSize = Buffer.alloc(HEADER_SIZE_BYTES);
  headerSize.writeUInt32BE(header.byteLength);
  const payload = Buffer.concat([headerSize, header, ...policies.modules.map((m) => m.wasm)]);
  const digest = "sha256:" + createHash("sha256").update(payload).digest("hex") + "\n";
  return new Uint8Array(Buffer.concat([Buffer.from(FORMAT), Buffer.from(digest), payload]));
}

/** The policies in `bytes` if they are a whole, intact entry for `key`. */
export function decodeCompiled(bytes: Uint8Array, key: string): DecodedPolicies {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!buffer.subarray(0, FORMAT.length).equals(Buffer.from(FORMAT)))
    return { ok: false, problem: `not a ${FORMAT.trim()} entry` };
  const digestLine = buffer.subarray(FORMAT.length, FORMAT.length + DIGEST_LENGTH).toString();
  const payload = buffer.subarray(FORMAT.length + DIGEST_LENGTH);
  const actual = "sha256:" + createHash("sha256").update(payload).digest("hex") + "\n";
  if (digestLine !== actual)
    return { ok: false, problem: "its content does not match its digest (truncated or corrupt)" };
  if (payload.byteLength < HEADER_SIZE_BYTES) return { ok: false, problem: "no header" };
  const headerEnd = HEADER_SIZE_BYTES + payload.readUInt32BE(0);
  if (headerEnd > payload.byteLength) return { ok: false, problem: "a header past its end" };
  let header: z.infer<typeof headerSchema>;
  try {
    const parsed = headerSchema.safeParse(
      JSON.parse(payload.subarray(HEADER_SIZE_BYTES, headerEnd).toString()),
    );
    if (!parsed.success)
      return { ok: false, problem: `a malformed header: ${parsed.error.issues[0]?.message}` };
    header = parsed.data;
  } catch {
    return { ok: false, problem: "a header that is not JSON" };
  }
  if (header.key !== key) return { ok: false, problem: `the entry of ${header.key}` };
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
    policies: { key: header.key, origin: header.origin, rules: header.rules, modules },
  };
}
