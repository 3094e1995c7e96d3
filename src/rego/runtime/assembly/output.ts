// A growing byte buffer on the heap, for the text the runtime writes: JSON dumps (json.ts) and
// sprintf (sprintf.ts). Each writer keeps its own, since sprintf formats numbers through json.ts
// in the middle of a directive and one shared buffer would be restarted under it.

import { opa_malloc, copyBytes } from "./memory";
import { makeString } from "./value";

@unmanaged
export class Output {
  /** Where the bytes start; they move when the buffer grows. */
  data: usize = 0;
  length: i32 = 0;
  capacity: i32 = 0;

  /** Drops what was written and starts again in fresh heap memory. */
  begin(capacity: i32): void {
    this.data = opa_malloc(<usize>capacity);
    this.length = 0;
    this.capacity = capacity;
  }

  /** Makes room for n more bytes. */
  reserve(n: i32): void {
    if (this.length + n <= this.capacity) return;
    let capacity = this.capacity * 2;
    while (capacity < this.length + n) capacity *= 2;
    const grown = opa_malloc(<usize>capacity);
    copyBytes(grown, this.data, <usize>this.length);
    this.data = grown;
    this.capacity = capacity;
  }

  /** The address of byte i. */
  at(i: i32): usize {
    return this.data + <usize>i;
  }

  put(c: i32): void {
    this.reserve(1);
    store<u8>(this.data + <usize>this.length, <u8>c);
    this.length++;
  }

  putBytes(p: usize, n: i32): void {
    this.reserve(n);
    copyBytes(this.data + <usize>this.length, p, <usize>n);
    this.length += n;
  }

  /** An ASCII string constant. */
  putStatic(s: string): void {
    const n = s.length;
    this.reserve(n);
    const p = this.data + <usize>this.length;
    for (let i = 0; i < n; i++) store<u8>(p + <usize>i, <u8>s.charCodeAt(i));
    this.length += n;
  }

  /** Everything written, as a string value (the buffer keeps it: begin again before reuse). */
  text(): usize {
    return makeString(this.data, this.length);
  }

  /** The bytes written since start, as a fresh string value; the buffer drops them. */
  takeFrom(start: i32): usize {
    const n = this.length - start;
    const p = opa_malloc(<usize>n);
    copyBytes(p, this.data + <usize>start, <usize>n);
    this.length = start;
    return makeString(p, n);
  }
}

/** A buffer whose header is on the heap too, for a writer that nests one inside its own. */
export function newOutput(capacity: i32): Output {
  const buffer = changetype<Output>(opa_malloc(offsetof<Output>()));
  buffer.begin(capacity);
  return buffer;
}
