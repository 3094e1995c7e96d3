# METADATA
# title: S3 bucket does not deny insecure transport
# description: >-
#   An S3 bucket's policy has no statement that denies requests made without TLS
#   (`Effect: Deny` with `Bool: {"aws:SecureTransport": "false"}`, or a deny on
#   `NumericLessThan: {"s3:TlsVersion": ...}`), so clients may read and write it over plain HTTP.
#   The deny counts only when it applies to every principal (`"*"`, no `NotPrincipal`), every S3
#   action (`s3:*`) and the bucket's objects (`arn:aws:s3:::bucket/*`, a resource ending in `*`);
#   one scoped to an account, to `s3:PutObject` or to the bucket's ARN alone leaves HTTP open to
#   the rest and is reported on the policy. So is a deny with any other condition besides the TLS
#   one (`StringEquals aws:SourceVpce`, `IpAddress aws:SourceIp`, `aws:PrincipalAccount`, a second
#   key under `Bool`), whatever its value: in a Deny every condition must hold, so plain HTTP stays
#   allowed wherever the other condition fails. `aws:SecureTransport` false under both `Bool` and
#   `BoolIfExists`, or beside `NumericLessThan s3:TlsVersion`, holds for every such request and
#   narrows nothing (AWS documents the TLS-version deny alone as enforcing HTTPS). Nor does a
#   condition every request satisfies: `StringLikeIfExists` with `*`, or `Null` false on
#   `aws:SecureTransport`. `StringLike {"aws:PrincipalArn": "*"}` without `IfExists` does narrow:
#   anonymous requests carry no such key. Another condition written only under a
#   CloudFormation `Fn::If` narrows only the deployments where it holds; one whose key, operator or
#   presence Tollgate cannot know (a `dynamic "condition"`) makes the policy cannot tell.
#   A directory bucket (`aws_s3_directory_bucket`, S3 Express One Zone) is reached over HTTPS
#   only: its bucket policy is not judged.
#   A bucket with no policy at all is reported on the bucket; a bucket policy without the deny is
#   reported on the policy, about the bucket (its `subject`) when it joins one bucket, with the
#   same evidence, so adding a policy that does not deny leaves the finding existing. Bucket policies whose bucket cannot be identified make the rule skip
#   buckets without a visible policy. A call of terraform-aws-modules/s3-bucket/aws denies it with
#   `attach_deny_insecure_transport_policy` or `attach_require_latest_tls_policy`, or with such a
#   statement in the `policy` it attaches (`attach_policy = true`); without them it is reported as a
#   bucket is, whether the module attaches no policy or one for something else (the message tells
#   which), on the switch written false or else on the call. A call
#   whose switches or attached policy are unknown, or whose bucket another bucket policy resource
#   refers to, is not reported; with `unknown_values: advisory` it is reported as cannot tell when
#   an unknown decides the deny (a deny switch, `attach_policy` beside a policy that may deny,
#   the attached `policy`) or when every such bucket policy resource has a `count` or `for_each`
#   Tollgate cannot know, other than the call's own.
#   In CloudFormation, a deny (or a bucket policy) written under an `Fn::If` (or a `Condition`)
#   the template cannot decide protects only the deployments where it holds: the rule reports the
#   others, saying which condition the protection waits for. A document such an `Fn::If` chooses
#   whole (`PolicyDocument: !If [C, {...}, {...}]`) is judged branch by branch: a deny in one
#   branch's document protects that branch's deployments only, and each branch without one is
#   reported for its own ("Only when not C").
#   A Terraform deny that only a `dynamic` block over a collection Tollgate cannot know writes
#   (a `dynamic "statement"`, or a `dynamic "condition"` holding the TLS condition) may be
#   missing, and a statement covering every request whose `Effect`, condition operator, key or
#   `aws:SecureTransport` value is unknown may be the one: with `unknown_values: advisory` the
#   policy (or bucket module call) is reported as cannot tell, by default not at all; so is a
#   bucket whose only `aws_s3_bucket_policy` has a `count` or `for_each` Tollgate cannot know,
#   other than the bucket's own.
# custom:
#   id: TG-ENC-018
#   severity: medium
#   category: encryption
#   remediation: Add a bucket policy statement denying s3:* to Principal "*" when aws:SecureTransport is false.
#   controls: [CIS-AWS-2.1.1, AWS-FSBP-S3.5]
package tollgate.rules.encryption.s3_secure_transport

import data.tollgate.lib.iam
import data.tollgate.lib.s3
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

policy_types := {"aws_s3_bucket_policy", "AWS::S3::BucketPolicy"}

# The documents of bucket policies, including the legacy inline `policy` of `aws_s3_bucket`.
bucket_policy_types := {"aws_s3_bucket_policy", "AWS::S3::BucketPolicy", "aws_s3_bucket"}

is_false_value(value) if util.is_false(value)

is_false_value(value) if {
	some v in value
	util.is_false(v)
}

# The paths inside a statement of the conditions by which it denies requests without TLS. Only a
# Deny has such conditions (`transport_conditions`): asked of every statement several times, the
# rule tells the others at once rather than after judging what they cover.
insecure_transport_denials(statement) := [] if not iam.is_deny(statement)

insecure_transport_denials(statement) := transport_conditions(statement) if {
	iam.is_deny(statement)
	covers_every_request(statement)
}

insecure_transport_denials(statement) := [] if {
	iam.is_deny(statement)
	not covers_every_request(statement)
}

# The same conditions on a Deny statement, whatever it applies to.
transport_conditions(statement) := array.concat(secure_transport_denials(statement), tls_version_denials(statement))

secure_transport_denials(statement) := [["Condition", operator, key] |
	iam.is_deny(statement)
	some operator, block in statement.Condition
	lower(operator) in {"bool", "boolifexists"}
	some key, value in block
	lower(key) == "aws:securetransport"
	is_false_value(value)
]

tls_version_denials(statement) := [["Condition", operator, key] |
	iam.is_deny(statement)
	some operator, block in statement.Condition
	lower(operator) == "numericlessthan"
	some key, _ in block
	lower(key) == "s3:tlsversion"
]

# A deny protects the bucket only when it applies to every principal (`"*"`, `{"AWS": "*"}`; a
# `NotPrincipal` exempts someone), every S3 action (`s3:*` or `*`) and the bucket's objects (a
# resource ending in `*`, such as `arn:aws:s3:::bucket/*`): one scoped to a single account, to
# `s3:PutObject` or to the bucket's own ARN leaves plain HTTP open to the rest. A value Tollgate
# cannot know is taken to cover, except a resource that is the bucket's ARN attribute
# (`aws_s3_bucket.logs.arn`, `!GetAtt Logs.Arn`), which names the bucket and never its objects.
covers_every_request(statement) if {
	every_principal(statement)
	every_action(statement)
	objects_covered(statement)
}

every_principal(statement) if {
	not statement.NotPrincipal
	some p in iam.principals(statement, "Principal")
	p.type in {"*", "AWS"}
	p.value == "*"
}

every_principal(statement) if {
	not statement.NotPrincipal
	some e in principal_elements(statement.Principal)
	util.is_unknown(e)
}

# A principal whose type Tollgate cannot know (`{"$unknown":"principals.value.type"}`, a `dynamic
# "principals"` over values a variable gives) may be `AWS`.
every_principal(statement) if {
	not statement.NotPrincipal
	is_object(statement.Principal)
	not util.is_unknown(statement.Principal)
	some type, value in statement.Principal
	startswith(type, "{\"$unknown\":")
	some e in util.elements(value)
	may_be_every_principal(e.value)
}

may_be_every_principal("*")

may_be_every_principal(value) if util.is_unknown(value)

principal_elements(principal) := [principal] if util.is_unknown(principal)

principal_elements(principal) := [e.value |
	some type, value in principal
	type in {"*", "AWS"}
	some e in util.elements(value)
] if {
	is_object(principal)
	not util.is_unknown(principal)
}

every_action(statement) if {
	some e in util.elements(statement.Action)
	is_string(e.value)
	lower(e.value) in {"*", "s3:*"}
}

every_action(statement) if {
	some e in util.elements(statement.Action)
	util.is_unknown(e.value)
}

objects_covered(statement) if not util.is_absent(statement, "NotResource")

objects_covered(statement) if {
	some e in util.elements(statement.Resource)
	is_string(e.value)
	endswith(e.value, "*")
}

objects_covered(statement) if {
	some e in util.elements(statement.Resource)
	util.is_unknown(e.value)
	not regex.match(`^(aws_s3_bucket\.[A-Za-z_][A-Za-z0-9_-]*(\[[^\]]*\])?\.arn|!GetAtt [A-Za-z0-9]+\.Arn)$`, e.value["$unknown"])
}

# `[address, path, branch, conditions]` of every document with such a deny, for each deny the
# conditions it waits for within the document (`[]` for a deny in every deployment of the
# document). `branch` is the condition of the document's own branch when an undecided
# CloudFormation `Fn::If` chooses the document whole (`PolicyDocument: !If [C, {...}, {...}]`,
# lib/iam `document_when`), `""` otherwise: a deny in one branch's document protects only the
# deployments that take that branch, so the others are judged on their own document. A Terraform
# deny that a `dynamic` block over a collection Tollgate cannot know writes may be missing: it is
# left out.
denials := {[st.address, st.path, st.document_when, branch_conditions(st, conditions)] |
	some st in iam.statements
	some denial in insecure_transport_denials(st.statement)
	not repetition(st, denial)
	conditions := full_denial_conditions(st, denial)
}

# `conditions` (`iam.conditions` form, which ends with the entry's `when`) without what the
# document's branch already says: the conditions within that branch's document.
branch_conditions(st, conditions) := array.concat([c | some c in conditions; c != st.when], [w | w := branch_when(st); w != ""])

# The entry's `when` (its document's branch and the branch of a statement key an `Fn::If` chooses)
# less its document's branch.
branch_when(st) := util.conjunction([l | some l in util.literals(st.when); not l in util.literals(st.document_when)])

# The branch of the document an undecided `Fn::If` chooses (lib/iam `documents`), `""` for one in
# every deployment of its carrier; a finding on it holds only there (`when`).
document_branch(document) := object.get(document, "when", "")

branch_field("") := {}

branch_field(branch) := {"when": branch} if branch != ""

# In a Deny every condition must hold, so any other condition entry of the statement narrows
# `denial` (a path inside the statement): `StringEquals aws:SourceVpce`, `IpAddress aws:SourceIp`,
# `aws:PrincipalAccount`, a second key under the TLS operator, whatever its value, even one
# Tollgate cannot know. Plain HTTP stays allowed wherever it fails. The TLS entries themselves
# (`aws:SecureTransport` false under `Bool` or `BoolIfExists`, `NumericLessThan s3:TlsVersion`)
# all hold for a request over plain HTTP, so none narrows another: AWS documents the TLS-version
# deny alone as enforcing HTTPS, and adds `aws:SecureTransport` true to it to let HTTP through.
# Neither does an entry that holds for every request (`holds_for_every_request`).
other_conditions(statement, denial) := [path |
	some operator, block in statement.Condition
	some path in condition_paths(operator, block)
	not path in transport_conditions(statement)
	not holds_for_every_request(path, block)
]

# A condition entry that every request satisfies, so that it narrows no deny. A key missing from
# the request fails every operator but the `...IfExists` ones, which then hold, and `Null`. So an
# entry holds for every request only when it is `StringLikeIfExists` with the value `*` (a
# missing key passes, a present one matches), or `Null` false (the key is present) on
# `aws:SecureTransport`, which AWS puts in every request. `StringLike {"aws:PrincipalArn": "*"}`
# without `IfExists` still narrows: anonymous requests carry no principal ARN, so the deny
# leaves their plain HTTP allowed. The wildcards that narrow nothing in an Allow
# (`iam.narrowing_conditions`) are not used here: in a Deny a missing key counts the other way.
holds_for_every_request(["Condition", operator, key], block) if {
	lower(operator) == "stringlikeifexists"
	some e in util.elements(block[key])
	e.value == "*"
}

holds_for_every_request(["Condition", operator, key], block) if {
	lower(operator) == "null"
	lower(key) == "aws:securetransport"
	some e in util.elements(block[key])
	util.is_false(e.value)
}

condition_paths(operator, block) := [["Condition", operator]] if util.is_unknown(block)

condition_paths(operator, block) := [["Condition", operator, key] | some key, _ in block] if not util.is_unknown(block)

# The conditions under which `denial` of an entry's statement denies every request without TLS
# (`iam.conditions` form): those of the denial, and the absence of each other condition entry
# written under a CloudFormation `Fn::If` of its own. Undefined when another entry always narrows
# it, or may, as far as Tollgate can tell (`undecided_narrowing`).
full_denial_conditions(st, denial) := conditions if {
	others := other_conditions(st.statement, denial)
	every path in others {
		not undecided_entry(st, path)
		count(own_conditions(st, path, denial)) > 0
	}
	conditions := array.concat(iam.conditions(st, denial), [util.negation(own_conditions(st, path, denial)) | some path in others])
}

# A condition entry that narrows `denial` wherever the statement is.
narrowed(st, denial) if {
	some path in other_conditions(st.statement, denial)
	not undecided_entry(st, path)
	count(own_conditions(st, path, denial)) == 0
}

# The conditions a condition entry waits for beyond those of `denial`.
own_conditions(st, path, denial) := [c |
	some c in util.conditions_below(object.get(st, "conditional", {}), st.path, array.concat(st.statement_path, path))
	not c in iam.conditions(st, denial)
]

# A condition entry Tollgate cannot know: its operator or key (a `dynamic "condition"` over values
# a variable gives names it by its expression's JSON), its whole block, or its presence (a
# `dynamic "condition"` over a collection Tollgate cannot know). It may narrow the deny or be
# missing.
undecided_entry(st, path) := unknowns[0] if {
	unknowns := array.concat(
		array.concat(
			[json.unmarshal(name) | some name in array.slice(path, 1, count(path)); startswith(name, "{\"$unknown\":")],
			[st.statement.Condition[path[1]] | count(path) == 2],
		),
		[{"$unknown": expression} | expression := iam.repetition_within(st, path)],
	)
	count(unknowns) > 0
}

# `[place, unknown]`: the first condition entry Tollgate cannot know that decides whether a
# denial covering every request is narrowed (`Condition` itself when its operator or key is
# unknown), and its unknown; undefined when known entries settle it.
undecided_narrowing(st, denial) := unknowns[0] if {
	not narrowed(st, denial)
	unknowns := [[entry_place(path), u] | some path in other_conditions(st.statement, denial); u := undecided_entry(st, path)]
	count(unknowns) > 0
}

entry_place(path) := ["Condition"] if {
	some name in array.slice(path, 1, count(path))
	startswith(name, "{\"$unknown\":")
}

entry_place(path) := path if {
	every name in array.slice(path, 1, count(path)) {
		not startswith(name, "{\"$unknown\":")
	}
}

# The expression of the unknown collection that decides whether `denial` (a path inside the
# statement) exists where the document does: the statement's own `dynamic "statement"`, or a
# `dynamic "condition"` within it.
repetition(st, _) := iam.statement_repetition(st)

repetition(st, denial) := iam.repetition_within(st, denial) if not iam.statement_repetition(st)

# `[address, path, unknown, place, branch]` of every document whose statements may deny requests without
# TLS, as far as Tollgate can tell: a deny that only such a `dynamic` block writes, or a statement
# that covers every request and would be such a deny but for a value Tollgate cannot know (its
# `Effect`, or a condition operator, key or `aws:SecureTransport` value, as a `dynamic
# "statement"` or `dynamic "condition"` over values a variable gives writes them). `unknown` is
# the value a cannot-tell finding reports and `place` where, inside the document: the document
# itself when the statement may be missing (where a document without a deny is reported), else
# the statement's `Effect` or `Condition`; `branch` the document's branch (`denials`).
possible_denials contains [st.address, st.path, {"$unknown": expression}, [], st.document_when] if {
	some st in iam.statements
	possible_deny(st)
	expression := iam.statement_repetition(st)
}

possible_deny(st) if {
	some denial in insecure_transport_denials(st.statement)
	not narrowed(st, denial)
}

possible_deny(st) if undecided_denial(st)

possible_denials contains [st.address, st.path, {"$unknown": expression}, array.concat(st.statement_path, ["Condition"]), st.document_when] if {
	some st in iam.statements
	some denial in insecure_transport_denials(st.statement)
	not iam.statement_repetition(st)
	not narrowed(st, denial)
	expression := iam.repetition_within(st, denial)
}

possible_denials contains [st.address, st.path, undecided[1], array.concat(st.statement_path, [undecided[0]]), st.document_when] if {
	some st in iam.statements
	count(insecure_transport_denials(st.statement)) == 0
	undecided := undecided_denial(st)
	not iam.statement_repetition(st)
}

possible_denials contains [st.address, st.path, undecided[1], array.concat(st.statement_path, undecided[0]), st.document_when] if {
	some st in iam.statements
	some denial in insecure_transport_denials(st.statement)
	not iam.statement_repetition(st)
	not repetition(st, denial)
	undecided := undecided_narrowing(st, denial)
}

# `[key, unknown]`: the first key of a statement (`Effect`, `Condition`) whose unknown value may
# make it a deny of requests without TLS; undefined when known values settle it.
undecided_denial(st) := candidates[0] if {
	statement := st.statement
	may_deny(statement)
	as_deny := object.union(statement, {"Effect": "Deny"})
	covers_every_request(as_deny)
	candidates := array.concat(
		[["Effect", statement.Effect] |
			util.is_unknown(statement.Effect)
			some denial in insecure_transport_denials(as_deny)
			not narrowed(object.union(st, {"statement": as_deny}), denial)
		],
		[["Condition", value] |
			may_deny(statement)
			value := undecided_transport_condition(statement)
		],
	)
	count(candidates) > 0
}

may_deny(statement) if iam.is_deny(statement)

may_deny(statement) if util.is_unknown(statement.Effect)

# The statement's condition when Tollgate cannot know it, else the first unknown among its
# operators, the keys of the operators that deny without TLS, and the values of
# `aws:SecureTransport`.
undecided_transport_condition(statement) := statement.Condition if util.is_unknown(statement.Condition)

undecided_transport_condition(statement) := unknowns[0] if {
	not util.is_unknown(statement.Condition)
	unknowns := array.concat(
		[json.unmarshal(name) |
			some operator, block in statement.Condition
			some name in array.concat([operator], [key | lower(operator) in transport_operators; some key, _ in block])
			startswith(name, "{\"$unknown\":")
		],
		[e.value |
			some operator, block in statement.Condition
			lower(operator) in {"bool", "boolifexists"}
			some key, value in block
			lower(key) == "aws:securetransport"
			some e in util.elements(value)
			util.is_unknown(e.value)
		],
	)
	count(unknowns) > 0
}

transport_operators := {"bool", "boolifexists", "numericlessthan"}

possibly_denying(address, path, branch) if possible_denials_of[[address, path, branch]]

# `possible_denials_of[[address, path, branch]]`: the `possible_denials` of a document, and
# `possible_denials_at[address]` those of the documents of `address`. Looked up rather than
# scanned for each document and call: a scan per document grew with the square of the input
# (`npm run bench -- scale`).
possible_denials_of[[possible[0], possible[1], possible[4]]] contains possible if some possible in possible_denials

possible_denials_at[possible[0]] contains possible if some possible in possible_denials

# `[address, path, branch]` of every document denying in every deployment of its branch:
# unconditionally, or in both branches of one condition (`!If [C, {Deny ...}, {Deny ...}]`).
denying_documents := {[address, path, branch] | some [address, path, branch, conditions] in denials; conditions == []} | {[address, path, branch] |
	some [address, path, branch, [condition]] in denials
	[address, path, branch, [concat("", ["not ", condition])]] in denials
}

deny contains finding if {
	denying := denying_documents
	calls := {call.address | some call in s3.module_buckets}
	directory := directory_bucket_policies
	some document in iam.documents
	document.type in bucket_policy_types
	not document.address in calls
	not document.address in directory
	branch := document_branch(document)
	not [document.address, document.path, branch] in denying
	not possibly_denying(document.address, document.path, branch)
	finding := object.union(
		object.union(
			{
				"resource": document.address,
				"message": missing_deny_message(document),
				"evidence": "no aws:SecureTransport deny",
				"path": document.path,
			},
			policy_subject(document.address),
		),
		branch_field(branch),
	)
}

# The bucket policy resources of directory buckets (S3 Express One Zone, which takes requests over
# HTTPS only, so there is no plain HTTP to deny) that join no general purpose bucket.
directory_bucket_policies contains r.address if {
	some bucket in util.resources("aws_s3_directory_bucket")
	some r in util.referring(bucket)
	r.type == "aws_s3_bucket_policy"
	not policy_buckets[r.address]
}

# A bucket policy resource's finding is about its bucket, which is reported with the same evidence
# while it has no policy: adding a policy without the deny leaves the finding existing rather than
# new on the policy and fixed on the bucket. Set only when the policy joins one bucket of its root.
policy_subject(address) := {"subject": single_policy_bucket[address]} if single_policy_bucket[address]

policy_subject(address) := {} if not single_policy_bucket[address]

single_policy_bucket[address] := bucket if {
	some address, buckets in policy_buckets
	count(buckets) == 1
	some bucket in buckets
}

# `policy_buckets[address]`: the addresses of the buckets of its root that the bucket policy
# resources of `address` apply to (`s3.settings`).
policy_buckets[policy.address] contains bucket.address if {
	some bucket in s3.buckets
	some policy in bucket_policies(bucket)
	object.get(policy, "root", "") == object.get(bucket, "root", "")
}

missing_deny_message(document) := "The bucket policy does not deny requests without TLS: add a Deny statement on aws:SecureTransport false." if {
	not conditional_denial(document)
	not narrow_denial(document)
}

missing_deny_message(document) := "The bucket policy denies requests without TLS only to some principals, actions, resources or requests (another condition of the deny must also hold): deny s3:* to Principal \"*\" on the bucket and its objects (bucket/*) when aws:SecureTransport is false, with no other condition." if {
	not conditional_denial(document)
	narrow_denial(document)
}

# The document has a Deny on aws:SecureTransport (or s3:TlsVersion) that leaves some principals,
# actions or objects out, or that another condition narrows.
narrow_denial(document) if narrowly_denying[[document.address, document.path, document_branch(document)]]

# `[address, path, branch]` of the documents with such a narrow Deny.
narrowly_denying contains [st.address, st.path, st.document_when] if {
	some st in iam.statements
	count(transport_conditions(st.statement)) > 0
	not covers_every_request(st.statement)
}

narrowly_denying contains [st.address, st.path, st.document_when] if {
	some st in iam.statements
	some denial in insecure_transport_denials(st.statement)
	narrowed(st, denial)
}

missing_deny_message(document) := sprintf("The bucket policy denies requests without TLS only when %s: make the Deny statement on aws:SecureTransport false unconditional.", [concat(" or ", whens)]) if {
	whens := sort(denial_whens[[document.address, document.path, document_branch(document)]])
}

conditional_denial(document) if denial_whens[[document.address, document.path, document_branch(document)]]

# `denial_whens[[address, path, branch]]`: the deployments of the document's branch in which it
# denies requests without TLS, one text per deny (`denials`).
denial_whens[[address, path, branch]] contains concat(" and ", conditions) if {
	some [address, path, branch, conditions] in denials
}

# Bucket policies of the bucket, present wherever the bucket is (their conditions are the
# bucket's), and those present only under a condition of their own.
bucket_policies(bucket) := [r | some type in policy_types; some r in s3.settings(bucket, type)]

has_policy(bucket) if {
	some r in bucket_policies(bucket)
	util.exists_with(r, bucket)
}

has_policy(bucket) if not util.is_absent(bucket.config, "policy")

deny contains finding if {
	some bucket in s3.buckets
	not has_policy(bucket)
	not s3.has_unjoined(policy_type[bucket.source])
	finding := {
		"resource": bucket.address,
		"message": missing_policy_message(bucket),
		"evidence": "no aws:SecureTransport deny",
		"path": [],
	}
}

missing_policy_message(bucket) := "The bucket has no policy denying requests without TLS: add a bucket policy with a Deny on aws:SecureTransport false." if {
	count(bucket_policies(bucket)) == 0
}

missing_policy_message(bucket) := sprintf("The bucket has a bucket policy only when %s: give it one denying requests without TLS in every deployment.", [concat(" or ", whens)]) if {
	whens := sort({concat(" and ", util.conditions(r, [])) | some r in bucket_policies(bucket)})
	count(whens) > 0
}

# A Terraform bucket whose only bucket policies have a `count` or `for_each` Tollgate cannot know
# (and not the bucket's own) may have none: "cannot tell", one finding per expression. A policy
# that is there but lacks the deny is reported on the policy.
deny contains finding if {
	some bucket in s3.buckets
	bucket.source == "terraform"
	util.is_absent(bucket.config, "policy")
	some absence in util.absences_with(bucket_policies(bucket), bucket)
	not s3.has_unjoined("aws_s3_bucket_policy")
	finding := settings.cannot_tell(bucket.address, [], absence, "The bucket's only bucket policy may not be created, as its count or for_each cannot be known: make sure the bucket always has a policy denying requests without TLS.")
}

policy_type := {"terraform": "aws_s3_bucket_policy", "cloudformation": "AWS::S3::BucketPolicy"}

# What the module's attached policy holds: `deny` when a statement denies requests without
# TLS, `none` when it attaches no policy, `other` when it attaches one without. Undefined when a
# switch or the attached `policy` is unknown.
module_policy(call) := "deny" if module_denies(call)

module_policy(call) := "none" if {
	every switch in s3.module_policy_switches {
		util.is_false(s3.module_argument(call, switch))
	}
}

module_policy(call) := "other" if {
	not module_denies(call)
	every switch in s3.module_policy_switches {
		is_boolean_value(s3.module_argument(call, switch))
	}
	some switch in s3.module_policy_switches
	util.is_true(s3.module_argument(call, switch))
	attached_policy_known(call)
	not possibly_denying(call.address, ["policy"], "")
}

module_denies(call) if {
	some switch in s3.module_transport_switches
	util.is_true(s3.module_argument(call, switch))
}

module_denies(call) if {
	util.is_true(call.config.attach_policy)
	fully_denying[call.address]
}

# Addresses of the documents with a statement that denies every request without TLS wherever it
# is, looked up for each call rather than scanned.
fully_denying contains st.address if {
	some st in iam.statements
	some denial in insecure_transport_denials(st.statement)
	not repetition(st, denial)
	not narrowed(st, denial)
	not undecided_narrowing(st, denial)
}

is_boolean_value(value) if util.is_true(value)

is_boolean_value(value) if util.is_false(value)

attached_policy_known(call) if not util.is_true(call.config.attach_policy)

attached_policy_known(call) if util.is_absent(call.config, "policy")

attached_policy_known(call) if iam.decode(call.config.policy)

module_message := {
	"none": "The bucket module attaches no bucket policy denying requests without TLS: pass attach_deny_insecure_transport_policy = true.",
	"other": "The bucket module's policy does not deny requests without TLS: pass attach_deny_insecure_transport_policy = true.",
}

# Where to point: the deny switch written false, else the attached `policy`, else the call.
module_path(call) := ["attach_deny_insecure_transport_policy"] if util.is_false(call.config.attach_deny_insecure_transport_policy)

module_path(call) := ["policy"] if {
	not util.is_false(call.config.attach_deny_insecure_transport_policy)
	util.is_true(call.config.attach_policy)
	not util.is_absent(call.config, "policy")
}

module_path(call) := [] if {
	not util.is_false(call.config.attach_deny_insecure_transport_policy)
	not attaches_written_policy(call)
}

attaches_written_policy(call) if {
	util.is_true(call.config.attach_policy)
	not util.is_absent(call.config, "policy")
}

deny contains finding if {
	some call in s3.module_buckets
	kind := module_policy(call)
	kind != "deny"
	count([r | some type in policy_types; some r in s3.settings(call, type)]) == 0
	not s3.has_unjoined("aws_s3_bucket_policy")
	finding := {
		"resource": call.address,
		"message": module_message[kind],
		"evidence": "no aws:SecureTransport deny",
		"path": module_path(call),
	}
}

# A bucket policy whose only denial of requests without TLS may be missing, or may be one, as far
# as Tollgate can tell, is cannot tell, as is a bucket module call attaching one.
deny contains finding if {
	denying := denying_documents
	calls := {call.address | some call in s3.module_buckets}
	some document in iam.documents
	document.type in bucket_policy_types
	not document.address in calls
	branch := document_branch(document)
	not [document.address, document.path, branch] in denying
	some [address, path, value, place, _] in possible_denials_of[[document.address, document.path, branch]]
	finding := object.union(settings.cannot_tell(address, array.concat(path, place), value, cannot_tell_message), branch_field(branch))
}

deny contains finding if {
	some call in s3.module_buckets
	not module_denies(call)
	not s3.has_certain_setting(call, "aws_s3_bucket_policy")
	not s3.has_unjoined("aws_s3_bucket_policy")
	some [address, path, value, place, _] in possible_denials_at[call.address]
	finding := settings.cannot_tell(address, array.concat(path, place), value, cannot_tell_message)
}

# A bucket policy resource beside the call keeps it from being reported (the policy is judged on
# its own); when every such resource has a `count` or `for_each` Tollgate cannot know (not the
# call's own), there may be none: "cannot tell", as for a bucket, one finding per expression.
deny contains finding if {
	some call in s3.module_buckets
	not module_denies(call)
	some absence in util.absences_with(s3.settings(call, "aws_s3_bucket_policy"), call)
	not s3.has_unjoined("aws_s3_bucket_policy")
	finding := settings.cannot_tell(call.address, [], absence, "The bucket's only bucket policy beside the module call may not be created, as its count or for_each cannot be known, and the module attaches none that denies requests without TLS: pass attach_deny_insecure_transport_policy = true.")
}

# `module_undecided[address]`: `[path, unknown]` of the arguments Tollgate cannot know of the
# calls of `address` that decide whether the module denies requests without TLS: a deny switch
# (`attach_deny_insecure_transport_policy = var.deny_http`), `attach_policy` when the `policy` it
# would attach may hold such a deny, and the attached `policy` itself. Looked up for each call
# rather than scanned.
module_undecided[call.address] contains [[switch], value] if {
	some call in s3.module_buckets
	some switch in s3.module_transport_switches
	value := s3.module_argument(call, switch)
	util.is_unknown(value)
}

module_undecided[call.address] contains [["attach_policy"], call.config.attach_policy] if {
	some call in s3.module_buckets
	util.is_unknown(call.config.attach_policy)
	policy_may_deny(call.config.policy)
}

module_undecided[call.address] contains [["policy"], call.config.policy] if {
	some call in s3.module_buckets
	util.is_true(call.config.attach_policy)
	util.is_unknown(call.config.policy)
}

policy_may_deny(policy) if util.is_unknown(policy)

policy_may_deny(policy) if {
	some s in iam.statement_entries(iam.decode(policy).Statement)
	count(insecure_transport_denials(s.statement)) > 0
}

deny contains finding if {
	some call in s3.module_buckets
	not module_denies(call)
	not s3.has_certain_setting(call, "aws_s3_bucket_policy")
	not s3.has_unjoined("aws_s3_bucket_policy")
	some [path, value] in module_undecided[call.address]
	finding := settings.cannot_tell(call.address, path, value, "Whether the bucket module denies requests without TLS depends on a value Tollgate cannot know: make sure attach_deny_insecure_transport_policy is true.")
}

cannot_tell_message := "The bucket policy's deny of requests without TLS depends on a collection or values Tollgate cannot know, so it may be missing: make sure a Deny statement on aws:SecureTransport false is always there."
