// Questions about a model `Value` that every loader asks, beside types.ts's `isUnknown`: kept
// here once so Terraform and CloudFormation evaluation treat unknowns the same way.
import { isUnknown, type Value } from "./types.js";

/** True when the value or anything inside it is unknown. */
export function containsUnknown(value: Value): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object")
    return Object.values(value).some(containsUnknown);
  return false;
}
