// Properties AWS requires that the built-in policies read: a security group rule's `IpProtocol`,
// an IAM policy's document. Without one the deployment fails, and a rule reading it finds nothing
// to judge, so the template would pass in silence; the loader says where instead (a
// `cfn-required-property` warning). Only what AWS's resource reference marks required is listed,
// and only properties the policies read: this is no schema validator (cfn-lint is).
// Checked on the evaluated `config`: a property an undecided `Fn::If` may drop is there (under its
// condition); one a decided `Fn::If` drops with `AWS::NoValue` is missing. A list or an item that
// is unknown as a whole (`!Ref Rules`, `!If` between whole items) may hold anything and is passed over.

import { toPointer } from "../../model/pointer.js";
import { isUnknown } from "../../model/types.js";
import type { Value } from "../../model/types.js";

/** Properties each resource type requires, and those each item of a list property requires. */
interface Requirements {
  properties?: readonly string[];
  items?: { readonly [list: string]: readonly string[] };
}

const IAM_INLINE_POLICIES = { Policies: ["PolicyDocument"] };

const REQUIRED: Readonly<Record<string, Requirements>> = {
  "AWS::EC2::SecurityGroup": {
    items: { SecurityGroupIngress: ["IpProtocol"], SecurityGroupEgress: ["IpProtocol"] },
  },
  "AWS::EC2::SecurityGroupIngress": { properties: ["IpProtocol"] },
  "AWS::EC2::SecurityGroupEgress": { properties: ["IpProtocol"] },
  "AWS::IAM::Policy": { properties: ["PolicyDocument"] },
  "AWS::IAM::ManagedPolicy": { properties: ["PolicyDocument"] },
  "AWS::IAM::Role": { properties: ["AssumeRolePolicyDocument"], items: IAM_INLINE_POLICIES },
  "AWS::IAM::User": { items: IAM_INLINE_POLICIES },
  "AWS::IAM::Group": { items: IAM_INLINE_POLICIES },
  "AWS::S3::BucketPolicy": { properties: ["PolicyDocument"] },
};

export interface MissingProperty {
  /** Where the property belongs: "" for the resource, `/SecurityGroupIngress/1` for an item. */
  pointer: string;
  message: string;
}

/** The required properties `config` (a resource's evaluated `Properties`) lacks. */
export function missingProperties(
  type: string,
  config: { readonly [key: string]: Value },
): MissingProperty[] {
  const requirements = REQUIRED[type];
  if (requirements === undefined) return [];
  const missing: MissingProperty[] = [];
  for (const property of requirements.properties ?? []) {
    if (!Object.hasOwn(config, property))
      missing.push({ pointer: "", message: `${property} is required (${type})` });
  }
  for (const [list, properties] of Object.entries(requirements.items ?? {})) {
    const items = config[list];
    if (!Array.isArray(items)) continue;
    for (const [index, item] of items.entries()) {
      if (item === null || typeof item !== "object" || Array.isArray(item) || isUnknown(item))
        continue;
      for (const property of properties) {
        if (!Object.hasOwn(item, property))
          missing.push({
            pointer: toPointer([list, index]),
            message: `${property} is required in each ${list} item (${type})`,
          });
      }
    }
  }
  return missing;
}
