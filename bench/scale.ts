// How rule evaluation grows with the size of one root, on generated inputs of N units:
// `groups` (an aws_security_group opened to SSH by its own aws_vpc_security_group_ingress_rule),
// `buckets` (an aws_s3_bucket with its five separate settings resources) and `mixed` (a VPC with
// its flow log, a role with its policies, a load balancer and listener, an API stage, a queue
// and its policy, a key, an instance in a group). A join that tests every resource for each
// resource shows here as time per unit growing with N long before it shows on the corpus
// (session 7: 51 s for 1,600 groups; session 8 found 64 s for 800 buckets and every rule out of
// memory at 400 mixed units). Sizes: `TOLLGATE_BENCH_SIZES` (200,400,800,1600), shapes:
// `TOLLGATE_BENCH_SHAPES`; `TOLLGATE_BENCH_RULES=1` also times each rule alone on
// `TOLLGATE_BENCH_SHAPE` at the largest N, slowest first.
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
`);
  }
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

const bundle = await loadPolicyBundle();
const ruleSet = await loadRuleSet(bundle);
const shapes = (process.env.TOLLGATE_BENCH_SHAPES ?? "groups,buckets,mixed").split(",");
for (const [shape, generated] of [
  ["groups", groups],
  ["buckets", buckets],
  ["mixed", mixed],
] as const)
  for (const n of shapes.includes(shape) ? sizes : []) {
    const model = loadModel(generated(n));
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

if (process.env.TOLLGATE_BENCH_RULES === "1") {
  const model = loadModel(
    ({ groups, buckets, mixed }[process.env.TOLLGATE_BENCH_SHAPE ?? "groups"] ?? groups)(
      sizes[sizes.length - 1] ?? 800,
    ),
  );
  const times: [string, number][] = [];
  for (const resolver of bundle.manifest.wasm ?? []) {
    if (resolver.entrypoint === ALL_RULES_ENTRYPOINT) continue;
    const one = await loadRuleSet({
      ...bundle,
      manifest: { ...bundle.manifest, wasm: [resolver] },
    });
    const started = performance.now();
    const { errors } = one.evaluate(model.resources);
    times.push([
      `${resolver.entrypoint}${errors.length > 0 ? ` (${errors[0]?.message.slice(0, 60)})` : ""}`,
      performance.now() - started,
    ]);
  }
  times.sort((a, b) => b[1] - a[1]);
  for (const [entrypoint, ms] of times.slice(0, 12))
    console.log(`  ${ms.toFixed(0).padStart(7)} ms ${entrypoint}`);
}
