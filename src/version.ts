// The release this process runs, as package.json names it, read at run time from the package root:
// one folder above this module under tsx (`src/`), from `dist/` (bin/tollgate.js, the npm package)
// and in the Docker image (`/app/dist` beside `/app/package.json`).
import { readFileSync } from "node:fs";

let version: string | undefined;

/** package.json's `version` ("0" if it has none). */
export function packageVersion(): string {
  version ??=
    (
      JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
        version?: string;
      }
    ).version ?? "0";
  return version;
}
