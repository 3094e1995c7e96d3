// A text form of the IR for debugging and for tests that pin the planner's output: one
// statement per line, nested blocks indented, operands shown as locals, constants or strings.

import type { Block, Operand, Policy, Stmt } from "../ir/types.js";

export function formatPolicy(policy: Policy): string {
  const lines: string[] = [];
  const operand = (op: Operand): string => {
    if (op.kind === "local") return `%${op.local}`;
    if (op.kind === "bool") return String(op.value);
    return JSON.stringify(policy.strings[op.index] ?? `<string ${op.index}>`);
  };
  const block = (b: Block, indent: string): void => {
    for (const stmt of b.stmts) statement(stmt, indent);
  };
  const statement = (stmt: Stmt, indent: string): void => {
    const inner = indent + "  ";
    switch (stmt.type) {
      case "Block":
        lines.push(`${indent}block`);
        for (const b of stmt.blocks) {
          lines.push(`${inner}{`);
          block(b, inner + "  ");
          lines.push(`${inner}}`);
        }
        return;
      case "Scan":
        lines.push(`${indent}scan %${stmt.source} key=%${stmt.key} value=%${stmt.value}`);
        return block(stmt.block, inner);
      case "Not":
        lines.push(`${indent}not`);
        return block(stmt.block, inner);
      case "With":
        lines.push(
          `${indent}with %${stmt.local}${stmt.path.map((i) => `[${JSON.stringify(policy.strings[i])}]`).join("")} = ${operand(stmt.value)}`,
        );
        return block(stmt.block, inner);
      default:
        lines.push(`${indent}${stmt.type} ${describeFields(stmt, operand, policy)}`.trimEnd());
    }
  };
  lines.push(`strings: ${JSON.stringify(policy.strings)}`);
  lines.push(`builtins: ${policy.builtins.map((b) => `${b.name}/${b.arity}`).join(" ")}`);
  for (const func of policy.funcs) {
    lines.push(
      `func ${func.name}(${func.params.map((p) => `%${p}`).join(", ")}) -> %${func.result}${func.memoize ? " memoized" : ""}`,
    );
    for (const b of func.blocks) block(b, "  ");
  }
  for (const plan of policy.plans) {
    lines.push(`plan ${plan.name}`);
    for (const b of plan.blocks) block(b, "  ");
  }
  return lines.join("\n") + "\n";
}

function describeFields(stmt: Stmt, operand: (op: Operand) => string, policy: Policy): string {
  const parts: string[] = [];
  for (const [field, value] of Object.entries(stmt)) {
    if (field === "type" || field === "loc") continue;
    if (field === "args" && Array.isArray(value)) {
      parts.push(
        `(${value.map((v: Operand | number) => (typeof v === "number" ? `%${v}` : operand(v))).join(", ")})`,
      );
    } else if (field === "index" && stmt.type === "MakeNumberRef") {
      parts.push(policy.strings[stmt.index] ?? "?");
    } else if (field === "value" && (stmt.type === "MakeNumberInt" || stmt.type === "AssignInt")) {
      parts.push(`value=${stmt.value}`);
    } else if (isOperand(value)) {
      parts.push(`${field}=${operand(value)}`);
    } else if (
      typeof value === "number" &&
      /^(target|source|result|local|array|set|object|a|b|key|value)$/.test(field)
    ) {
      parts.push(`${field}=%${value}`);
    } else {
      parts.push(`${field}=${JSON.stringify(value)}`);
    }
  }
  return parts.join(" ");
}

function isOperand(value: unknown): value is Operand {
  return typeof value === "object" && value !== null && "kind" in value;
}
