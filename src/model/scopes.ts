// The deployments a repository's resources belong to: one per Terraform root module and one per
// CloudFormation stack (a template, or a nested stack's instance of one). An address is unique only
// within its deployment (two roots may both hold `aws_s3_bucket.this`, two stacks a `Bucket`), and a
// reference never leaves it (a nested stack reads its parent's values as parameters only), so
// policies are evaluated on one deployment at a time: a rule joining resources by address can
// neither link a bucket policy to another root's bucket nor put a finding on another template's
// line. A Terraform root read by `terraform.workspace` is one deployment per workspace it tells
// apart (`Resource.workspace`), each judged alone.
import type { Resource } from "./types.js";

/** `resources` split by deployment, each keeping the order it had; one group when all share one. */
export function deploymentsOf(resources: readonly Resource[]): Resource[][] {
  const groups = new Map<string, Resource[]>();
  for (const resource of resources) {
    const stack = resource.source === "cloudformation" ? resource.module : "";
    const key = JSON.stringify([
      resource.source,
      resource.root ?? resource.file,
      stack,
      resource.workspace ?? null,
    ]);
    const group = groups.get(key);
    if (group) group.push(resource);
    else groups.set(key, [resource]);
  }
  return [...groups.values()];
}
