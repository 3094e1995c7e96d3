// Linear-memory ownership for the Rego runtime: one bump allocator whose pointer the OPA SDK
// saves and restores (`opa_heap_ptr_get/set`) so data stays loaded while every evaluation
// starts from the same heap mark. Nothing is ever freed; an evaluation's garbage goes at reset.
// The memory grows by at least half its size at a time, not by the pages one allocation needs:
// each `memory.grow` costs the host about 2 ms here (Node 20), and page-at-a-time growth to
// 76 MiB made the first evaluation of 1,600 security groups take 3.2 s instead of 0.57 s (the
// memory stays grown, so later evaluations took 0.46 s either way). Near the 2 GiB maximum the
// step halves until it fits, rather than dropping to page-at-a-time growth.

@external("env", "opa_abort")
export declare function opa_abort(message: usize): void;

@external("env", "opa_println")
export declare function opa_println(message: usize): void;

// The emitter sets this global's initial value to the end of the policy's static data;
// 0 (the runtime alone) means "right after the runtime's own data".
export let rt_heap_start: usize = 0;

let heapTop: usize = 0;

function heapPointer(): usize {
  if (heapTop == 0) heapTop = ((rt_heap_start != 0 ? rt_heap_start : __heap_base) + 7) & ~7;
  return heapTop;
}

export function opa_heap_ptr_get(): usize {
  return heapPointer();
}

// Counts heap resets: whatever was allocated before one may since have been overwritten, so a
// value that caches a pointer into the heap (a table's key order) checks it was made since.
let generation: u32 = 0;

export function heapGeneration(): u32 {
  return generation;
}

export function opa_heap_ptr_set(ptr: usize): void {
  heapTop = ptr;
  generation++;
}

export function opa_malloc(size: usize): usize {
  const ptr = heapPointer();
  const end = (ptr + size + 7) & ~7;
  const available = (<usize>memory.size()) << 16;
  if (end > available) {
    const pages = <i32>((end - available + 0xffff) >> 16);
    // Near the maximum, half the size may not fit: halve the step down to what is needed.
    let ahead = max(pages, memory.size() >> 1);
    while (memory.grow(ahead) < 0) {
      if (ahead == pages)
        abortStatic("eval_memory_error: out of memory (the Wasm memory maximum was reached)");
      ahead = max(pages, ahead >> 1);
    }
  }
  heapTop = end;
  return ptr;
}

export function opa_free(_ptr: usize): void {}

export function copyBytes(dst: usize, src: usize, len: usize): void {
  memory.copy(dst, src, len);
}

// Abort messages are built here rather than on the heap, which may be what ran out.
export const ABORT_BUFFER_SIZE: usize = 4096;
export const abortBuffer = memory.data(<i32>ABORT_BUFFER_SIZE, 8);

/** Aborts with a message from a static AssemblyScript string (ASCII only). */
export function abortStatic(message: string): void {
  const len = min(<usize>message.length, ABORT_BUFFER_SIZE - 1);
  for (let i: usize = 0; i < len; i++) store<u8>(abortBuffer + i, <u8>message.charCodeAt(<i32>i));
  store<u8>(abortBuffer + len, 0);
  opa_abort(abortBuffer);
  unreachable();
}

/** End of the runtime's static data (zero-filled tables included): the emitter puts constants here. */
export const rt_static_end: usize = __heap_base;
