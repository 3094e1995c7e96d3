// The JSON Schema of `.github/tollgate.yml`, generated from the zod schema so editors and the
// parser can never disagree; `schema/tollgate.schema.json` is this, checked by a test.
import { z } from "zod";
import { settingsFileSchema } from "./schema.js";

export const SETTINGS_SCHEMA_ID = "https://tollgate.dev/schema/tollgate.schema.json";

export function settingsJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(settingsFileSchema, { io: "input", target: "draft-2020-12" }),
    $id: SETTINGS_SCHEMA_ID,
  };
}
