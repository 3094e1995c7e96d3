# METADATA
# title: Web identity trust policy without a condition naming the tenant
# description: >-
#   A role trusts a CI provider's OIDC identity provider (GitHub Actions, GitLab, Terraform Cloud,
#   Buildkite: each issues its tokens from one issuer for all its customers) for
#   `sts:AssumeRoleWithWebIdentity` without a condition on the token's `sub` claim that names the
#   owner of the repositories, workspaces or pipelines. Every repository, workspace or pipeline on
#   that provider, anyone's, can then assume the role; an `aud` condition alone does not prevent it. Likewise a
#   role trusting Amazon Cognito identity pools (`cognito-identity.amazonaws.com`) without a
#   condition on `cognito-identity.amazonaws.com:aud` naming the pool: a user of any account's
#   identity pool can assume it (an `amr` condition alone does not prevent it). The provider
#   is read from the federated principal's ARN, from the literal end of an ARN template
#   (`arn:aws:iam::${account}:oidc-provider/<host>`), or from the `url` (`Url`) of the
#   `aws_iam_openid_connect_provider` resource or data source (`AWS::IAM::OIDCProvider`) it refers
#   to. Only `StringEquals`, `StringLike` and `StringEqualsIgnoreCase` (with `ForAnyValue:`,
#   `ForAllValues:` or `...IfExists`: the provider puts the claim in every token) narrow the
#   claim; a negated operator lets every other value in. A value with a wildcard before the owner is
#   fixed (`*`, `repo:*`, `repo:*/infra:*`, `repo:my-org*`, `project_path:*`,
#   `organization:*:...` for Terraform Cloud and Buildkite) admits any owner's repositories,
#   unless another subject condition of the statement names the owner (both must hold); for
#   Cognito, a pool id whose region or id part is a wildcard (`eu-west-1:*`).
#   A claim condition whose value a variable or parameter gives (`var.subjects`,
#   `"repo:${var.org}/*"`, `!Ref Subject`) may be such a wildcard: with `unknown_values: advisory`
#   the role is reported as cannot tell, by default not at all; a template whose literal start
#   already names the owner (`"repo:example-org/${var.repo}:*"`) is not. So are conditions
#   Tollgate cannot know that may hold the claim condition, or none: a `Condition` a variable
#   gives, a `dynamic "condition"` whose test and variable a variable gives, or one on the claim
#   over a collection that may be empty.
# custom:
#   id: TG-IAM-009
#   severity: critical
#   category: iam
#   remediation: Add a StringEquals or StringLike condition on `<provider>:sub` naming your repositories, branches or environments (for example `repo:my-org/my-repo:ref:refs/heads/main`).
package tollgate.rules.iam.oidc_trust_without_subject

import data.tollgate.lib.iam
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

ci_providers := {"token.actions.githubusercontent.com", "gitlab.com", "app.terraform.io", "agent.buildkite.com"}

# The claim that names the tenant, by provider: the subject for CI providers, the identity pool
# (the token's audience) for Cognito, whose federated principal is its name.
tenant_claims := {
	"token.actions.githubusercontent.com": "sub",
	"gitlab.com": "sub",
	"app.terraform.io": "sub",
	"agent.buildkite.com": "sub",
	"cognito-identity.amazonaws.com": "aud",
}

# Subject values that leave the owner open, by provider: a wildcard before the repository's owner
# (`repo:<owner>/<repo>:...`, or a custom claim starting `repository_owner:<owner>:`), the GitLab
# group (`project_path:<group>/<project>:...`) or the Terraform Cloud or Buildkite organization
# (`organization:<org>:...`); a value starting with a wildcard leaves everything open.
any_owner_patterns := {
	"token.actions.githubusercontent.com": [`^[*?]`, `^repo:[^/]*[*?]`, `^repository_owner(_id)?:[^:]*[*?]`],
	"gitlab.com": [`^[*?]`, `^project_path:[^/]*[*?]`],
	"app.terraform.io": [`^[*?]`, `^organization:[^:]*[*?]`],
	"agent.buildkite.com": [`^[*?]`, `^organization:[^:]*[*?]`],
	"cognito-identity.amazonaws.com": [`^[*?]`, `^[^:]*:[*?]`],
}

subject_operators := {"stringequals", "stringlike", "stringequalsignorecase"}

# Who a trust without a narrowing claim condition admits, by claim.
anyone := {"sub": "any owner's repository or pipeline on the provider", "aud": "a user of any account's identity pool"}

# The provider host a federated principal names (`...:oidc-provider/<host>`, or Cognito's name).
provider_host("cognito-identity.amazonaws.com") := "cognito-identity.amazonaws.com"

provider_host(value) := host if {
	is_string(value)
	some host in ci_providers
	endswith(value, concat("", ["oidc-provider/", host]))
}

# An ARN template whose literal end names the host (`"arn:aws:iam::${...}:oidc-provider/<host>"`,
# `!Sub arn:...:oidc-provider/<host>`).
provider_host(value) := host if {
	util.is_unknown(value)
	some host in ci_providers
	regex.match(sprintf(`oidc-provider/%s["'\s]*$`, [replace(host, ".", `\.`)]), value["$unknown"])
}

# A reference to the identity provider: its `url` (`Url`) names the host.
provider_host(value) := host if {
	util.is_unknown(value)
	expression := value["$unknown"]
	some key in provider_keys(expression)
	some [i, host] in provider_hosts[key]
	names_provider(expression, input.resources[i])
}

# `provider_hosts[key]`: `[position, host]` of the identity providers of the input whose URL
# names a host of `ci_providers`, by the name an expression naming them starts with
# (`aws_iam_openid_connect_provider.<name>`, `data.` before it for a data source, the logical id
# in CloudFormation); found once per evaluation rather than for each principal.
provider_hosts[provider_key(provider)] contains [i, host] if {
	some i, provider in input.resources
	url := object.get(provider.config, provider_url_key[provider.type], "")
	is_string(url)
	some host in ci_providers
	trim_suffix(trim_prefix(lower(url), "https://"), "/") == host
}

provider_key(provider) := concat(".", ["aws_iam_openid_connect_provider", provider.name]) if {
	provider.type == "aws_iam_openid_connect_provider"
	provider.mode == "managed"
}

provider_key(provider) := concat(".", ["data.aws_iam_openid_connect_provider", provider.name]) if {
	provider.type == "aws_iam_openid_connect_provider"
	provider.mode == "data"
}

provider_key(provider) := provider.address if provider.type == "AWS::IAM::OIDCProvider"

# The keys of `provider_hosts` a provider `names_provider` accepts for `expression` may have.
provider_keys(expression) := {
	split(trim_suffix(expression, ".arn"), "[")[0],
	trim_prefix(expression, "!Ref "),
	trim_suffix(trim_prefix(expression, "!GetAtt "), ".Arn"),
}

provider_url_key := {"aws_iam_openid_connect_provider": "url", "AWS::IAM::OIDCProvider": "Url"}

# `aws_iam_openid_connect_provider.<name>.arn` (maybe `data.`, with an instance key), or a
# CloudFormation `!Ref <id>` or `!GetAtt <id>.Arn`. Compared as text: a pattern naming the
# provider would be a regular expression to compile for each provider.
names_provider(expression, provider) if {
	provider.type == "aws_iam_openid_connect_provider"
	address := concat("", [{"managed": "", "data": "data."}[provider.mode], "aws_iam_openid_connect_provider.", provider.name])
	arn_of(address, expression)
}

# `expression` is `<address>.arn`, or `<address>[<key>].arn` with a key without `]`.
arn_of(address, expression) if expression == concat("", [address, ".arn"])

arn_of(address, expression) if {
	startswith(expression, concat("", [address, "["]))
	endswith(expression, "].arn")
	key := substring(expression, count(address) + 1, (count(expression) - count(address)) - 6)
	not contains(key, "]")
}

names_provider(expression, provider) if {
	provider.type == "AWS::IAM::OIDCProvider"
	expression in {sprintf("!Ref %s", [provider.address]), sprintf("!GetAtt %s.Arn", [provider.address])}
}

# Federated principal values, written or unknown: `[{value, path}]`.
federated_principals(statement) := [{"value": e.value, "path": array.concat(["Principal", "Federated"], e.path)} |
	is_object(statement.Principal)
	not util.is_unknown(statement.Principal)
	some e in util.elements(statement.Principal.Federated)
]

subject_operator(operator) if {
	unqualified := trim_prefix(trim_prefix(lower(operator), "foranyvalue:"), "forallvalues:")
	trim_suffix(unqualified, "ifexists") in subject_operators
}

# The narrowing conditions on `<host>:<claim>` in every deployment of the statement (in CloudFormation,
# one written under an `Fn::If` the template cannot decide leaves the other deployments open), as
# `[{operator, key, values}]` with `values` as `util.elements` gives them.
subject_conditions(st, host) := [{"operator": operator, "key": key, "values": util.elements(value)} |
	some operator, block in st.statement.Condition
	subject_operator(operator)
	some key, value in block
	lower(key) == concat(":", [host, tenant_claims[host]])
	count(iam.conditions(st, ["Condition", operator, key])) == count(iam.conditions(st, []))
	not iam.repetition_within(st, ["Condition", operator, key])
]

# The first unknown that may hold a narrowing condition on the claim where known conditions hold
# none: a whole `Condition` a variable gives, an operator, key or block Tollgate cannot know (a
# `dynamic "condition"` whose test and variable a variable gives), or the collection of a
# `dynamic "condition"` on the claim that may be empty. Undefined when known conditions settle it.
undecided_subject(st, host) := unknowns[0] if {
	condition := object.get(st.statement, "Condition", {})
	unknowns := array.concat(
		array.concat(
			[condition | util.is_unknown(condition)],
			[u |
				not util.is_unknown(condition)
				some operator, block in condition
				some u in undecided_entries(operator, block)
			],
		),
		[{"$unknown": expression} |
			some operator, block in condition
			subject_operator(operator)
			some key, _ in block
			lower(key) == concat(":", [host, tenant_claims[host]])
			expression := iam.repetition_within(st, ["Condition", operator, key])
		],
	)
	count(unknowns) > 0
}

undecided_entries(operator, _) := [json.unmarshal(operator)] if startswith(operator, "{\"$unknown\":")

undecided_entries(operator, block) := [block] if {
	not startswith(operator, "{\"$unknown\":")
	subject_operator(operator)
	util.is_unknown(block)
}

undecided_entries(operator, block) := [json.unmarshal(key) |
	some key, _ in block
	startswith(key, "{\"$unknown\":")
] if {
	not startswith(operator, "{\"$unknown\":")
	subject_operator(operator)
	not util.is_unknown(block)
}

admits_any_owner(host, value) if {
	is_string(value)
	some pattern in any_owner_patterns[host]
	regex.match(pattern, value)
}

# A subject condition names the owner in each of its values (an unknown value counts as naming it).
names_owner(host, condition) if {
	every v in condition.values {
		not admits_any_owner(host, v.value)
	}
}

# Whether an unknown value the author chooses (`util.may_be_anything`) may admit any owner: the
# literal text a string template (`"repo:${var.org}/*"`, `!Sub repo:${GitHubOrg}/*`) starts with,
# followed by a wildcard, does (nothing before the unknown part, `repo:`, `project_path:`); one
# whose literal start fixes the owner (`"repo:example-org/${var.repo}:*"`) does not.
may_admit_any_owner(host, value) if {
	util.may_be_anything(value)
	admits_any_owner(host, concat("", [literal_start(value["$unknown"]), "*"]))
}

literal_start(expression) := regex.replace(expression, `^(?:"|(?:!Sub|Fn::Sub)\s+["']?)([^"'$]*)\$\{(?s:.*)$`, "$1") if {
	regex.match(`^(?:"|(?:!Sub|Fn::Sub)\s+["']?)[^"'$]*\$\{`, expression)
}

literal_start(expression) := "" if not regex.match(`^(?:"|(?:!Sub|Fn::Sub)\s+["']?)[^"'$]*\$\{`, expression)

# A subject condition names the owner whatever its unknown values turn out to be.
surely_names_owner(host, condition) if {
	names_owner(host, condition)
	every v in condition.values {
		not may_admit_any_owner(host, v.value)
	}
}

# Each federated principal a web identity trust names with its provider, and the statement's
# narrowing conditions on the claim (`subject_conditions`) and first undecided one
# (`undecided_subject`, in a list: `[]` when known conditions settle it), found once per
# evaluation: every rule below asks them, and a function is evaluated anew at each call.
trusted_hosts contains {"st": st, "principal": principal, "host": host, "conditions": subject_conditions(st, host), "undecided": [u | u := undecided_subject(st, host)]} if {
	some st in iam.trust_statements
	iam.is_allow(st.statement)
	some action in iam.values(st.statement, "Action")
	lower(action.value) == "sts:assumerolewithwebidentity"
	some principal in federated_principals(st.statement)
	host := provider_host(principal.value)
}

deny contains finding if {
	some trust in trusted_hosts
	count(trust.conditions) == 0
	count(trust.undecided) == 0
	finding := {
		"resource": trust.st.address,
		"when": trust.st.when,
		"message": sprintf("The role trusts %s tokens without a narrowing condition on %s:%s, so %s can assume it.", [trust.host, trust.host, tenant_claims[trust.host], anyone[tenant_claims[trust.host]]]),
		"evidence": sprintf("%s without %s", [trust.host, tenant_claims[trust.host]]),
		"path": iam.path(trust.st, trust.principal.path),
	}
}

deny contains finding if {
	some trust in trusted_hosts
	conditions := trust.conditions
	count(conditions) > 0
	every condition in conditions {
		not names_owner(trust.host, condition)
	}
	some condition in conditions
	some v in condition.values
	admits_any_owner(trust.host, v.value)
	finding := {
		"resource": trust.st.address,
		"when": trust.st.when,
		"message": sprintf("The role trusts %s tokens whose %s '%s' admits %s: name your own before any wildcard.", [trust.host, tenant_claims[trust.host], v.value, anyone[tenant_claims[trust.host]]]),
		"evidence": sprintf("%s %s %s", [trust.host, tenant_claims[trust.host], v.value]),
		"path": iam.path(trust.st, array.concat(["Condition", condition.operator, condition.key], v.path)),
	}
}

# A trust narrowed only by subject conditions whose values a variable or parameter gives: they may
# name the owner or admit anyone (`*`), as far as Tollgate can tell.
deny contains finding if {
	some trust in trusted_hosts
	conditions := trust.conditions
	some condition in conditions
	names_owner(trust.host, condition)
	every c in conditions {
		not surely_names_owner(trust.host, c)
	}
	some v in condition.values
	may_admit_any_owner(trust.host, v.value)
	claim := tenant_claims[trust.host]
	message := sprintf("The role trusts %s tokens whose %s a value Tollgate cannot know decides: if it is a wildcard before the owner, %s can assume it.", [trust.host, claim, anyone[claim]])
	cannot_tell := settings.cannot_tell(trust.st.address, iam.path(trust.st, array.concat(["Condition", condition.operator, condition.key], v.path)), v.value, message)
	finding := object.union(cannot_tell, {"when": trust.st.when})
}

# Conditions Tollgate cannot know may hold one on the claim, or none.
deny contains finding if {
	some trust in trusted_hosts
	count(trust.conditions) == 0
	value := trust.undecided[0]
	claim := tenant_claims[trust.host]
	message := sprintf("The role trusts %s tokens under conditions Tollgate cannot know, which may hold none on %s:%s: then %s can assume it.", [trust.host, trust.host, claim, anyone[claim]])
	cannot_tell := settings.cannot_tell(trust.st.address, iam.path(trust.st, ["Condition"]), value, message)
	finding := object.union(cannot_tell, {"when": trust.st.when})
}
