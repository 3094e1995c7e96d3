// What OpenTofu's language has and Terraform's has not, and Tollgate does not evaluate: each use is
// a located warning, so what it changes is never passed over unsaid. A provider's `for_each`
// (OpenTofu 1.9) is read as one configuration whose `each` is unknown; `lifecycle { enabled }`
// (OpenTofu 1.11) is not read, so the resource or module call is judged as created. Variables in
// a module's `source` (OpenTofu 1.8) are the loader's own error (`terraform-module-source`).
import type { Block } from "../hcl/index.js";
import type { LoadError } from "../../model/types.js";
import { attributeOf, objectsOf, type ParsedFile } from "./modules.js";

/** The warnings for a file's uses of OpenTofu-only meta-arguments (see above). */
export function openTofuOnlySyntax(file: ParsedFile): LoadError[] {
  const warnings: LoadError[] = [];
  const warn = (at: { line: number; column: number }, code: string, message: string): void => {
    warnings.push({
      file: file.path,
      line: at.line,
      column: at.column,
      code,
      message,
      level: "warning",
    });
  };
  for (const item of file.body.items) {
    if (item.kind !== "Block") continue;
    const forEach = item.type === "provider" ? attributeOf(item.body, "for_each") : undefined;
    if (forEach)
      warn(
        forEach,
        "opentofu-provider-for-each",
        `provider "${item.labels[0]?.value ?? ""}" has for_each (OpenTofu): Tollgate reads it as one configuration, each.key and each.value unknown, and does not tell which instance a resource uses`,
      );
    if (item.type !== "resource" && item.type !== "data" && item.type !== "module") continue;
    const enabled = lifecycleEnabled(item);
    if (enabled)
      warn(
        enabled,
        "opentofu-enabled",
        `${item.labels.map((l) => l.value).join(".")} has lifecycle enabled (OpenTofu): Tollgate does not read it and judges the ${item.type === "module" ? "module call" : "resource"} as created`,
      );
  }
  return warnings;
}

/** A block's `lifecycle { enabled = ... }`, written natively or as `.tf.json`'s object. */
function lifecycleEnabled(block: Block): { line: number; column: number } | undefined {
  for (const item of block.body.items) {
    if (item.kind === "Block" && item.type === "lifecycle") {
      const enabled = attributeOf(item.body, "enabled");
      if (enabled) return enabled;
    }
    if (item.kind === "Attribute" && item.name === "lifecycle")
      for (const object of objectsOf(item.expr) ?? [])
        for (const entry of object.items) if (entry.keyName === "enabled") return entry;
  }
  return undefined;
}
