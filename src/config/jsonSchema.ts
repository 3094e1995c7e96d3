// The JSON Schema of `.github/tollgate.yml`, generated from the zod schema so editors and the
// parser can never disagree; `schema/tollgate.schema.json` is this, checked by a test.
import { z } from "zod";
import { settingsFileSchema } from "./schema.js";

/** The input side: what a file may say, with the defaults a merge fills in left optional. */
export function settingsJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(settingsFileSchema, { io: "input", target: "draft-2020-12" });
}
