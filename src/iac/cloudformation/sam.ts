// AWS SAM, only as far as a scanner needs: recognising the transform, merging the `Globals`
// section into each `AWS::Serverless::*` resource before evaluation, at the node level, so
// merged-in properties keep the lines where `Globals` writes them, and declaring the implicit
// APIs SAM creates for functions' API events.

import { closestName } from "../../model/spelling.js";
import { asIntrinsic } from "./evaluate.js";
import type { Span, TemplateEntry, TemplateNode, TemplateScalar } from "./parse.js";

const SAM_TRANSFORM = "AWS::Serverless-2016-10-31";

const SAM_NAMESPACE = "Serverless";
const SAM_PREFIX = `AWS::${SAM_NAMESPACE}::`;

/**
 * The resource types the SAM transform defines (its specification's `AWS::Serverless::*`, read in
 * 2026). Only a type close to one of these is reported (`misspeltSamType`), so that a type SAM adds
 * after this list is not.
 */
const SAM_TYPES = [
  "Api",
  "Application",
  "CapacityProvider",
  "Connector",
  "Function",
  "GraphQLApi",
  "HttpApi",
  "LayerVersion",
  "SimpleTable",
  "StateMachine",
  "WebSocketApi",
];

/**
 * Why `type`, written under `AWS::Serverless::` but none of SAM's types, or under a namespace close
 * to `Serverless`, is likely a misspelling of one (`AWS::Serverless::Functon`,
 * `AWS::Serverles::Function`): it would otherwise load as an unknown type no rule reads, and the
 * resources it names as generated would pass as declared. Undefined for SAM's own types and for a
 * type close to none of them, which SAM may have added since.
 */
export function misspeltSamType(type: string): string | undefined {
  if (type.startsWith(SAM_PREFIX)) {
    const meant = closestName(type.slice(SAM_PREFIX.length), SAM_TYPES);
    return meant === undefined
      ? undefined
      : `${type} is not a SAM resource type (${meant} is); no rule reads it`;
  }
  // A misspelt namespace (`AWS::Serverles::Function`, `AWS::ServerLess::Api`) names no type at
  // all: said when what follows it is one of SAM's types, or close to one.
  const [provider, namespace, name, ...rest] = type.split("::");
  if (provider !== "AWS" || namespace === undefined || name === undefined || rest.length > 0)
    return undefined;
  if (closestName(namespace, [SAM_NAMESPACE]) === undefined) return undefined;
  const meant = SAM_TYPES.includes(name) ? name : closestName(name, SAM_TYPES);
  return meant === undefined
    ? undefined
    : `${type} is not a resource type (${SAM_PREFIX}${meant} is); no rule reads it`;
}

/**
 * The properties SAM defines for the types whose properties the loader or the rules read (the SAM
 * specification and its translator's schema, read in 2026): SAM rejects a template writing any
 * other. Only a name close to one of these is reported (`misspeltSamProperties`), so that a
 * property SAM adds after this list is not.
 */
const SAM_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  "AWS::Serverless::Function": [
    "Architectures",
    "AssumeRolePolicyDocument",
    "AutoPublishAlias",
    "AutoPublishAliasAllProperties",
    "AutoPublishCodeSha256",
    "CapacityProviderConfig",
    "CodeSigningConfigArn",
    "CodeUri",
    "DeadLetterQueue",
    "DeploymentPreference",
    "Description",
    "DurableConfig",
    "Environment",
    "EphemeralStorage",
    "EventInvokeConfig",
    "Events",
    "FileSystemConfigs",
    "FunctionName",
    "FunctionScalingConfig",
    "FunctionUrlConfig",
    "Handler",
    "ImageConfig",
    "ImageUri",
    "InlineCode",
    "KmsKeyArn",
    "Layers",
    "LoggingConfig",
    "MemorySize",
    "PackageType",
    "PermissionsBoundary",
    "Policies",
    "PropagateTags",
    "ProvisionedConcurrencyConfig",
    "PublishToLatestPublished",
    "RecursiveLoop",
    "ReservedConcurrentExecutions",
    "Role",
    "RolePath",
    "Runtime",
    "RuntimeManagementConfig",
    "SnapStart",
    "SourceKMSKeyArn",
    "Tags",
    "TenancyConfig",
    "Timeout",
    "Tracing",
    "VersionDeletionPolicy",
    "VersionDescription",
    "VpcConfig",
  ],
  "AWS::Serverless::Api": [
    "AccessLogSetting",
    "AlwaysDeploy",
    "ApiKeySourceType",
    "Auth",
    "BinaryMediaTypes",
    "CacheClusterEnabled",
    "CacheClusterSize",
    "CanarySetting",
    "Cors",
    "DefinitionBody",
    "DefinitionUri",
    "Description",
    "DisableExecuteApiEndpoint",
    "Domain",
    "EndpointConfiguration",
    "FailOnWarnings",
    "GatewayResponses",
    "MergeDefinitions",
    "MethodSettings",
    "MinimumCompressionSize",
    "Mode",
    "Models",
    "Name",
    "OpenApiVersion",
    "Policy",
    "PropagateTags",
    "StageName",
    "Tags",
    "TracingEnabled",
    "Variables",
  ],
  "AWS::Serverless::HttpApi": [
    "AccessLogSettings",
    "Auth",
    "CorsConfiguration",
    "DefaultRouteSettings",
    "DefinitionBody",
    "DefinitionUri",
    "Description",
    "DisableExecuteApiEndpoint",
    "Domain",
    "FailOnWarnings",
    "Name",
    "PropagateTags",
    "RouteSettings",
    "StageName",
    "StageVariables",
    "Tags",
  ],
  "AWS::Serverless::SimpleTable": [
    "PointInTimeRecoverySpecification",
    "PrimaryKey",
    "ProvisionedThroughput",
    "SSESpecification",
    "TableName",
    "Tags",
  ],
  "AWS::Serverless::StateMachine": [
    "AutoPublishAlias",
    "Definition",
    "DefinitionSubstitutions",
    "DefinitionUri",
    "DeploymentPreference",
    "Events",
    "Logging",
    "Name",
    "PermissionsBoundary",
    "Policies",
    "PropagateTags",
    "Role",
    "RolePath",
    "Tags",
    "Tracing",
    "Type",
    "UseAliasAsEventTarget",
  ],
  "AWS::Serverless::Application": [
    "Location",
    "NotificationARNs",
    "Parameters",
    "Tags",
    "TimeoutInMinutes",
  ],
};

/** A property name written where SAM expects one of its own, and why it is reported. */
export interface MisspeltProperty {
  span: Span;
  message: string;
}

/**
 * The properties `properties` (a resource's own, or a `Globals` section's) writes that SAM does not
 * define for `type` but that are close to one it does, case aside (`CodeURI`, `Event`): SAM
 * rejects the template, and no rule reads the property under the name written.
 */
export function misspeltSamProperties(
  type: string,
  properties: TemplateNode | undefined,
): MisspeltProperty[] {
  const known = SAM_PROPERTIES[type];
  if (known === undefined || properties?.kind !== "mapping" || asIntrinsic(properties) !== null)
    return [];
  return properties.entries.flatMap(({ key, keySpan }) => {
    const meant = closestName(key, known);
    return meant === undefined
      ? []
      : [
          {
            span: keySpan,
            message: `${key} is not a property of ${type} (${meant} is); SAM rejects the template, and no rule reads it`,
          },
        ];
  });
}

/** Each `Globals` section's misspelt properties, as `misspeltSamProperties`, named by section. */
export function misspeltSamGlobals(globals: TemplateNode | undefined): MisspeltProperty[] {
  if (globals?.kind !== "mapping") return [];
  return globals.entries.flatMap(({ key, value }) =>
    misspeltSamProperties(`AWS::Serverless::${key}`, value).map((problem) => ({
      ...problem,
      message: `Globals.${key}: ${problem.message}`,
    })),
  );
}

export function declaresSamTransform(transform: TemplateNode | undefined): boolean {
  if (transform === undefined) return false;
  const names = transform.kind === "sequence" ? transform.items : [transform];
  return names.some((name) => name.kind === "scalar" && name.value === SAM_TRANSFORM);
}

/** `Globals.Function` applies to `AWS::Serverless::Function`, `Globals.Api` to `...::Api`, and so on. */
export function globalsFor(
  globals: TemplateNode | undefined,
  resourceType: string,
): TemplateNode | undefined {
  if (globals?.kind !== "mapping" || !resourceType.startsWith(SAM_PREFIX)) return undefined;
  const section = resourceType.slice(SAM_PREFIX.length);
  return globals.entries.find((entry) => entry.key === section)?.value;
}

/**
 * SAM's merge rules: maps merge key by key with the resource winning, lists concatenate
 * (globals first), and anything else, intrinsics included, is the resource's own value.
 */
export function mergeGlobals(global: TemplateNode, own: TemplateNode | undefined): TemplateNode {
  if (own === undefined) return global;
  if (global.kind === "sequence" && own.kind === "sequence") {
    return { kind: "sequence", items: [...global.items, ...own.items], span: own.span };
  }
  if (
    global.kind !== "mapping" ||
    own.kind !== "mapping" ||
    asIntrinsic(global) !== null ||
    asIntrinsic(own) !== null
  ) {
    return own;
  }
  const entries: TemplateEntry[] = global.entries
    .filter((entry) => !own.entries.some((ownEntry) => ownEntry.key === entry.key))
    .concat(
      own.entries.map((entry) => {
        const inherited = global.entries.find((globalEntry) => globalEntry.key === entry.key);
        return inherited === undefined
          ? entry
          : { ...entry, value: mergeGlobals(inherited.value, entry.value) };
      }),
    );
  return { kind: "mapping", entries, span: own.span };
}

/** The API SAM creates for events that name none, and the property by which an event names one. */
const IMPLICIT_APIS = [
  {
    eventType: "Api",
    apiProperty: "RestApiId",
    id: "ServerlessRestApi",
    type: "AWS::Serverless::Api",
    stage: "Prod",
  },
  {
    eventType: "HttpApi",
    apiProperty: "ApiId",
    id: "ServerlessHttpApi",
    type: "AWS::Serverless::HttpApi",
    stage: undefined,
  },
] as const;

/**
 * The implicit APIs of a SAM template, as resources written at the first event that makes SAM
 * create each: an `Api` event without `RestApiId` adds `ServerlessRestApi` (stage `Prod`), an
 * `HttpApi` event without `ApiId` adds `ServerlessHttpApi` (stage `$default`); their properties
 * are those of `Globals.Api` / `Globals.HttpApi`, which `globalsFor` merges in like any other
 * resource's. The API takes its functions' `Condition` when they all share one; functions under
 * different conditions give an API in every deployment (SAM joins them with `Fn::Or`, which no
 * condition name here stands for). A resource the template declares under the same id wins.
 */
export function implicitApis(resources: readonly TemplateEntry[]): TemplateEntry[] {
  const declared = new Set(resources.map((entry) => entry.key));
  const apis: TemplateEntry[] = [];
  for (const implicit of IMPLICIT_APIS) {
    if (declared.has(implicit.id)) continue;
    const creators = resources.flatMap((resource) => {
      if (scalarOf(field(resource.value, "Type")) !== "AWS::Serverless::Function") return [];
      const events = field(field(resource.value, "Properties"), "Events");
      const creating = (events?.kind === "mapping" ? events.entries : []).filter(
        (event) =>
          scalarOf(field(event.value, "Type")) === implicit.eventType &&
          field(field(event.value, "Properties"), implicit.apiProperty) === undefined,
      );
      return creating.map((event) => ({ event, condition: field(resource.value, "Condition") }));
    });
    const first = creators[0];
    if (first === undefined) continue;
    const conditions = new Set(creators.map(({ condition }) => scalarOf(condition)));
    const condition = conditions.size === 1 ? first.condition : undefined;
    const span = first.event.value.span;
    const scalar = (value: string): TemplateNode => ({ kind: "scalar", value, span });
    const entry = (key: string, value: TemplateNode): TemplateEntry => ({
      key,
      keySpan: first.event.keySpan,
      value,
    });
    const properties: TemplateEntry[] =
      implicit.stage === undefined ? [] : [entry("StageName", scalar(implicit.stage))];
    apis.push(
      entry(implicit.id, {
        kind: "mapping",
        entries: [
          entry("Type", scalar(implicit.type)),
          entry("Properties", { kind: "mapping", entries: properties, span }),
          ...(condition === undefined ? [] : [entry("Condition", condition)]),
        ],
        span,
      }),
    );
  }
  return apis;
}

function field(node: TemplateNode | undefined, key: string): TemplateNode | undefined {
  return node?.kind === "mapping"
    ? node.entries.find((entry) => entry.key === key)?.value
    : undefined;
}

function scalarOf(node: TemplateNode | undefined): TemplateScalar | undefined {
  return node?.kind === "scalar" ? node.value : undefined;
}
