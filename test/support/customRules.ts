// A custom rule as an organization would write one (the METADATA contract of policies/README.md),
// shared by the custom-policy unit and app tests.
export const OWNER_TAG_RULE = [
  "# METADATA",
  "# title: Buckets name their owner",
  "# custom:",
  "#   id: ACME-TAG-001",
  "#   severity: high",
  "#   category: logging",
  "#   remediation: Add an owner tag.",
  "package tollgate.rules.acme.owner_tag",
  "",
  "import rego.v1",
  "",
  "deny contains finding if {",
  "\tsome r in input.resources",
  '\tr.type == "aws_s3_bucket"',
  "\tnot r.config.tags.owner",
  '\tfinding := {"resource": r.address, "message": "The bucket has no owner tag.", "evidence": "tags.owner missing"}',
  "}",
  "",
].join("\n");

/** Valid Rego beside the rule, with a test the compiler warns at (line 5, column 55). */
export const WITH_COMPARISON_MODULE = [
  "package acme.checks",
  "",
  "import data.tollgate.rules.acme.owner_tag",
  "",
  "no_findings if count(owner_tag.deny) with input as {} == 0",
  "",
].join("\n");
