// SAM policy templates (`Policies: [{ S3ReadPolicy: { BucketName: !Ref Logs } }]` on
// `AWS::Serverless::Function` and `::StateMachine`): the common ones are rewritten, at the node
// level, into the policy document SAM generates for them, so IAM policies see the actions and
// resources granted; the parameters' own nodes are kept (their references and lines stay).
// The actions and ARNs follow SAM's published templates (aws/serverless-application-model,
// policy_templates.json); a template not listed here stays as written.

import type { Span, TemplateEntry, TemplateNode } from "./parse.js";

interface PolicyTemplate {
  actions: readonly string[];
  /** ARN patterns for `Fn::Sub`; `${Parameter}` names a template parameter, `*` alone means any. */
  resources: readonly string[];
}

const ARN = "arn:${AWS::Partition}";
const REGIONAL = (service: string): string =>
  `${ARN}:${service}:\${AWS::Region}:\${AWS::AccountId}`;
const S3_READ = [
  "s3:GetObject",
  "s3:ListBucket",
  "s3:GetBucketLocation",
  "s3:GetObjectVersion",
  "s3:GetLifecycleConfiguration",
];
const BUCKET = [`${ARN}:s3:::\${BucketName}`, `${ARN}:s3:::\${BucketName}/*`];
const TABLE = [
  `${REGIONAL("dynamodb")}:table/\${TableName}`,
  `${REGIONAL("dynamodb")}:table/\${TableName}/index/*`,
];

export const SAM_POLICY_TEMPLATES: ReadonlyMap<string, PolicyTemplate> = new Map([
  ["S3ReadPolicy", { actions: S3_READ, resources: BUCKET }],
  [
    "S3CrudPolicy",
    {
      actions: [
        ...S3_READ.slice(0, 4),
        "s3:PutObject",
        "s3:PutObjectAcl",
        "s3:GetLifecycleConfiguration",
        "s3:PutLifecycleConfiguration",
        "s3:DeleteObject",
      ],
      resources: BUCKET,
    },
  ],
  [
    "S3WritePolicy",
    {
      actions: ["s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"],
      resources: BUCKET,
    },
  ],
  [
    "DynamoDBCrudPolicy",
    {
      actions: [
        "dynamodb:GetItem",
        "dynamodb:DeleteItem",
        "dynamodb:PutItem",
        "dynamodb:Scan",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:BatchGetItem",
        "dynamodb:DescribeTable",
        "dynamodb:ConditionCheckItem",
      ],
      resources: TABLE,
    },
  ],
  [
    "DynamoDBReadPolicy",
    {
      actions: [
        "dynamodb:GetItem",
        "dynamodb:Scan",
        "dynamodb:Query",
        "dynamodb:BatchGetItem",
        "dynamodb:DescribeTable",
      ],
      resources: TABLE,
    },
  ],
  [
    "SQSPollerPolicy",
    {
      actions: [
        "sqs:ChangeMessageVisibility",
        "sqs:ChangeMessageVisibilityBatch",
        "sqs:DeleteMessage",
        "sqs:DeleteMessageBatch",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
      ],
      resources: [`${REGIONAL("sqs")}:\${QueueName}`],
    },
  ],
  [
    "SQSSendMessagePolicy",
    { actions: ["sqs:SendMessage*"], resources: [`${REGIONAL("sqs")}:\${QueueName}`] },
  ],
  [
    "SNSPublishMessagePolicy",
    { actions: ["sns:Publish"], resources: [`${REGIONAL("sns")}:\${TopicName}`] },
  ],
  [
    "LambdaInvokePolicy",
    {
      actions: ["lambda:InvokeFunction"],
      resources: [`${REGIONAL("lambda")}:function:\${FunctionName}*`],
    },
  ],
  ["CloudWatchPutMetricPolicy", { actions: ["cloudwatch:PutMetricData"], resources: ["*"] }],
  [
    "EC2DescribePolicy",
    { actions: ["ec2:DescribeRegions", "ec2:DescribeInstances"], resources: ["*"] },
  ],
]);

/** Serverless resource types whose `Policies` take policy templates. */
const TAKES_POLICY_TEMPLATES = new Set([
  "AWS::Serverless::Function",
  "AWS::Serverless::StateMachine",
]);

/** The resource's properties with each known policy template in `Policies` expanded. */
export function expandPolicyTemplates(
  type: string,
  properties: TemplateNode | undefined,
): TemplateNode | undefined {
  if (!TAKES_POLICY_TEMPLATES.has(type) || properties?.kind !== "mapping") return properties;
  const policies = properties.entries.find((entry) => entry.key === "Policies");
  if (policies?.value.kind !== "sequence") return properties;
  const items = policies.value.items.map(expandItem);
  if (items.every((item, i) => item === (policies.value as { items: TemplateNode[] }).items[i]))
    return properties;
  const expanded: TemplateEntry = { ...policies, value: { ...policies.value, items } };
  return {
    ...properties,
    entries: properties.entries.map((entry) => (entry === policies ? expanded : entry)),
  };
}

function expandItem(item: TemplateNode): TemplateNode {
  const only = item.kind === "mapping" && item.entries.length === 1 ? item.entries[0] : undefined;
  const template = only === undefined ? undefined : SAM_POLICY_TEMPLATES.get(only.key);
  if (only === undefined || template === undefined) return item;
  const parameters = new Map(
    only.value.kind === "mapping"
      ? only.value.entries.map((entry) => [entry.key, entry.value])
      : [],
  );
  const span = item.span;
  const scalar = (value: string): TemplateNode => ({ kind: "scalar", value, span });
  const map = (entries: Array<[string, TemplateNode]>): TemplateNode => ({
    kind: "mapping",
    entries: entries.map(([key, value]) => ({ key, keySpan: span, value })),
    span,
  });
  const resource = (pattern: string): TemplateNode => {
    if (pattern === "*") return scalar("*");
    const bindings: Array<[string, TemplateNode]> = [];
    for (const [name, value] of parameters)
      if (pattern.includes(`\${${name}}`)) bindings.push([name, value]);
    const names = [...pattern.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1] as string);
    // A parameter the item leaves out is bound to a name nothing can declare: its ARN is unknown.
    for (const name of names)
      if (!parameters.has(name)) bindings.push([name, unknownRef(`${only.key}.${name}`, span)]);
    return map([["Fn::Sub", { kind: "sequence", items: [scalar(pattern), map(bindings)], span }]]);
  };
  const statement = map([
    ["Effect", scalar("Allow")],
    ["Action", { kind: "sequence", items: template.actions.map(scalar), span }],
    ["Resource", { kind: "sequence", items: template.resources.map(resource), span }],
  ]);
  return map([["Statement", { kind: "sequence", items: [statement], span }]]);
}

/** `!Ref Template.Parameter`: no logical id holds a dot, so it evaluates to unknown. */
function unknownRef(name: string, span: Span): TemplateNode {
  return {
    kind: "mapping",
    entries: [{ key: "Ref", keySpan: span, value: { kind: "scalar", value: name, span } }],
    span,
  };
}
