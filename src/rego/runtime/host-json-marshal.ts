// Go's encoding/json output for Rego values, as OPA's host-side builtins write JSON: keys sorted
// by bytes, `<`, `>`, `&`, U+2028 and U+2029 escaped, sets as arrays. `json.marshal_with_options`
// adds MarshalIndent's layout (a prefix before every line, an indent per level).
import { isObject, typeName } from "./host-operands.js";
import {
  OperandTypeError,
  RegoNumber,
  RegoSet,
  type HostFunction,
  type HostValue,
} from "./host-value.js";

interface Layout {
  prefix: string;
  indent: string;
}

function goString(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** json.Marshal, or json.MarshalIndent when a layout is given (its first line unprefixed). */
export function goJson(value: HostValue, layout?: Layout, depth = 0): string {
  if (value instanceof RegoNumber) return value.text;
  if (typeof value === "string") return goString(value);
  const items: string[] | undefined =
    value instanceof RegoSet
      ? value.elements.map((item) => goJson(item, layout, depth + 1))
      : Array.isArray(value)
        ? value.map((item) => goJson(item, layout, depth + 1))
        : undefined;
  const open = items ? "[" : "{";
  const close = items ? "]" : "}";
  let parts = items;
  if (!parts && isObject(value)) {
    const separator = layout ? ": " : ":";
    parts = Object.keys(value)
      .sort(byteOrder)
      .map((k) => `${goString(k)}${separator}${goJson(value[k] as HostValue, layout, depth + 1)}`);
  }
  if (!parts) return JSON.stringify(value);
  if (!layout || parts.length === 0) return `${open}${parts.join(",")}${close}`;
  const line = (level: number) => `\n${layout.prefix}${layout.indent.repeat(level)}`;
  return `${open}${parts.map((part) => line(depth + 1) + part).join(",")}${line(depth)}${close}`;
}

/** OPA's options: `pretty` (a boolean) decides; without it, `prefix` or `indent` imply it. */
function marshalWithOptions(value: HostValue | undefined, options: HostValue | undefined): string {
  if (!isObject(options))
    throw new OperandTypeError(`operand 2 must be object but got ${typeName(options)}`);
  const layout: Layout = { prefix: "", indent: "\t" };
  let implied = false;
  let pretty: boolean | undefined;
  for (const [key, option] of Object.entries(options)) {
    if (key === "prefix" || key === "indent") {
      if (typeof option !== "string")
        throw new OperandTypeError(`operand 2 key ${key} failed cast to string`);
      layout[key] = option;
      implied = true;
    } else if (key === "pretty") {
      if (typeof option !== "boolean")
        throw new OperandTypeError(`operand 2 key ${key} failed cast to bool`);
      pretty = option;
    } else throw new OperandTypeError(`operand 2 object contained unknown key ${key}`);
  }
  const document = value ?? null;
  return (pretty ?? implied) ? layout.prefix + goJson(document, layout) : goJson(document);
}

export const jsonMarshalDefinitions: Record<string, { arity: number; fn: HostFunction }> = {
  "json.marshal_with_options": { arity: 2, fn: marshalWithOptions },
};
