# METADATA
# description: >-
#   Which versions of a Terraform resource's provider may be in force (the model's `provider`:
#   the version constraints of the root module and its local modules, and the root's lock file),
#   for rules whose verdict depends on a provider default that changed between major versions.
#   A resource without `provider` (CloudFormation, a module call) is below no version.
package tollgate.lib.provider

import rego.v1

# The major version of "5.94.1".
major(version) := to_number(split(version, ".")[0])

# Every version that may be in force is below major `n`: a lock file selecting 5.x, or
# constraints such as `~> 5.0` or `< 6.0.0`.
below_major(r, n) if major(r.provider.below) < n

below_major(r, n) if r.provider.below == sprintf("%d.0.0", [n])

# Some version that may be in force is below major `n`. True as well when nothing bounds the
# versions from below (no constraint and no lock file in the repository): `terraform init` would
# pick the newest release, but a lock file outside the repository may keep an older one.
may_be_below_major(r, n) if major(r.provider.lowest) < n
