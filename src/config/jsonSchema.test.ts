import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { describe, expect, it } from "vitest";
import { settingsJsonSchema } from "./index.js";

describe("settingsJsonSchema", () => {
  // `npx vitest run -u src/config/jsonSchema.test.ts` rewrites the published file after a schema change.
  it("is what schema/tollgate.schema.json publishes", async () => {
    // Formatted with the repository's prettier settings, so `npm run format:check` agrees.
    const published = "../../schema/tollgate.schema.json";
    const options = await resolveConfig(fileURLToPath(new URL(published, import.meta.url)));
    const text = await format(JSON.stringify(settingsJsonSchema()), { ...options, parser: "json" });
    await expect(text).toMatchFileSnapshot(published);
  });

  it("describes the settings a file may hold, keeping today's keys", () => {
    const schema = settingsJsonSchema() as {
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    expect(Object.keys(schema.properties).sort()).toEqual([
      "break_glass",
      "cloudformation",
      "enforcement",
      "fail_on",
      "import_adopts",
      "locked",
      "on_error",
      "overrides",
      "policies",
      "rule_settings",
      "terraform",
      "unread_modules",
      "version",
      "waivers",
    ]);
    expect(schema.additionalProperties).toBe(false);
  });
});
