// Checks a recorded request against GitHub's REST description (@octokit/openapi): the path template
// and method exist, query parameters are declared, and the JSON body satisfies the schema's
// required fields, enums, lengths and item counts, nested objects and arrays included.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  items?: Schema;
  maxItems?: number;
  maxLength?: number;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  additionalProperties?: boolean | Schema;
}

interface Operation {
  parameters?: { $ref?: string; name?: string; in?: string }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

interface Description {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Schema>;
    parameters: Record<string, { name: string; in: string }>;
  };
}

export interface RecordedRequest {
  method: string;
  path: string;
  body?: unknown;
}

const require = createRequire(import.meta.url);
let description: Description | undefined;

function load(): Description {
  description ??= JSON.parse(
    readFileSync(require.resolve("@octokit/openapi/generated/api.github.com.json"), "utf8"),
  ) as Description;
  return description;
}

function resolve<T extends { $ref?: string }>(node: T): T {
  if (!node.$ref) return node;
  const [, , section, name] = node.$ref.split("/");
  const components = load().components as unknown as Record<string, Record<string, T>>;
  const target = components[section ?? ""]?.[name ?? ""];
  if (!target) throw new Error(`unresolved ${node.$ref}`);
  return resolve(target);
}

function templateRegex(template: string): RegExp {
  const pattern = template
    .split("/")
    .map((segment) => (segment === "{path}" ? ".+" : segment.replace(/\{[^}]+\}/g, "[^/]+")))
    .join("/");
  return new RegExp(`^${pattern}$`);
}

/** Problems with one request; empty when GitHub's description allows it. */
export function contractProblems(request: RecordedRequest): string[] {
  const url = new URL(request.path, "https://api.github.com");
  const method = request.method.toLowerCase();
  const candidates = Object.entries(load().paths)
    .filter(([template, item]) => templateRegex(template).test(url.pathname) && item[method])
    .sort(([a], [b]) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
  const [template, item] = candidates[0] ?? [];
  const operation = item?.[method];
  const where = `${request.method} ${url.pathname}`;
  if (!template || !operation) return [`${where}: no such operation in GitHub's REST description`];
  const problems: string[] = [];
  const queryNames = new Set(
    (operation.parameters ?? [])
      .map((p) => resolve(p))
      .filter((p) => p.in === "query")
      .map((p) => p.name),
  );
  for (const name of url.searchParams.keys()) {
    if (!queryNames.has(name))
      problems.push(`${where} (${template}): unknown query parameter '${name}'`);
  }
  const schema = operation.requestBody?.content?.["application/json"]?.schema;
  if (schema && request.body !== undefined) {
    problems.push(...validate(request.body, schema, `${where} body`));
  }
  return problems;
}

function validate(value: unknown, node: Schema, at: string): string[] {
  const schema = resolve(node);
  const problems: string[] = [];
  for (const part of schema.allOf ?? []) problems.push(...validate(value, part, at));
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) {
    const results = alternatives.map((part) => validate(value, part, at));
    if (!results.some((r) => r.length === 0)) problems.push(...(results[0] ?? []));
  }
  if (schema.enum && !schema.enum.includes(value)) {
    problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (
    typeof value === "string" &&
    schema.maxLength !== undefined &&
    value.length > schema.maxLength
  ) {
    problems.push(`${at}: longer than ${schema.maxLength}`);
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      problems.push(`${at}: more than ${schema.maxItems} items`);
    }
    const items = schema.items;
    if (items) value.forEach((item, i) => problems.push(...validate(item, items, `${at}[${i}]`)));
  } else if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in record)) problems.push(`${at}: missing required '${key}'`);
    }
    const closed = schema.properties !== undefined && schema.additionalProperties !== true;
    for (const [key, child] of Object.entries(record)) {
      const property = schema.properties?.[key];
      if (property) problems.push(...validate(child, property, `${at}.${key}`));
      else if (closed) problems.push(`${at}: unknown field '${key}'`);
    }
  }
  return problems;
}
