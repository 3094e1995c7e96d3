// Whether a file too large to load may still be a CloudFormation template, from its first bytes:
// CloudFormation refuses a template holding any top-level key that is not one of its sections,
// so a document whose first key is another name (`name` in package-lock.json, `version` in a CDK
// tree.json) is not one. Nothing else is read, so the fetch stage can decide before loading.

/** Every top-level key CloudFormation accepts (SAM's `Globals` too). */
const TEMPLATE_SECTIONS = new Set([
  "AWSTemplateFormatVersion",
  "Description",
  "Metadata",
  "Parameters",
  "Rules",
  "Mappings",
  "Conditions",
  "Transform",
  "Resources",
  "Outputs",
  "Hooks",
  "Globals",
]);

/**
 * A first key: quoted (either quote; JSON writes `"key":value`), or plain, whose `:` YAML wants
 * followed by a space or a line end.
 */
const QUOTED_OR_PLAIN_KEY =
  /^(?:"((?:[^"\\\n]|\\.)*)"[ \t]*:|'((?:[^'\n]|'')*)'[ \t]*:|([A-Za-z0-9_][^:#\n{}[\],"']*?)[ \t]*:(?:[ \t\r\n]|$))/;

/**
 * False when the text, of which `head` is the beginning, cannot be a template: its first top-level
 * key is no section, or it is no mapping. True when it may be one, or when the beginning does not
 * say (anchors, tags, complex keys, a first key past `head`): the caller then fails closed.
 */
export function mayBeTemplate(head: string): boolean {
  let rest = head.replace(/^\uFEFF/, "");
  for (;;) {
    rest = rest.replace(/^[ \t\r\n]+/, "");
    if (rest.startsWith("#") || rest.startsWith("%")) {
      const lineEnd = rest.indexOf("\n");
      if (lineEnd === -1) return true;
      rest = rest.slice(lineEnd + 1);
    } else if (/^---(?:[ \t\r\n]|$)/.test(rest)) rest = rest.slice(3);
    else break;
  }
  if (rest === "") return true;
  if (rest.startsWith("[") || /^-(?:[ \t\r\n]|$)/.test(rest)) return false;
  if (rest.startsWith("{")) {
    rest = rest.slice(1).replace(/^[ \t\r\n]+/, "");
    if (rest.startsWith("}")) return false;
  }
  const key = QUOTED_OR_PLAIN_KEY.exec(rest);
  // An escape could spell a section name (`"\u0052esources"`): the beginning does not say.
  if (key === null || key[1]?.includes("\\")) return true;
  const name = key[1] ?? key[2]?.replace(/''/g, "'") ?? key[3] ?? "";
  return TEMPLATE_SECTIONS.has(name.trim());
}
