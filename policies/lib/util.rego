# METADATA
# description: >-
#   Value helpers every rule shares: unknown values, loose booleans (CloudFormation writes
#   "true"), absent attributes, string-or-list values, and joins between resources.
package tollgate.lib.util

import rego.v1

# A value static evaluation could not know: `{"$unknown": "<expression>"}`.
is_unknown(value) if {
	is_object(value)
	is_string(value["$unknown"])
}

# An unknown value its configuration's author chooses, so that it may be anything, "*" and
# 0.0.0.0/0 included: its expression reads a Terraform variable, local, module output or
# for_each/count value, or a CloudFormation parameter or another stack's export, or it is not
# a bare reference (`filled_by_aws`). An unknown only AWS fills in (a bare reference to a
# resource's or data source's attribute, `!GetAtt`, `!Ref` of a resource, a pseudo parameter
# such as AWS::AccountId) is the id, ARN or address range of something that exists: never a
# wildcard principal or the internet. Read from the expression's text (the `$unknown` value),
# so it errs towards "may be anything" when the text is unusual.
may_be_anything(value) if {
	is_unknown(value)
	regex.match(`(^|[^A-Za-z0-9_."])(var|local|module|each|count)\.[A-Za-z_]`, value["$unknown"])
}

# A data source that returns what someone writes rather than what AWS makes: a program's output
# (`external`), a web page (`http`), a file (`local_file`), a parameter or secret's value, an S3
# object's body, a rendered template, another configuration's outputs (`terraform_remote_state`,
# `tfe_outputs`, as CloudFormation's `Fn::ImportValue`). Any attribute of one may be anything.
may_be_anything(value) if {
	is_unknown(value)
	regex.match(`(^|[^A-Za-z0-9_."])data\.(external|http|local_file|local_sensitive_file|aws_ssm_parameter|aws_ssm_parameters_by_path|aws_secretsmanager_secret_version|aws_s3_object|aws_s3_bucket_object|template_file|terraform_remote_state|tfe_outputs)\.`, value["$unknown"])
}

# An expression that merely mentions what AWS fills in gives whatever its author writes beside
# it: `aws_vpc.main.id == "" ? "10.0.0.0/8" : "0.0.0.0/0"`, `substr("0.0.0.0/0${aws_vpc.main.id}",
# 0, 9)`, `"*${aws_s3_bucket.b.id}"`. Any function call, operator, conditional, or template with
# literal text around a reference may be anything.
may_be_anything(value) if {
	is_unknown(value)
	not filled_by_aws(value["$unknown"])
}

# An expression whose value is one AWS fills in as it is (`may_be_anything` decides whether the
# names it reads are AWS's): a Terraform reference with attribute, index and splat steps
# (`aws_subnet.a[0].id`, `aws_subnet.a[*].id`), or a template that is only one (`"${aws_vpc.main.id}"`);
# a CloudFormation `!Ref Name`, `!GetAtt Name.Attribute`, or a `!Sub` that is only `${Name}` or
# `${Name.Attribute}`; an ARN template: literal text starting with `arn:` around such references
# only (`"arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"`, `!Sub
# arn:aws:iam::${AWS::AccountId}:root`), a value that is never `*`, an action or an address range;
# or a Terraform `cidrsubnet` of such a reference by literal numbers
# (`cidrsubnet(data.aws_vpc.main.cidr_block, 8, 1)`), a range inside the one AWS fills in.
filled_by_aws(expression) if regex.match(concat("", [`^(`, terraform_reference, `|"\$\{`, terraform_reference, `\}")$`]), expression)

filled_by_aws(expression) if regex.match(concat("", [`^(!Ref `, cloudformation_name, `|!GetAtt `, cloudformation_name, `\.[A-Za-z0-9_.]+|((!Sub|Fn::Sub)\s+)?["']?\$\{`, cloudformation_name, `(\.[A-Za-z0-9_.]+)?\}["']?)$`]), expression)

filled_by_aws(expression) if regex.match(concat("", [`^"arn:([^"$%\\]|\$\{`, terraform_reference, `\})*"$`]), expression)

filled_by_aws(expression) if regex.match(concat("", [`^((!Sub|Fn::Sub)\s+)?["']?arn:([^"'$\s]|\$\{`, cloudformation_name, `(\.[A-Za-z0-9_.]+)?\})*["']?$`]), expression)

filled_by_aws(expression) if regex.match(concat("", [`^cidrsubnet\(`, terraform_reference, `, *[0-9]+, *[0-9]+\)$`]), expression)

# A path after one such reference, or a host's prefix length (`"${aws_s3_bucket.b.arn}/*"`,
# `"${aws_instance.a.private_ip}/32"`, `!Sub "${Bucket.Arn}/*"`): never `*`, an action or the
# internet. Any other prefix length is not: EC2 masks `"${aws_instance.a.private_ip}/0"` to 0.0.0.0/0.
filled_by_aws(expression) if regex.match(concat("", [`^"\$\{`, terraform_reference, `\}/(32|128|[^0-9"$%\\][^"$%\\]*)"$`]), expression)

filled_by_aws(expression) if regex.match(concat("", [`^((!Sub|Fn::Sub)\s+)?["']?\$\{`, cloudformation_name, `(\.[A-Za-z0-9_.]+)?\}/(32|128|[^0-9"'$\s][^"'$\s]*)["']?$`]), expression)

terraform_reference := `[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*|\.[0-9]+|\.\*|\[[0-9]+\]|\["[^"$%\\]*"\]|\[\*\])+`

cloudformation_name := `[A-Za-z0-9]+(::[A-Za-z0-9]+)*`

may_be_anything(value) if {
	is_unknown(value)
	regex.match(`ImportValue|FindInMap`, value["$unknown"])
}

# A CloudFormation dynamic reference (`{{resolve:ssm:/network/admin-cidr}}`): whatever the
# Parameter Store or Secrets Manager entry holds when the stack is deployed.
may_be_anything(value) if {
	is_unknown(value)
	contains(value["$unknown"], "{{resolve:")
}

# `may_be_anything`, or an unknown read from the iterator (`rule.value.cidr_blocks`) of a
# Terraform `dynamic` block over `for_each`, a collection Tollgate cannot know that the author
# chooses (`unknown_for_each`; "" for a block without one).
may_be_anything_in(_, value) if may_be_anything(value)

may_be_anything_in(for_each, value) if {
	is_unknown(value)
	regex.match(`(^|[^A-Za-z0-9_."])[A-Za-z_][A-Za-z0-9_-]*\.(value|key)([^A-Za-z0-9_-]|$)`, value["$unknown"])
	for_each != ""
	may_be_anything({"$unknown": for_each})
}

may_be_anything(value) if {
	is_unknown(value)
	some name in cloudformation_names(value["$unknown"])
	not startswith(name, "AWS::")
	not cloudformation_ids[name]
}

# Names a CloudFormation expression refers to: `!Ref Name` and `${Name}` in `!Sub`, without
# attribute (`${Name.Arn}` is a `!GetAtt`).
cloudformation_names(expression) := {name |
	some i, part in split(expression, "${")
	i > 0
	name := split(part, "}")[0]
	not contains(name, ".")
} | {name |
	some i, part in split(expression, "!Ref ")
	i > 0
	name := split(split(split(split(part, " ")[0], "]")[0], ",")[0], "}")[0]
}

cloudformation_ids contains r.address if {
	some r in input.resources
	r.source == "cloudformation"
}

is_true(value) if value == true

is_true(value) if {
	is_string(value)
	lower(value) == "true"
}

is_false(value) if value == false

is_false(value) if {
	is_string(value)
	lower(value) == "false"
}

# True when `key` is absent from `obj` or explicitly null: never when it is unknown.
is_absent(obj, key) if {
	is_object(obj)
	not is_unknown(obj)
	object.get(obj, key, null) == null
}

# An empty list, empty string, or absent attribute.
is_empty(obj, key) if is_absent(obj, key)

is_empty(obj, key) if obj[key] == []

is_empty(obj, key) if obj[key] == ""

# `value` as `[{value, path}]`, where `path` is the suffix to append: a string or number is one
# element at the value's own path, a list gives each element with its index.
elements(value) := [{"value": value, "path": []}] if not is_array(value)

elements(value) := [{"value": v, "path": [i]} | some i, v in value] if is_array(value)

# Terraform nested blocks are lists of objects; a CloudFormation property may be one object.
blocks(value) := [{"value": v, "path": [i]} | some i, v in value; is_object(v)] if is_array(value)

blocks(value) := [{"value": value, "path": []}] if {
	is_object(value)
	not is_unknown(value)
}

# A Terraform nested block argument as the list of its blocks, for `some i, block in
# util.block_list(r.config.logging)` and `util.block_list(r.config.versioning)[0]`. Native syntax
# gives a list; `.tf.json` may write a block that appears once as one object (`"versioning":
# {"enabled": true}`), which is a list of that one block here. A finding's path keeps its index
# (`["versioning", 0, "enabled"]`): index 0 of such an object is the object itself where the
# finding is located. Anything else (an unknown, a list) is the value as it is; undefined when absent.
block_list(value) := [value] if {
	is_object(value)
	not is_unknown(value)
} else := value

# A number written as a number or a numeric string; undefined for anything else.
number(value) := value if is_number(value)

number(value) := to_number(value) if {
	is_string(value)
	regex.match(`^-?[0-9]+$`, value)
}

# Resources of one type, in input order.
resources(type) := [input.resources[i] | some i in managed_positions[type]]

# Indexes, computed once per evaluation: a join looks up what it needs here instead of testing
# every resource for each resource it starts from, which grows with the square of the input (800
# generated buckets, each with its separate settings: 64 s; `npm run bench -- scale`).
# `managed_positions[type]`: the positions in `input.resources` of the managed resources of `type`.
managed_positions[r.type] contains i if {
	some i, r in input.resources
	r.mode == "managed"
}

# `referring_positions[[root, source, name]]`: the positions of the resources of `root` whose
# `references` hold `name`, as written in their module or with their module path before it.
referring_positions[key] contains i if {
	some i, r in input.resources
	some key in reference_keys(r)
}

# `[root, source, name]` for each name `r`'s references may be looked up by among the names of
# their targets (`target_names`): each reference as written in `r`'s module, and with its module
# path before it.
reference_keys(r) := {[object.get(r, "root", ""), r.source, name] |
	some ref in r.references
	some name in reference_names(object.get(r, "module", ""), ref)
}

reference_names(module, ref) := [ref] if module == ""

reference_names(module, ref) := [ref, concat(".", [module, ref])] if module != ""

# The names a reference to `target` may be written as: its address, and its address up to each
# instance key (`aws_s3_bucket.b` for `aws_s3_bucket.b["x"]`, `module.m` for
# `module.m[0].aws_s3_bucket.b`), as `reference_matches` accepts.
target_names(target) := {target.address} | {concat("[", array.slice(parts, 0, i)) |
	parts := split(target.address, "[")
	some i, _ in parts
	i > 0
}

# The resources (and module calls) that refer to `target` (`refers_to`), in input order. The
# positions are sorted: our runtime iterates a set in the order its elements were added (OPA in
# sorted order), here name by name, so `aws_s3_bucket.b["x"]`'s referrers before `aws_s3_bucket.b`'s.
referring(target) := [input.resources[i] | some i in sort({i |
	some name in target_names(target)
	some i in referring_positions[[object.get(target, "root", ""), target.source, name]]
})]

# `r` refers to `target` (a resource object) of its own root: Terraform references name the
# resource as written in `r`'s module, without an instance key (every instance) or with the one
# the loader resolved (`aws_s3_bucket.b["x"]`, that instance alone); CloudFormation references
# are logical ids.
refers_to(r, target) if {
	r.source == target.source
	object.get(r, "root", "") == object.get(target, "root", "")
	some ref in r.references
	reference_matches(r.module, ref, target.address)
}

reference_matches(_, ref, address) if ref == address

reference_matches(_, ref, address) if startswith(address, concat("", [ref, "["]))

reference_matches(module, ref, address) if {
	module != ""
	concat(".", [module, ref]) == address
}

reference_matches(module, ref, address) if {
	module != ""
	startswith(address, concat("", [module, ".", ref, "["]))
}

# The managed resources of `type` that refer to `target`.
referrers(target, type) := [r | some r in referring(target); r.type == type; r.mode == "managed"]

# At least one managed resource of one of `types` refers to `target`.
referenced_by_any(target, types) if {
	some r in referring(target)
	r.type in types
	r.mode == "managed"
}

# `r` exists wherever `target` does: each undecided CloudFormation `Condition` of its own is one
# of `target`'s. Always so in Terraform.
exists_with(r, target) if {
	own := conditions(target, [])
	every c in conditions(r, []) {
		c in own
	}
}

# The expression of a Terraform resource's (or module call's) `count` or `for_each` when static
# evaluation cannot know it: the one instance standing for `r` may be none.
unknown_instances(r) := r.config.count["$unknown"] if is_unknown(object.get(r.config, "count", null))

unknown_instances(r) := r.config.for_each["$unknown"] if {
	not is_unknown(object.get(r.config, "count", null))
	is_unknown(object.get(r.config, "for_each", null))
}

# `r` may be absent where `target` exists, as the unknown value that decides it (`r`'s `count` or
# `for_each`): undefined when `r`'s instances are known, or decided as `target`'s are (the same
# expression, as module code gives a bucket and its settings `count = local.create ? 1 : 0`, or
# `for_each = aws_s3_bucket.this` over `target` itself in its module).
may_be_absent_with(r, target) := {"$unknown": expression} if {
	expression := unknown_instances(r)
	not same_instances(expression, target, r)
}

same_instances(expression, target, _) if unknown_instances(target) == expression

same_instances(expression, target, r) if {
	r.module == target.module
	expression == concat(".", [target.type, target.name])
}

# The unknown values (`may_be_absent_with`) deciding whether any of `resources` exists where
# `target` does, when there is at least one and each may be absent; undefined otherwise. A rule
# that counts `resources` as protecting `target` reports "cannot tell" on each.
absences_with(resources, target) := {unknown |
	some r in resources
	unknown := may_be_absent_with(r, target)
} if {
	count(resources) > 0
	every r in resources {
		may_be_absent_with(r, target)
	}
}

# The deployments of `target` in which no managed resource of `types` refers to it, as a
# finding's `when`: "" when none refers to it; `not C and not D` when those that do exist only
# under undecided CloudFormation conditions of their own (a flow log with `Condition: C` logs
# its VPC only when C holds). Undefined when one exists wherever `target` does.
unreferenced_when(target, types) := none_hold_when([extra |
	own := conditions(target, [])
	some r in referring(target)
	r.type in types
	r.mode == "managed"
	extra := [c | some c in conditions(r, []); not c in own]
])

# A value as text for messages and evidence: strings as they are, numbers in decimal, an
# unknown as the expression that produced it.
label(value) := value if is_string(value)

label(value) := format_int(value, 10) if is_number(value)

label(value) := value["$unknown"] if is_unknown(value)

label(value) := "true" if value == true

label(value) := "false" if value == false

# A list of numbers as `3306, 5432`.
number_list(values) := concat(", ", [format_int(v, 10) | some v in values])

# Where to report a setting that is absent or explicitly false: the resource when absent (there
# is no line to point at), the attribute when false. Undefined when it is true or unknown.
disabled_path(obj, key) := [] if is_absent(obj, key)

disabled_path(obj, key) := [key] if is_false(obj[key])

# The value at `path` of `r` as a finding's path names it: a list of keys into `config`, or, first
# key "$meta", into `meta` (`["$meta", "lifecycle", "prevent_destroy"]`, `["$meta",
# "DeletionPolicy"]`), whose pointers `conditional` and `alternatives` record in the same form;
# `meta` itself is `{}` when nothing is written. Null when there is no value. Every helper below
# that takes a path reads it through here.
value_at(r, path) := object.get(r.config, written_path(r, path), null) if not is_meta_path(path)

value_at(r, path) := object.get({"$meta": object.get(r, "meta", {})}, path, null) if is_meta_path(path)

is_meta_path(path) if path[0] == "$meta"

# `path` as a Terraform resource's `config` holds it: a path through a block `.tf.json` writes as
# one object says index 0 of it (`block_list`), which the config does not hold. Any other path, and
# a path that holds nothing either way, as it is.
written_path(r, path) := path if {
	r.source != "terraform"
} else := path if {
	object.get(r.config, path, null) != null
} else := found[0] if {
	zeros := [i | some i, segment in path; segment == 0]
	count(zeros) in {1, 2, 3, 4}
	found := [candidate |
		some mask in numbers.range(1, [2, 4, 8, 16][count(zeros) - 1] - 1)
		candidate := [segment | some i, segment in path; not dropped_zero(zeros, mask, i)]
		object.get(r.config, candidate, null) != null
	]
	count(found) > 0
} else := path

# Whether bit k of `mask` leaves out the k-th zero of a path (at position `i`).
dropped_zero(zeros, mask, i) if {
	some k, position in zeros
	position == i
	floor(mask / [1, 2, 4, 8][k]) % 2 == 1
}

# CloudFormation values written under an `Fn::If` whose condition the template cannot decide
# (the resource's `conditional` and `alternatives`, policies/README.md). `path` is a list of keys
# into `config`, as in a finding.

# The JSON pointer (RFC 6901) of a path: `["Statement", 0]` is `/Statement/0`.
pointer(path) := concat("", [concat("/", ["", pointer_segment(segment)]) | some segment in path])

pointer_segment(segment) := replace(replace(segment, "~", "~0"), "/", "~1") if is_string(segment)

pointer_segment(segment) := format_int(segment, 10) if is_number(segment)

# The conditions under which the value at `path` exists, outermost first (the resource's own
# `Condition` included); `[]` when it exists wherever the resource does.
conditions(r, path) := array.concat(
	[c | c := object.get(r, "conditional", {})[""]],
	conditions_below(object.get(r, "conditional", {}), [], path),
)

# The conditions recorded on `base ++ suffix` and its prefixes longer than `base`: what makes a
# value at `suffix` conditional within the value at `base` (a statement within its document).
conditions_below(conditional, base, suffix) := [c |
	some i, _ in suffix
	c := conditional[pointer(array.concat(base, array.slice(suffix, 0, i + 1)))]
]

# The value at `path` exists wherever the resource does (whatever the resource's own `Condition`).
unconditional(r, path) if count(conditions_below(object.get(r, "conditional", {}), [], path)) == 0

# `[{value, condition}]`: the values `config` may hold at `path`, one per branch of an undecided
# `Fn::If` (where `config` holds an unknown) or per `AllowedValues` value of a parameter read
# there (where `config` holds the Default's value), else the value itself with condition "".
# Undefined when the value is absent.
possible_values(r, path) := r.alternatives[pointer(path)]

possible_values(r, path) := [{"value": value, "condition": ""}] if {
	not r.alternatives[pointer(path)]
	not alternatives_above(r, path)
	value := value_at(r, path)
	value != null
}

# Below an object or list an undecided `Fn::If` chooses (`DefaultCacheBehavior: !If [C, {...},
# {...}]`, `DefaultActions: !If [C, [...], !Ref Actions]`), the value each branch holds there,
# under its condition; branches without one are left out.
possible_values(r, path) := [{"value": value, "condition": alternative.condition} |
	some alternative in r.alternatives[pointer(above)]
	value := value_below(alternative.value, array.slice(path, count(above), count(path)))
	value != null
] if {
	not r.alternatives[pointer(path)]
	above := alternatives_above(r, path)
}

# The longest proper prefix of `path` whose value an undecided `Fn::If` chooses.
alternatives_above(r, path) := prefixes[count(prefixes) - 1] if {
	count(path) > 1
	prefixes := [prefix |
		some i in numbers.range(1, count(path) - 1)
		prefix := array.slice(path, 0, i)
		object.get(r, "alternatives", {})[pointer(prefix)]
	]
	count(prefixes) > 0
}

# `[{value, condition, path}]`: the unknowns standing for an object that would hold `path` (the
# object or one above it), so that `possible_values` finds nothing there: an unknown in `config`
# (a parameter or mapping gives the object whole; condition "") or a branch of an undecided
# `Fn::If` choosing it whole that is one (condition that branch's), with the unknown's own path.
# A rule asking for a value at `path` reports these as "cannot tell" rather than as absent.
unknowns_above(r, path) := array.concat(
	[{"value": value, "condition": "", "path": prefix} |
		count(path) > 1
		some i in numbers.range(1, count(path) - 1)
		prefix := array.slice(path, 0, i)
		value := value_at(r, prefix)
		is_unknown(value)
		not object.get(r, "alternatives", {})[pointer(prefix)]
	],
	[{"value": value, "condition": alternative.condition, "path": array.concat(above, inner)} |
		above := alternatives_above(r, path)
		rest := array.slice(path, count(above), count(path))
		some alternative in r.alternatives[pointer(above)]
		some i in numbers.range(0, count(rest) - 1)
		inner := array.slice(rest, 0, i)
		value := value_below(alternative.value, inner)
		is_unknown(value)
	],
)

# The value at `path` (keys and list indices) inside `value`, an object or a list; null when there
# is none.
value_below(value, path) := object.get({"value": value}, array.concat(["value"], path), null)

# Where and in which deployments the boolean `key` of the object at `path` is not true, as
# `[{path, when}]` for findings: absent (at `path`, when ""), false (at the key, when "" or the
# condition of an `Fn::If` branch that sets it false), or set only under conditions the template
# cannot decide within the object (at `path`, when those conditions do not all hold; the object's
# own conditions stay the finding's, from its path), or absent from a branch of an `Fn::If` that
# chooses the object whole (at `path`, when that branch is taken).
disabled(r, path, key) := array.concat(
	[{"path": path, "when": ""} | is_absent(value_at(r, path), key)],
	array.concat(
		[{"path": key_path, "when": possible.condition} |
			key_path := array.concat(path, [key])
			some possible in possible_values(r, key_path)
			is_false(possible.value)
		],
		array.concat(
			[{"path": path, "when": negation(conditions)} |
				not is_absent(value_at(r, path), key)
				conditions := conditions_below(object.get(r, "conditional", {}), path, [key])
				count(conditions) > 0
			],
			[{"path": path, "when": branch.condition} | some branch in branch_objects(r, path); is_absent(branch.value, key)],
		),
	),
)

# Where and in which deployments the setting `key` of the object at `path` is unset, as
# `[{path, when}]` for findings: empty (when ""; at the setting when it is written as "" or [],
# so at the parameter reference that gives it, else at `path`), set only under conditions the
# template cannot decide within the object (when those conditions do not all hold), or left out
# by a branch of an `Fn::If` that chooses the object whole (when that branch is taken), both at
# `path`.
missing(r, path, key) := array.concat(
	[{"path": empty_at(value_at(r, path), path, key), "when": ""} | is_empty(value_at(r, path), key)],
	array.concat(
		[{"path": path, "when": negation(conditions)} |
			not is_empty(value_at(r, path), key)
			conditions := conditions_below(object.get(r, "conditional", {}), path, [key])
			count(conditions) > 0
		],
		[{"path": path, "when": branch.condition} | some branch in branch_objects(r, path); is_empty(branch.value, key)],
	),
)

# Where an empty setting is reported: at `path` when it is left out, at itself when written.
empty_at(obj, path, key) := path if is_absent(obj, key)

empty_at(obj, path, key) := array.concat(path, [key]) if not is_absent(obj, key)

# `[{value, condition}]`: the objects the branches of an undecided `Fn::If` give at `path` (at it
# or above it), for the rules asking what each deployment sets; `[]` when none chooses it.
branch_objects(r, path) := [possible |
	some possible in possible_values(r, path)
	possible.condition != ""
	is_object(possible.value)
]

# Where to report item `i` of the list at `path`, and when, as `{path, when}`: at the item, or,
# for an item an undecided CloudFormation `Fn::If` gives, at the list with the item's conditions,
# so that the same finding in both branches (`!If [C, [A], [A, B]]`) is one in every deployment.
list_item_place(r, path, i) := {"path": array.concat(path, [i]), "when": ""} if {
	count(conditions_below(object.get(r, "conditional", {}), path, [i])) == 0
}

list_item_place(r, path, i) := {"path": path, "when": when} if {
	conditions := conditions_below(object.get(r, "conditional", {}), path, [i])
	count(conditions) > 0
	when := conjunction(conditions)
}

# `list_item_place` for the value at `key` of item `i`: at that value, or, for an item an undecided
# `Fn::If` gives, at the list with the item's conditions.
list_item_key_place(r, path, i, key) := {"path": array.concat(place.path, [key]), "when": ""} if {
	place := list_item_place(r, path, i)
	place.when == ""
}

list_item_key_place(r, path, i, key) := place if {
	place := list_item_place(r, path, i)
	place.when != ""
}

# The deployments in which none of `keys` is set in the object at `path`, as a finding's `when`
# ("" when none is set in any): each is empty or set only under undecided conditions within the
# object. Undefined when one of them is set wherever the object is.
none_set_when(r, path, keys) := none_hold_when(array.concat(
	[conditions |
		count(branch_objects(r, path)) == 0
		some key in keys
		not is_empty(value_at(r, path), key)
		conditions := conditions_below(object.get(r, "conditional", {}), path, [key])
	],
	[[branch.condition] | some branch in branch_objects(r, path); some key in keys; not is_empty(branch.value, key)],
))

# The deployments in which none of `alternatives` holds (each a list of conditions that must all
# hold), as a finding's `when`: "" when there is none. Undefined when together they hold in every
# deployment: one holds in all (`[]`), or they are the branches of undecided conditions (`[C]` and
# `[not C]`; `[C and D]`, `[C and not D]` and `[not C]` of an `Fn::If` nested in another).
none_hold_when(alternatives) := "" if count(alternatives) == 0

none_hold_when(alternatives) := concat(" and ", sort({negation(conditions) |
	some i, conditions in alternatives
	not absorbed(alternatives, i)
})) if {
	count(alternatives) > 0
	not covers_every_deployment(alternatives)
}

# Alternative `i` holds only where another does (it waits for all of that one's names and more),
# so naming the other is enough: `not (C and D) and not C` is `not C`.
absorbed(alternatives, i) if {
	mine := {l | some c in alternatives[i]; some l in literals(c)}
	some j, other in alternatives
	j != i
	theirs := {l | some c in other; some l in literals(c)}
	count(theirs - mine) == 0
	earlier_or_fewer(theirs, mine, j, i)
}

earlier_or_fewer(theirs, mine, _, _) if count(theirs) < count(mine)

earlier_or_fewer(theirs, mine, j, i) if {
	count(theirs) == count(mine)
	j < i
}

# Some alternative holds in every assignment of the condition names they name; a condition text
# other than a conjunction of names and negated names counts as a name of its own, so coverage is
# claimed only when the texts prove it (and not tried beyond 10 names).
covers_every_deployment(alternatives) if {
	some conditions in alternatives
	count(conditions) == 0
}

covers_every_deployment(alternatives) if {
	terms := [[l | some c in conditions; some l in literals(c)] | some conditions in alternatives]
	names := sort({literal_name(l) | some term in terms; some l in term})
	count(names) <= 10
	every assignment in numbers.range(0, product([2 | some _ in names]) - 1) {
		some term in terms
		every l in term {
			literal_holds(l, names, assignment)
		}
	}
}

# The names and negated names (`C`, `not C`) whose conjunction a condition text is, as the
# CloudFormation loader writes them ("C and not D"); any other text is itself, a disjunction the
# loader writes ("C or not C and D") in parentheses so that a conjunction keeps its meaning.
literals(condition) := split(condition, " and ") if {
	not contains(condition, "(")
	not contains(condition, " or ")
}

literals(condition) := [condition] if contains(condition, "(")

literals(condition) := [concat("", ["(", condition, ")"])] if {
	not contains(condition, "(")
	contains(condition, " or ")
}

literal_name(l) := substring(l, 4, -1) if negated_term(l)

literal_name(l) := l if not negated_term(l)

# `l` holds in `assignment`, whose bit `i` is the truth of the name `names[i]`.
literal_holds(l, names, assignment) if {
	not negated_term(l)
	bit := name_bit(names, l)
	assignment % (2 * bit) >= bit
}

literal_holds(l, names, assignment) if {
	negated_term(l)
	bit := name_bit(names, literal_name(l))
	assignment % (2 * bit) < bit
}

name_bit(names, name) := product([2 | some j, _ in names; j < i]) if {
	some i, n in names
	n == name
}

# The deployments in which all of `conditions` hold, as a finding's `when` ("" stands for every
# deployment and is left out), naming each name or negated name once. Undefined when two of them
# are the branches of one condition: no deployment has both, as when two properties are chosen by
# the same `Fn::If` condition, or one by `C and not D` and another by `D`.
conjunction(conditions) := concat(" and ", [l |
	some i, l in all
	not l in array.slice(all, 0, i)
]) if {
	all := [l | some c in conditions; c != ""; some l in literals(c)]
	not contradictory(all)
}

contradictory(literals) if {
	some l in literals
	not contains(l, " ")
	concat("", ["not ", l]) in literals
}

# The condition text under which not all of `conditions` hold.
negation(conditions) := concat("", ["not ", conditions[0]]) if {
	count(conditions) == 1
	not contains(conditions[0], " ")
}

negation(conditions) := substring(conditions[0], 4, -1) if {
	count(conditions) == 1
	negated_term(conditions[0])
}

negation(conditions) := concat("", ["not (", concat(" and ", conditions), ")"]) if not single_term(conditions)

single_term(conditions) if {
	count(conditions) == 1
	not contains(conditions[0], " ")
}

single_term(conditions) if {
	count(conditions) == 1
	negated_term(conditions[0])
}

negated_term(condition) if {
	startswith(condition, "not ")
	not contains(substring(condition, 4, -1), " ")
}

# Terraform nested blocks that a `dynamic` block generates from a `for_each` static evaluation
# could not know (the resource's `unknownForEach`, policies/README.md): each stands for any
# number of blocks, none included, so a rule asking for a protective block must not count one
# as always there, and reports it as "cannot tell" instead.

# The `for_each` expression that decides whether the block at `path` exists, when it is such a
# block or lies in one (the outermost); undefined when it exists wherever the resource does.
unknown_for_each(r, path) := expressions[0] if {
	expressions := [e |
		some i, _ in path
		e := object.get(r, "unknownForEach", {})[pointer(array.slice(path, 0, i + 1))]
	]
	count(expressions) > 0
}

# The blocks of the list `key` of the object at `path` that exist wherever the object does, as
# `[{value, path}]` with `path` the block's own.
certain_blocks(r, path, key) := [{"value": block, "path": block_path} |
	blocks := block_list(value_at(r, array.concat(path, [key])))
	is_array(blocks)
	some i, block in blocks
	block_path := array.concat(path, [key, i])
	not object.get(r, "unknownForEach", {})[pointer(block_path)]
]

# When the object at `path` holds blocks `key` and each of them may be absent: the first one's
# `for_each` expression as an unknown value, for `settings.cannot_tell`; undefined otherwise.
unknown_presence(r, path, key) := {"$unknown": expressions[0]} if {
	blocks := value_at(r, array.concat(path, [key]))
	is_array(blocks)
	expressions := [e |
		some i, _ in blocks
		e := object.get(r, "unknownForEach", {})[pointer(array.concat(path, [key, i]))]
	]
	count(expressions) > 0
	count(expressions) == count(blocks)
}

# The other direction of `referring`, for joins that start from the referring resource (a
# listener's load balancer, a logging configuration's web ACL): `named_positions[[root, source,
# name]]` holds the positions in `input.resources` of the resources (and module calls) of `root`
# a reference written as `name` names (`target_names`), computed once per evaluation.
named_positions[[object.get(t, "root", ""), t.source, name]] contains i if {
	some i, t in input.resources
	some name in target_names(t)
}

# The resources (and module calls) `r` refers to (`refers_to`), in input order (the positions
# sorted, as in `referring`).
referred(r) := [input.resources[i] | some i in sort({i |
	some key in reference_keys(r)
	some i in named_positions[key]
})]
