// The Rego Wasm runtime: OPA's Wasm ABI 1.2 exports (allocator, JSON in and out) plus the
// value operations and native builtins the emitter calls from compiled plans. Built with
// AssemblyScript (`--runtime stub`, imported memory); see src/rego/runtime/index.ts for
// why and for the measured size and speed.

import { opa_abort, abortStatic, opa_heap_ptr_set as setHeapPointer } from "./memory";
import {
  STRING,
  ARRAY,
  OBJECT,
  SET,
  typeOf,
  rt_number_int,
  rt_set,
  rt_set_add,
  tablePut,
  tableFind,
  tableLen,
  entryKey,
  entryValue,
  entryOrder,
  orderedEntry,
  arrLen,
  arrGet,
  strLen,
  strPtr,
  valueEqual,
  copyTable,
  objectGet,
  makeObjectSized,
} from "./value";
import { parseJson, dumpValue, parseNumberText, setDecodeTaggedSets } from "./json";
import { abortLocated, builtinErrorsAreStrict } from "./errors";
import { b_count } from "./builtins";

export {
  opa_heap_ptr_get,
  opa_heap_ptr_set,
  opa_malloc,
  opa_free,
  rt_heap_start,
  rt_static_end,
} from "./memory";
export {
  rt_null,
  rt_boolean,
  rt_number_int,
  rt_array,
  rt_object,
  rt_set,
  rt_array_append,
  rt_object_insert,
  rt_set_add,
} from "./value";
export { rt_set_location, rt_set_strict } from "./errors";
export * from "./builtins";
export * from "./strings";
export * from "./sprintf";
export * from "./net";
export * from "./glob";
export * from "./regex";

export const opa_wasm_abi_version: i32 = 1;
export const opa_wasm_abi_minor_version: i32 = 2;

// ---- ABI: JSON in and out ----

let hostCall = false;

export function opa_json_parse(addr: usize, len: usize): usize {
  return parseJson(addr, len);
}

export function opa_value_parse(addr: usize, len: usize): usize {
  return parseJson(addr, len);
}

export function opa_json_dump(v: usize): usize {
  return dumpValue(v, hostCall);
}

export function opa_value_dump(v: usize): usize {
  return dumpValue(v, hostCall);
}

// ---- evaluation frame ----

let resultSet: usize = 0;

export function rt_eval_begin(heapPtr: usize): void {
  setHeapPointer(heapPtr);
  resultSet = rt_set();
  hostCall = false;
  setDecodeTaggedSets(false);
}

export function rt_parse_input(addr: usize, len: usize): usize {
  if (addr == 0 || len == 0) return 0;
  const v = parseJson(addr, len);
  if (v == 0) abortStatic("eval_input_error: input is not valid JSON");
  return v;
}

export function rt_result_add(row: usize): void {
  rt_set_add(resultSet, row);
}

export function rt_result_dump(): usize {
  return dumpValue(resultSet, false);
}

export function rt_abort(message: usize): void {
  opa_abort(message);
  unreachable();
}

// ---- statements ----

/** Value type code (null 1 .. set 7), 0 for undefined. */
export function rt_type(v: usize): i32 {
  return v == 0 ? 0 : typeOf(v);
}

export function rt_equal(a: usize, b: usize): i32 {
  return <i32>(a != 0 && b != 0 && valueEqual(a, b));
}

export function rt_len(v: usize): usize {
  return v == 0 ? 0 : b_count(v);
}

/**
 * Iteration: count of keys, then key/value by position: array index, or for objects and sets
 * the position in Rego order of the keys (OPA's order), not the order of insertion.
 */
export function rt_scan_count(v: usize): i32 {
  switch (rt_type(v)) {
    case ARRAY:
      return arrLen(v);
    case OBJECT:
    case SET:
      return tableLen(v);
    default:
      return 0;
  }
}

export function rt_scan_key(v: usize, i: i32): usize {
  return typeOf(v) == ARRAY ? rt_number_int(i) : entryKey(v, orderedEntry(entryOrder(v), i));
}

export function rt_scan_value(v: usize, i: i32): usize {
  return typeOf(v) == ARRAY ? arrGet(v, i) : entryValue(v, orderedEntry(entryOrder(v), i));
}

/** 1 when inserted or already present with an equal value, 0 on a conflicting value. */
export function rt_object_insert_once(obj: usize, key: usize, value: usize): i32 {
  const i = tableFind(obj, key);
  if (i >= 0) return <i32>valueEqual(entryValue(obj, i), value);
  tablePut(obj, key, value);
  return 1;
}

/**
 * Deep merge of two objects; an empty object merges with any value into that value. 0 when a
 * shared key holds two different non-object values, or a non-object meets a non-empty object.
 */
export function rt_object_merge(a: usize, b: usize): usize {
  if (a == 0 || b == 0) return 0;
  if (rt_type(b) == OBJECT && tableLen(b) == 0) return a;
  if (rt_type(a) == OBJECT && tableLen(a) == 0) return b;
  if (rt_type(a) != OBJECT || rt_type(b) != OBJECT) return 0;
  const r = copyTable(a);
  const n = tableLen(b);
  for (let i = 0; i < n; i++) {
    const k = entryKey(b, i);
    const vb = entryValue(b, i);
    const va = objectGet(a, k);
    if (va == 0) tablePut(r, k, vb);
    else if (typeOf(va) == OBJECT && typeOf(vb) == OBJECT) {
      const m = rt_object_merge(va, vb);
      if (m == 0) return 0;
      tablePut(r, k, m);
    } else if (!valueEqual(va, vb)) return 0;
  }
  return r;
}

/** A copy of doc with the value at path (n string values at keys) replaced; doc is untouched. */
export function rt_upsert(doc: usize, keys: usize, n: i32, value: usize): usize {
  if (n == 0) return value;
  const key = <usize>load<i32>(keys);
  const base = rt_type(doc) == OBJECT ? copyTable(doc) : makeObjectSized(1);
  const child = rt_type(doc) == OBJECT ? objectGet(doc, key) : 0;
  tablePut(base, key, rt_upsert(child, keys + 4, n - 1, value));
  return base;
}

/** A number from its decimal text (MakeNumberRef). */
export function rt_number_ref(text: usize): usize {
  const v = parseNumberText(strPtr(text), strLen(text));
  if (v == 0) abortStatic("eval_internal_error: invalid number constant");
  return v;
}

// ---- host builtins ----

/** Before a host call: sets dump tagged so they come back as sets. */
export function rt_host_begin(): void {
  hostCall = true;
  setDecodeTaggedSets(true);
}

/**
 * After a host call: a `{"__tollgate_error__": message}` result is the host's way of reporting
 * a thrown error (host.ts wraps every function), turned here into a located builtin error.
 */
export function rt_host_end(result: usize): usize {
  hostCall = false;
  setDecodeTaggedSets(false);
  if (result != 0 && typeOf(result) == OBJECT && tableLen(result) == 1) {
    const key = entryKey(result, 0);
    const message = entryValue(result, 0);
    if (typeOf(message) == STRING) {
      if (!builtinErrorsAreStrict() && (isTag(key, "__tollgate_error__") || isTag(key, "__tollgate_type_error__"))) return 0;
      if (isTag(key, "__tollgate_error__")) abortLocated("eval_builtin_error", strPtr(message), strLen(message));
      if (isTag(key, "__tollgate_type_error__")) abortLocated("eval_type_error", strPtr(message), strLen(message));
    }
  }
  return result;
}

function isTag(key: usize, tag: string): bool {
  if (typeOf(key) != STRING) return false;
  const n = tag.length;
  if (strLen(key) != n) return false;
  const p = strPtr(key);
  for (let i = 0; i < n; i++) if (load<u8>(p + i) != <u8>tag.charCodeAt(i)) return false;
  return true;
}

export function rt_not_equal(a: usize, b: usize): i32 {
  return <i32>(a != 0 && b != 0 && !valueEqual(a, b));
}
