// Terraform's `upper`, `lower` and `title`, which map case one character at a time as Go's
// strings.ToUpper, strings.ToLower and strings.Title do (Unicode's simple mappings). JavaScript's
// toUpperCase applies the special ones ("ß" to "SS", a final "Σ" to "ς"), which Terraform does not.

/** Go's unicode.ToTitle where it differs from the upper case: the digraphs' title forms. */
const TITLE_CASE: Record<string, string> = {
  Ǆ: "ǅ",
  ǅ: "ǅ",
  ǆ: "ǅ",
  Ǉ: "ǈ",
  ǈ: "ǈ",
  ǉ: "ǈ",
  Ǌ: "ǋ",
  ǋ: "ǋ",
  ǌ: "ǋ",
  Ǳ: "ǲ",
  ǲ: "ǲ",
  ǳ: "ǲ",
};

function upperCharacter(char: string): string {
  const upper = char.toUpperCase();
  // Several characters: a special mapping, which Go's simple one does not make.
  return [...upper].length === 1 ? upper : char;
}

function lowerCharacter(char: string): string {
  // "İ" is the one character whose lower case is several ("i̇"); its simple mapping is "i".
  return [...char.toLowerCase()][0] ?? char;
}

export function upperCase(text: string): string {
  return Array.from(text, upperCharacter).join("");
}

export function lowerCase(text: string): string {
  return Array.from(text, lowerCharacter).join("");
}

/** Go's strings.Title separators: ASCII other than letters, digits and "_"; beyond ASCII, spaces. */
function isSeparator(char: string): boolean {
  if (char.charCodeAt(0) <= 0x7f) return !/[0-9A-Za-z_]/.test(char);
  if (/[\p{L}\p{Nd}]/u.test(char)) return false;
  return /\s/u.test(char);
}

/** Go's strings.Title: the first character after a separator in title case, the rest untouched. */
export function titleCase(text: string): string {
  let previous = " ";
  return Array.from(text, (char) => {
    const mapped = isSeparator(previous) ? (TITLE_CASE[char] ?? upperCharacter(char)) : char;
    previous = char;
    return mapped;
  }).join("");
}
