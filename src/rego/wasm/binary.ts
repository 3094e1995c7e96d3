// Adds the policy's constants to the emitted module as one more active data segment, by
// editing the binary's Data (and DataCount) sections. Hand-written (about 60 lines) because
// binaryen.js 132 cannot add a segment to a module read from a binary without replacing the
// memory, and that path crashes its validator on modules with an imported memory.

function readU32(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const b = bytes[i++];
    if (b === undefined) throw new Error("truncated LEB128 in Wasm module");
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return { value, next: i };
    shift += 7;
  }
}

function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

function s32(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

interface Section {
  id: number;
  content: Uint8Array;
}

function sections(wasm: Uint8Array): Section[] {
  const list: Section[] = [];
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at]!;
    const { value: size, next } = readU32(wasm, at + 1);
    list.push({ id, content: wasm.subarray(next, next + size) });
    at = next + size;
  }
  return list;
}

/** Byte arrays joined; no spreading, which overflows the call stack on large sections. */
function concat(parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function withCount(content: Uint8Array, extra: ArrayLike<number>[]): Uint8Array {
  const { value: count, next } = readU32(content, 0);
  return concat([u32(count + 1), content.subarray(next), ...extra]);
}

/** A copy of wasm with `data` written at `offset` of memory 0 at instantiation. */
export function appendDataSegment(wasm: Uint8Array, offset: number, data: Uint8Array): Uint8Array {
  const segment = [[0x00, 0x41, ...s32(offset), 0x0b, ...u32(data.length)], data];
  const list = sections(wasm);
  const dataSection = list.find((s) => s.id === 11);
  if (dataSection) dataSection.content = withCount(dataSection.content, segment);
  else {
    const code = list.findIndex((s) => s.id === 10);
    list.splice(code + 1, 0, { id: 11, content: concat([u32(1), ...segment]) });
  }
  const dataCount = list.find((s) => s.id === 12);
  if (dataCount) dataCount.content = withCount(dataCount.content, []);
  return concat([
    wasm.subarray(0, 8),
    ...list.flatMap((s) => [[s.id, ...u32(s.content.length)], s.content]),
  ]);
}

/**
 * The end of the static data the module's active segments write into memory 0 at instantiation
 * (offsets given as i32.const, as this compiler and `opa build` write them): the memory a host
 * gives must hold at least this many bytes, or instantiation fails.
 */
export function activeDataEnd(wasm: Uint8Array): number {
  const data = sections(wasm).find((s) => s.id === 11)?.content;
  if (!data) return 0;
  let { value: count, next: at } = readU32(data, 0);
  let end = 0;
  for (; count > 0; count--) {
    const flags = readU32(data, at);
    at = flags.next;
    if (flags.value === 1) {
      const passive = readU32(data, at);
      at = passive.next + passive.value;
      continue;
    }
    if (flags.value === 2) at = readU32(data, at).next;
    let offset: number | undefined;
    if (data[at] === 0x41) {
      const read = readS32(data, at + 1);
      offset = read.value;
      at = read.next;
    } else {
      while (data[at] !== 0x0b && at < data.length) at++;
    }
    at++; // end of the offset expression
    const size = readU32(data, at);
    at = size.next + size.value;
    if (offset !== undefined) end = Math.max(end, offset + size.value);
  }
  return end;
}

function readS32(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let i = at;
  let b: number;
  do {
    b = bytes[i++] ?? 0;
    value |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80 && shift < 35);
  if (shift < 32 && b & 0x40) value |= ~0 << shift;
  return { value, next: i };
}
