// Terraform's `yamldecode`, which reads YAML as go-cty-yaml does (a port of go-yaml v2): the core
// schema's numbers and nulls, but YAML 1.1's booleans (`yes`, `on`, `y` and their negatives) and
// timestamps (written back as RFC 3339 strings), `<<` merge keys, the last of duplicate keys, and one
// document only.
import { parseDocument, type ScalarTag } from "yaml";
import type { Value } from "../../model/types.js";
import { EvaluationError } from "./values.js";

const BOOL_TAG = "tag:yaml.org,2002:bool";

const yaml11True: ScalarTag = {
  tag: BOOL_TAG,
  default: true,
  identify: (value) => value === true,
  test: /^(?:y|Y|yes|Yes|YES|on|On|ON)$/,
  resolve: () => true,
};

const yaml11False: ScalarTag = {
  tag: BOOL_TAG,
  default: true,
  identify: (value) => value === false,
  test: /^(?:n|N|no|No|NO|off|Off|OFF)$/,
  resolve: () => false,
};

// go-yaml v2's timestamp layouts: a date, a date and time with a zone after "T", or a date and
// time without a zone after a space ("2006-1-2T15:4:5.999999999Z07:00", "2006-1-2 15:4:5.999999999").
const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?))?$/;

/** The RFC 3339 form Go's `time.Format(time.RFC3339)` writes, or undefined for no valid time. */
function rfc3339(text: string): string | undefined {
  const match = TIMESTAMP.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  const [hour, minute, second] = [
    match[4] ?? match[8],
    match[5] ?? match[9],
    match[6] ?? match[10],
  ].map((part) => Number(part ?? 0)) as [number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const zone = match[7];
  const offset = zone === undefined || zone === "Z" || /^[+-]00:00$/.test(zone) ? "Z" : zone;
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${year}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}${offset}`;
}

const timestamp: ScalarTag = {
  tag: "tag:yaml.org,2002:timestamp",
  default: true,
  identify: () => false,
  test: TIMESTAMP,
  // Text that looks like a timestamp but is no valid time stays a string, as in go-yaml.
  resolve: (text) => rfc3339(text) ?? text,
};

/** Terraform's numbers cannot hold NaN: its YAML decoder fails on `.nan`. */
function noNaN(_key: unknown, value: unknown): unknown {
  if (typeof value === "number" && Number.isNaN(value))
    throw new EvaluationError(
      "yamldecode: floating point NaN is not supported",
      "terraform-argument",
      true,
    );
  return value;
}

export function decodeYaml(text: string): Value {
  const document = parseDocument(text, {
    schema: "core",
    customTags: (tags) => [yaml11True, yaml11False, timestamp, ...tags],
    uniqueKeys: false,
    merge: true,
  });
  const problem = document.errors[0];
  if (problem) throw new EvaluationError(`yamldecode: ${problem.message}`, "terraform-argument");
  if (document.contents === null)
    throw new EvaluationError("yamldecode: missing start of document", "terraform-argument");
  return document.toJS({ reviver: noNaN, maxAliasCount: 100 }) as Value;
}
