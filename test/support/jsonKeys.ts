// Keys repeated within one JSON object. `JSON.parse` keeps the last value of a repeated key without
// a word, so a log line with two "name" keys parses fine; this reads the text itself.

/** Each key that appears more than once in one object of `text`, as a path (`name`, `req.headers.host`). */
export function repeatedKeys(text: string): string[] {
  JSON.parse(text); // valid JSON first: the scan below trusts the syntax
  const repeated: string[] = [];
  let at = 0;
  const skipSpace = () => {
    while (/\s/.test(text.charAt(at))) at++;
  };
  const readString = (): string => {
    const start = at++;
    while (text[at] !== '"') at += text[at] === "\\" ? 2 : 1;
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const readValue = (path: string): void => {
    skipSpace();
    const first = text[at];
    if (first === '"') readString();
    else if (first === "{" || first === "[") {
      at++;
      skipSpace();
      const close = first === "{" ? "}" : "]";
      const keys = new Set<string>();
      while (text[at] !== close) {
        if (first === "{") {
          const key = readString();
          if (keys.has(key)) repeated.push(path + key);
          keys.add(key);
          skipSpace();
          at++; // the colon
          readValue(`${path}${key}.`);
        } else readValue(`${path}[].`);
        skipSpace();
        if (text[at] === ",") at++;
        skipSpace();
      }
      at++;
    } else while (at < text.length && !/[\s,\]}]/.test(text.charAt(at))) at++;
  };
  readValue("");
  return repeated;
}
