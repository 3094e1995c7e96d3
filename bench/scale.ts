// How rule evaluation grows with the size of one root, on generated inputs of N units:
// `groups` (an aws_security_group opened to SSH by its own aws_vpc_security_group_ingress_rule),
// `buckets` (an aws_s3_bucket with its five separate settings resources), `mixed` (a VPC with
// its flow log, roles with their policies, a load balancer and listeners, an API stage and its
// method settings, a queue and its policy, a key, an instance in a group, a trail, a database,
// an EKS cluster, a cache, a distribution with its web ACL and logging, a Redshift cluster with
// its logging, a volume restored from a snapshot, an OIDC provider with the role it trusts),
// `cloudformation` (a template joining a bucket and its policy, a group and its ingress, a VPC and
// its flow log, a role and its policy by `!Ref`), `modules` (two calls of
// terraform-aws-modules/s3-bucket, a log bucket and a bucket logging into it) and `prefixlists`
// (a security group whose SSH rule names its own managed prefix list, of one inline entry and one
// `aws_ec2_managed_prefix_list_entry`). A join that tests every resource for each resource shows
// here as time per unit growing with N long before it shows on the corpus (session 7: 51 s for
// 1,600 groups; session 8 found 64 s for 800 buckets and every rule out of memory at 400 mixed
// units). Sizes: `TOLLGATE_BENCH_SIZES` (200,400,800,1600),
// shapes: `TOLLGATE_BENCH_SHAPES`; `TOLLGATE_BENCH_RULES=1` also times each rule alone on
// `TOLLGATE_BENCH_SHAPE` at every size (`TOLLGATE_BENCH_ONLY_RULES`, `TOLLGATE_BENCH_SKIP_RULES`:
// parts of entrypoints, comma-separated; `TOLLGATE_BENCH_TOP` rules shown, 12 by default).
import { performance } from "node:perf_hooks";
import { loadPolicyBundle } from "../src/engine/index.js";
import { loadModel, type SourceFile } from "../src/iac/index.js";
import { ALL_RULES_ENTRYPOINT } from "../src/policy/bundle.js";
import { policyInput } from "../src/model/input.js";
import { loadRuleSet } from "../src/policy/evaluate.js";

const sizes = (process.env.TOLLGATE_BENCH_SIZES ?? "200,400,800,1600").split(",").map(Number);

function buckets(n: number): SourceFile[] {
  const blocks: string[] = [];
  for (let i = 0; i < n; i++) {
    const b = `aws_s3_bucket.b${i}`;
    blocks.push(
      `resource "aws_s3_bucket" "b${i}" {\n  bucket = "b${i}"\n}\n`,
      `resource "aws_s3_bucket_server_side_encryption_configuration" "b${i}" {\n  bucket = ${b}.id\n` +
        `  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = "aws:kms"\n    }\n  }\n}\n`,
      `resource "aws_s3_bucket_logging" "b${i}" {\n  bucket        = ${b}.id\n  target_bucket = "logs"\n  target_prefix = "b${i}/"\n}\n`,
      `resource "aws_s3_bucket_public_access_block" "b${i}" {\n  bucket                  = ${b}.id\n` +
        `  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = false\n}\n`,
      `resource "aws_s3_bucket_versioning" "b${i}" {\n  bucket = ${b}.id\n  versioning_configuration {\n    status = "Enabled"\n  }\n}\n`,
      `resource "aws_s3_bucket_policy" "b${i}" {\n  bucket = ${b}.id\n  policy = jsonencode({\n    Version = "2012-10-17"\n` +
        `    Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "\${${b}.arn}/*" }]\n  })\n}\n`,
    );
  }
  return [{ path: "main.tf", text: blocks.join("\n") }];
}

// One of each kind of resource the joins connect, per i: a VPC with its flow log, a role with
// its inline policy and attachment, a load balancer with its listener and log bucket, an API
// stage with its log group, a queue with its policy, a key, an instance in a group.
function mixed(n: number): SourceFile[] {
  const blocks: string[] = [];
  for (let i = 0; i < n; i++) {
    blocks.push(`
resource "aws_vpc" "v${i}" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_flow_log" "v${i}" {
  vpc_id          = aws_vpc.v${i}.id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.l${i}.arn
}
resource "aws_cloudwatch_log_group" "l${i}" {
  name              = "l${i}"
  retention_in_days = 90
  kms_key_id        = aws_kms_key.k${i}.arn
}
resource "aws_kms_key" "k${i}" {
  enable_key_rotation = true
}
resource "aws_iam_role" "r${i}" {
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}
resource "aws_iam_role_policy" "r${i}" {
  role   = aws_iam_role.r${i}.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::b${i}/*" }]
  })
}
resource "aws_iam_role_policy_attachment" "r${i}" {
  role       = aws_iam_role.r${i}.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
resource "aws_lb" "lb${i}" {
  subnets = ["subnet-${i}"]
  access_logs {
    bucket  = "logs"
    enabled = true
  }
}
resource "aws_lb_listener" "lb${i}" {
  load_balancer_arn = aws_lb.lb${i}.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  default_action {
    type = "forward"
  }
}
resource "aws_api_gateway_rest_api" "a${i}" {
  name = "a${i}"
}
resource "aws_api_gateway_stage" "a${i}" {
  rest_api_id   = aws_api_gateway_rest_api.a${i}.id
  stage_name    = "prod"
  deployment_id = "d${i}"
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.l${i}.arn
    format          = "$context.requestId"
  }
}
resource "aws_sqs_queue" "q${i}" {
  kms_master_key_id = aws_kms_key.k${i}.id
}
resource "aws_sqs_queue_policy" "q${i}" {
  queue_url = aws_sqs_queue.q${i}.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sqs:SendMessage", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Resource = aws_sqs_queue.q${i}.arn }]
  })
}
resource "aws_security_group" "i${i}" {
  vpc_id = aws_vpc.v${i}.id
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
resource "aws_instance" "i${i}" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.i${i}.id]
  metadata_options {
    http_tokens = "required"
  }
  root_block_device {
    encrypted = true
  }
}
resource "aws_api_gateway_method_settings" "a${i}" {
  rest_api_id = aws_api_gateway_rest_api.a${i}.id
  stage_name  = aws_api_gateway_stage.a${i}.stage_name
  method_path = "*/*"
  settings {
    logging_level = "ERROR"
  }
}
resource "aws_lb_listener" "http${i}" {
  load_balancer_arn = aws_lb.lb${i}.arn
  port              = 80
  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}
resource "aws_cloudtrail" "t${i}" {
  name                          = "t${i}"
  s3_bucket_name                = "trail-logs"
  kms_key_id                    = aws_kms_key.k${i}.arn
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  cloud_watch_logs_group_arn    = "\${aws_cloudwatch_log_group.l${i}.arn}:*"
}
resource "aws_db_instance" "db${i}" {
  engine                          = "postgres"
  instance_class                  = "db.t3.micro"
  storage_encrypted               = true
  kms_key_id                      = aws_kms_key.k${i}.arn
  enabled_cloudwatch_logs_exports = ["postgresql"]
  vpc_security_group_ids          = [aws_security_group.i${i}.id]
}
resource "aws_eks_cluster" "e${i}" {
  name     = "e${i}"
  role_arn = aws_iam_role.r${i}.arn
  enabled_cluster_log_types = ["api", "audit", "authenticator"]
  vpc_config {
    subnet_ids              = ["subnet-${i}"]
    endpoint_public_access  = false
    endpoint_private_access = true
  }
  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.k${i}.arn
    }
  }
}
resource "aws_elasticache_replication_group" "c${i}" {
  replication_group_id       = "c${i}"
  description                = "c${i}"
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
  kms_key_id                 = aws_kms_key.k${i}.arn
  security_group_ids         = [aws_security_group.i${i}.id]
}
resource "aws_cloudfront_distribution" "cf${i}" {
  enabled = true
  logging_config {
    bucket = "logs.s3.amazonaws.com"
  }
  default_cache_behavior {
    viewer_protocol_policy = "redirect-to-https"
  }
  viewer_certificate {
    minimum_protocol_version = "TLSv1.2_2021"
  }
  web_acl_id = aws_wafv2_web_acl.w${i}.arn
}
resource "aws_wafv2_web_acl" "w${i}" {
  name  = "w${i}"
  scope = "CLOUDFRONT"
}
resource "aws_wafv2_web_acl_logging_configuration" "w${i}" {
  resource_arn            = aws_wafv2_web_acl.w${i}.arn
  log_destination_configs = [aws_cloudwatch_log_group.l${i}.arn]
}
resource "aws_redshift_cluster" "rs${i}" {
  cluster_identifier = "rs${i}"
  node_type          = "ra3.xlplus"
  encrypted          = true
  kms_key_id         = aws_kms_key.k${i}.arn
}
resource "aws_redshift_logging" "rs${i}" {
  cluster_identifier   = aws_redshift_cluster.rs${i}.id
  log_destination_type = "cloudwatch"
}
resource "aws_ebs_volume" "src${i}" {
  availability_zone = "eu-west-1a"
  size              = 10
  encrypted         = true
}
resource "aws_ebs_snapshot" "s${i}" {
  volume_id = aws_ebs_volume.src${i}.id
}
resource "aws_ebs_volume" "restored${i}" {
  availability_zone = "eu-west-1a"
  snapshot_id       = aws_ebs_snapshot.s${i}.id
}
resource "aws_iam_openid_connect_provider" "ci${i}" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}
resource "aws_iam_role" "ci${i}" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.ci${i}.arn }
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "repo:org/r${i}:*" } }
    }]
  })
}
data "aws_iam_policy_document" "ci${i}" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::b${i}/*"]
  }
}
resource "aws_iam_role_policy" "ci${i}" {
  role   = aws_iam_role.ci${i}.id
  policy = data.aws_iam_policy_document.ci${i}.json
}
`);
  }
  return [{ path: "main.tf", text: blocks.join("\n") }];
}

// The same joins in CloudFormation, by `!Ref`: a bucket with its bucket policy, a security group
// with a standalone ingress rule, a VPC with its flow log, a role with an `AWS::IAM::Policy`, a
// log group and a key. N=800 (2.0 MB) is the largest that fits the loader's limit of 2 MiB for one
// template; above it the template loads as an error and no resources.
function cloudformation(n: number): SourceFile[] {
  const resources: string[] = [];
  for (let i = 0; i < n; i++) {
    resources.push(`
  Bucket${i}:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt Key${i}.Arn
      VersioningConfiguration:
        Status: Enabled
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
      LoggingConfiguration:
        DestinationBucketName: logs
  BucketPolicy${i}:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket${i}
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource: !Sub "arn:aws:s3:::\${Bucket${i}}/*"
            Condition:
              Bool:
                aws:SecureTransport: false
  Group${i}:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g${i}
      VpcId: !Ref Vpc${i}
  Ingress${i}:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !Ref Group${i}
      IpProtocol: tcp
      FromPort: 22
      ToPort: 22
      CidrIp: 0.0.0.0/0
  Vpc${i}:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  FlowLog${i}:
    Type: AWS::EC2::FlowLog
    Properties:
      ResourceId: !Ref Vpc${i}
      ResourceType: VPC
      TrafficType: ALL
      LogGroupName: !Ref Logs${i}
      DeliverLogsPermissionArn: !GetAtt Role${i}.Arn
  Role${i}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: vpc-flow-logs.amazonaws.com
            Action: sts:AssumeRole
  Policy${i}:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p${i}
      Roles:
        - !Ref Role${i}
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action:
              - logs:CreateLogStream
              - logs:PutLogEvents
            Resource: !GetAtt Logs${i}.Arn
  Logs${i}:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 90
      KmsKeyId: !GetAtt Key${i}.Arn
  Key${i}:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub "arn:aws:iam::\${AWS::AccountId}:root"
            Action: kms:*
            Resource: "*"
`);
  }
  return [
    {
      path: "template.yaml",
      text: `AWSTemplateFormatVersion: "2010-09-09"\nResources:${resources.join("")}`,
    },
  ];
}

// Calls of terraform-aws-modules/s3-bucket, two per i: a log bucket, and a bucket logging into it
// whose deny of requests without TLS a variable decides, for the joins from one call to the others.
function modules(n: number): SourceFile[] {
  const blocks = [`variable "deny_http" {\n  type = bool\n}\n`];
  const call = (name: string, body: string) =>
    `module "${name}" {\n  source  = "terraform-aws-modules/s3-bucket/aws"\n  version = "~> 4.0"\n${body}}\n`;
  for (let i = 0; i < n; i++)
    blocks.push(
      call(`logs${i}`, `  bucket  = "logs${i}"\n`),
      call(
        `b${i}`,
        `  bucket  = "b${i}"\n  attach_deny_insecure_transport_policy = var.deny_http\n` +
          `  logging = {\n    target_bucket = module.logs${i}.s3_bucket_id\n    target_prefix = "b${i}/"\n  }\n`,
      ),
    );
  return [{ path: "main.tf", text: blocks.join("\n") }];
}

function groups(n: number): SourceFile[] {
  const blocks: string[] = [];
  for (let i = 0; i < n; i++) {
    blocks.push(
      `resource "aws_security_group" "g${i}" {\n  name   = "g${i}"\n  vpc_id = "vpc-0123456789abcdef0"\n}\n`,
      `resource "aws_vpc_security_group_ingress_rule" "ssh${i}" {\n  security_group_id = aws_security_group.g${i}.id\n` +
        `  ip_protocol       = "tcp"\n  from_port         = 22\n  to_port           = 22\n  cidr_ipv4         = "0.0.0.0/0"\n}\n`,
    );
  }
  return [{ path: "main.tf", text: blocks.join("\n") }];
}

// A security group per i opening SSH to its own managed prefix list, whose CIDRs are one `entry`
// block and one separate `aws_ec2_managed_prefix_list_entry`, for the lookup from a rule's
// reference to the list's CIDRs.
function prefixlists(n: number): SourceFile[] {
  const blocks: string[] = [];
  for (let i = 0; i < n; i++) {
    const list = `aws_ec2_managed_prefix_list.p${i}`;
    blocks.push(
      `resource "aws_ec2_managed_prefix_list" "p${i}" {\n  name           = "p${i}"\n  address_family = "IPv4"\n` +
        `  max_entries    = 2\n  entry {\n    cidr = "10.${i % 256}.0.0/16"\n  }\n}\n`,
      `resource "aws_ec2_managed_prefix_list_entry" "p${i}" {\n  prefix_list_id = ${list}.id\n  cidr           = "0.0.0.0/0"\n}\n`,
      `resource "aws_security_group" "g${i}" {\n  name = "g${i}"\n  ingress {\n    protocol        = "tcp"\n` +
        `    from_port       = 22\n    to_port         = 22\n    prefix_list_ids = [${list}.id]\n  }\n}\n`,
    );
  }
  return [{ path: "main.tf", text: blocks.join("\n") }];
}

const bundle = await loadPolicyBundle();
const ruleSet = await loadRuleSet(bundle);
const shapes = (
  process.env.TOLLGATE_BENCH_SHAPES ?? "groups,buckets,mixed,cloudformation,modules,prefixlists"
).split(",");
const generators: Record<string, (n: number) => SourceFile[]> = {
  groups,
  buckets,
  mixed,
  cloudformation,
  modules,
  prefixlists,
};
for (const [shape, generated] of Object.entries(generators))
  for (const n of shapes.includes(shape) ? sizes : []) {
    const model = loadModel(generated(n));
    // A template over the loader's size limit loads as no resources: say so rather than time nothing.
    for (const e of model.errors.slice(0, 1))
      console.log(`${shape} N=${n}: ${e.code}: ${e.message}`);
    const started = performance.now();
    const { findings, errors } = ruleSet.evaluate(model.resources);
    const elapsed = performance.now() - started;
    const withSubject = findings.filter((f) => f.subject !== undefined).length;
    console.log(
      `${shape} N=${String(n).padEnd(5)} ${model.resources.length} resources ` +
        `(input ${(JSON.stringify(policyInput(model.resources)).length / 1e6).toFixed(1)} MB): evaluate ${ruleSet.rules.length} rules ` +
        `${elapsed.toFixed(0)} ms (${(elapsed / n).toFixed(2)} ms per unit), ${findings.length} findings ` +
        `(${withSubject} naming their group), ${errors.length} errors`,
    );
    for (const e of errors.slice(0, 3)) console.log(`  ${e.code}: ${e.message.slice(0, 300)}`);
  }

// Each rule alone at every size (the best of `TOLLGATE_BENCH_REPEAT` runs, after one run to warm
// up), the rules whose time per unit grows the most first. The time is the process's CPU time:
// on a shared machine the wall time of the runs at the last size, minutes after the first, moved
// with the load (kinesis_unencrypted x4.41 from N=200 to 800 on `mixed` in one run, x1.17 in the
// next; in CPU time x0.98-1.02). A rule's own time includes passing the input to it, the same for
// every rule: compare a rule with one that has nothing to join (kinesis_unencrypted on `mixed`).
// From `mixed` N=800 the input alone takes 214 MiB of the 256 MiB past which a rule's instance is
// replaced after each evaluation, so a rule that allocates more pays its memory's growth again at
// each run.
if (process.env.TOLLGATE_BENCH_RULES === "1") {
  const generate = generators[process.env.TOLLGATE_BENCH_SHAPE ?? "groups"] ?? groups;
  const list = (name: string) => (process.env[name] ?? "").split(",").filter(Boolean);
  const [only, skipped] = [list("TOLLGATE_BENCH_ONLY_RULES"), list("TOLLGATE_BENCH_SKIP_RULES")];
  const resolvers = (bundle.manifest.wasm ?? []).filter(
    (r) =>
      r.entrypoint !== ALL_RULES_ENTRYPOINT &&
      (only.length === 0 || only.some((s) => r.entrypoint.includes(s))) &&
      !skipped.some((s) => r.entrypoint.includes(s)),
  );
  const repeat = Number(process.env.TOLLGATE_BENCH_REPEAT ?? 1);
  const times = new Map<string, number[]>();
  if (resolvers[0]) {
    const warm = { ...bundle, manifest: { ...bundle.manifest, wasm: [resolvers[0]] } };
    (await loadRuleSet(warm)).evaluate(loadModel(generate(sizes[0] ?? 1)).resources);
  }
  const failures = new Map<string, string>();
  for (const n of sizes) {
    const model = loadModel(generate(n));
    for (const resolver of resolvers) {
      const one = await loadRuleSet({
        ...bundle,
        manifest: { ...bundle.manifest, wasm: [resolver] },
      });
      let elapsed = Infinity;
      for (let run = 0; run < repeat; run++) {
        const started = process.cpuUsage();
        const { errors } = one.evaluate(model.resources);
        const used = process.cpuUsage(started);
        elapsed = Math.min(elapsed, (used.user + used.system) / 1000);
        if (errors[0]) failures.set(resolver.entrypoint, errors[0].message.slice(0, 60));
      }
      times.set(resolver.entrypoint, [...(times.get(resolver.entrypoint) ?? []), elapsed]);
    }
  }
  const first = sizes[0] ?? 1;
  const last = sizes[sizes.length - 1] ?? 1;
  const growth = (ms: number[]) => (ms[ms.length - 1] ?? 0) / last / ((ms[0] ?? 1) / first);
  const ranked = [...times].sort((a, b) => growth(b[1]) - growth(a[1]));
  console.log(
    `each rule alone, ${process.env.TOLLGATE_BENCH_SHAPE ?? "groups"} N=${sizes.join(", ")} (CPU ms; ms per unit at N=${last} / at N=${first})`,
  );
  for (const [entrypoint, ms] of ranked.slice(0, Number(process.env.TOLLGATE_BENCH_TOP ?? 12))) {
    const failure = failures.get(entrypoint);
    console.log(
      `  ${ms.map((t) => t.toFixed(0).padStart(7)).join(" ")}  x${growth(ms).toFixed(2)} ` +
        `${entrypoint}${failure ? ` (${failure})` : ""}`,
    );
  }
}
