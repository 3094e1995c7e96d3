// Adds the policy's constants to the emitted module by editing its binary: a passive data segment
// that the module's start function copies into memory after growing the memory to hold it.
// Hand-written because binaryen.js 132 cannot add a segment to a module read from a binary without
// replacing the memory, and that path crashes its validator on modules with an imported memory.
//
// Why passive, with numbers: the built-in library holds 491 KB of constants, ending 8.0 pages
// into memory with the runtime's own data. As an active segment (what `opa build` writes, with
// that many pages as the memory import's minimum) they do not fit the 5 pages the OPA SDK's
// `loadPolicy(wasm)` gives by default, and instantiation fails ("data segment is out of bounds").
// Copied in by the start function, they load with the SDK's defaults at any size up to the
// memory's maximum: the memory grows from 5 pages to 8 at instantiation, and instantiating the
// compiled library takes about 1 ms either way. Shrinking the constants instead would not have
// kept them under 5 pages: 332 KB of the 491 are its 2,004 conflict messages, and with their
// locations taken off 1,263 distinct texts of 208 KB remain, since each names the rule's other
// definitions.

export function readU32(bytes: Uint8Array, at: number): { value: number; next: number } {
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

export function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

export function s32(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

export interface Section {
  id: number;
  content: Uint8Array;
}

export function sections(wasm: Uint8Array): Section[] {
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
export function concat(parts: ArrayLike<number>[]): Uint8Array {
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

const PAGE = 65_536;

/** Function imports in order, as `module.name`, from the Import section's content. */
function functionImports(content: Uint8Array): string[] {
  const names: string[] = [];
  const text = new TextDecoder();
  let { value: count, next: at } = readU32(content, 0);
  for (; count > 0; count--) {
    const name: string[] = [];
    for (let part = 0; part < 2; part++) {
      const length = readU32(content, at);
      name.push(text.decode(content.subarray(length.next, length.next + length.value)));
      at = length.next + length.value;
    }
    const kind = content[at++];
    if (kind === 0x00) {
      names.push(name.join("."));
      at = readU32(content, at).next;
    } else if (kind === 0x01 || kind === 0x02) {
      // table (reftype first) or memory: limits, with a maximum when flag bit 0 is set
      if (kind === 0x01) at++;
      const flags = content[at++]!;
      at = readU32(content, at).next;
      if (flags & 1) at = readU32(content, at).next;
    } else if (kind === 0x03) {
      at += 2; // value type, mutability
    } else throw new Error(`unexpected import kind ${kind} in Wasm module`);
  }
  return names;
}

const countOf = (section: Section | undefined): number =>
  section ? readU32(section.content, 0).value : 0;

/** Where a section with this id goes among the known ones (the binary format's fixed order). */
const SECTION_ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

function insertSection(list: Section[], section: Section): void {
  const rank = SECTION_ORDER.indexOf(section.id);
  const after = list.findIndex((s) => SECTION_ORDER.indexOf(s.id) > rank);
  list.splice(after < 0 ? list.length : after, 0, section);
}

function setSection(list: Section[], id: number, content: Uint8Array): void {
  const known = list.find((s) => s.id === id);
  if (known) known.content = content;
  else insertSection(list, { id, content });
}

/**
 * A copy of `wasm` that writes `constants` at `offset` of memory 0 when it is instantiated: its
 * start function grows the memory to the pages they end in (when it has fewer), copies them in
 * from a passive segment and drops the segment, then runs the module's own start function. If
 * the memory's maximum is too low to grow, it calls `opa_abort` with a message saying how many
 * pages the constants need, which the SDK throws from `loadPolicy`.
 */
export function addConstants(wasm: Uint8Array, offset: number, constants: Uint8Array): Uint8Array {
  const list = sections(wasm);
  const section = (id: number) => list.find((s) => s.id === id);
  const pages = Math.ceil((offset + constants.length) / PAGE);
  const message = new TextEncoder().encode(
    `eval_memory_error: the policy's constants need ${pages} memory pages, ` +
      "more than the memory's maximum\0",
  );
  // The message is written by an active segment where the constants go, so it is there before
  // the start function runs (the memory import asks for one page at least).
  if (offset + message.length > PAGE)
    throw new Error("internal error: the runtime's static data leaves no room in the first page");

  const imports = functionImports(section(2)?.content ?? new Uint8Array([0]));
  const abort = imports.indexOf("env.opa_abort");
  if (abort < 0) throw new Error("internal error: the runtime does not import env.opa_abort");
  const typeIndex = countOf(section(1));
  const functionIndex = imports.length + countOf(section(3));
  const oldStart = section(8) ? readU32(section(8)!.content, 0).value : undefined;
  const segment = countOf(section(11));
  const i32 = (n: number) => [0x41, ...s32(n)];
  const body = [
    0x00, // no locals
    ...[0x3f, 0x00, ...i32(pages), 0x49, 0x04, 0x40], // if memory.size < pages
    ...[...i32(pages), 0x3f, 0x00, 0x6b, 0x40, 0x00], //   memory.grow(pages - memory.size)
    ...[...i32(-1), 0x46, 0x04, 0x40], //                   if that failed
    ...[...i32(offset), 0x10, ...u32(abort), 0x00, 0x0b, 0x0b], // opa_abort(message)
    ...[...i32(offset), ...i32(0), ...i32(constants.length)],
    ...[0xfc, 0x08, ...u32(segment), 0x00], // memory.init
    ...[0xfc, 0x09, ...u32(segment)], // data.drop
    ...(oldStart === undefined ? [] : [0x10, ...u32(oldStart)]),
    0x0b,
  ];

  const append = (id: number, entry: ArrayLike<number>[]) =>
    setSection(
      list,
      id,
      section(id) ? withCount(section(id)!.content, entry) : concat([u32(1), ...entry]),
    );
  append(1, [[0x60, 0x00, 0x00]]);
  append(3, [u32(typeIndex)]);
  append(10, [u32(body.length), body]);
  setSection(list, 8, Uint8Array.from(u32(functionIndex)));
  const passive = [[0x01, ...u32(constants.length)], constants];
  const note = [[0x00, ...i32(offset), 0x0b, ...u32(message.length)], message];
  append(11, passive);
  setSection(list, 11, withCount(section(11)!.content, note));
  setSection(list, 12, Uint8Array.from(u32(segment + 2)));
  return concat([
    wasm.subarray(0, 8),
    ...list.flatMap((s) => [[s.id, ...u32(s.content.length)], s.content]),
  ]);
}

/**
 * The end of the static data the module's active segments write into memory 0 at instantiation
 * (offsets given as i32.const, as `opa build` and Tollgate before `addConstants` write them): the
 * memory a host gives must hold at least this many bytes, or instantiation fails. A module from
 * `addConstants` has only a few bytes there; its start function grows the memory it needs.
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

export function readS32(bytes: Uint8Array, at: number): { value: number; next: number } {
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
