// What loaders read: repository files already fetched (from disk, git or GitHub) and checked
// for size, binary content and encoding by the fetch stage, so every loader is a pure function.

export interface SourceFile {
  /** Repository-relative path with forward slashes (`modules/net/main.tf`). */
  path: string;
  text: string;
}
