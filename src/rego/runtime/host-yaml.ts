// yaml.marshal's numbers as OPA writes them. OPA encodes the value as JSON, numbers as their text,
// and has go-yaml read that JSON back (sigs.k8s.io/yaml JSONToYAML) before writing YAML: an integer
// an int64 or a uint64 holds stays that integer, any other number becomes a float64 written by Go's
// strconv.FormatFloat(f, 'g', -1, 64), and a number no float64 holds (`1e400`) stays its text.
import { stringify, type ScalarTag } from "yaml";
import { isObject } from "./host-operands.js";
import { RegoNumber, RegoSet, type HostValue } from "./host-value.js";

/** A number's YAML text, already written as go-yaml writes it. */
class YamlNumber {
  constructor(readonly text: string) {}
}

/** Writes a YamlNumber as its text, untagged, where the yaml library would write a JS number. */
const yamlNumberTag: ScalarTag = {
  identify: (value) => value instanceof YamlNumber,
  default: true,
  tag: "tag:yaml.org,2002:float",
  // Only written, never read: yaml.unmarshal parses with the library's own tags.
  resolve: (text) => text,
  stringify: ({ value }) => (value as YamlNumber).text,
};

const INT64_MIN = -(2n ** 63n);
const UINT64_END = 2n ** 64n;

/** YAML text of a value; sets become sequences (in the order the runtime sorted them). */
export function yamlMarshal(value: HostValue): string {
  return stringify(toYamlValue(value), { customTags: [yamlNumberTag] });
}

function toYamlValue(v: HostValue): unknown {
  if (v instanceof RegoSet) return v.elements.map(toYamlValue);
  if (v instanceof RegoNumber) return new YamlNumber(goYamlNumber(v.text));
  if (typeof v === "number")
    return new YamlNumber(goYamlNumber(Number.isInteger(v) ? BigInt(v).toString() : String(v)));
  if (Array.isArray(v)) return v.map(toYamlValue);
  if (isObject(v))
    return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, toYamlValue(item)]));
  return v;
}

/** What go-yaml writes for a number read from its JSON text (`text`). */
export function goYamlNumber(text: string): string {
  if (/^-?\d+$/.test(text)) {
    const integer = BigInt(text);
    if (integer >= INT64_MIN && integer < UINT64_END) return integer.toString();
  }
  const float = Number(text);
  // Go's ParseFloat fails with ErrRange past the largest float64: go-yaml keeps the text.
  if (!Number.isFinite(float)) return text;
  return goFormatFloat(float);
}

/**
 * Go's strconv.FormatFloat(f, 'g', -1, 64): the shortest digits that read back as `f`, in
 * exponent form (`1.2345675e+06`, `1e-05`, two exponent digits at least) when the exponent is
 * below -4 or at least 6, else plain.
 */
function goFormatFloat(f: number): string {
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const [mantissa = "", exponentText = "0"] = f.toExponential().split("e");
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 6) return String(f);
  const digits = Math.abs(exponent).toString().padStart(2, "0");
  return `${mantissa}e${exponent < 0 ? "-" : "+"}${digits}`;
}
