// Prints the AST back as Rego v1 text: for debugging the compile stage's rewrites, for error
// messages that quote a term, and for round-trip tests of the parser. Parenthesizes every infix
// call so the output never depends on precedence; it is not a formatter for humans.

import type { Body, Expr, Module, Rule, RuleHead, Term, WithModifier } from "./ast.js";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function formatModule(module: Module): string {
  const [first = "", ...rest] = module.package.path;
  const path =
    first +
    rest.map((part) => (IDENTIFIER.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`)).join("");
  const lines = [`package ${path}`, ""];
  for (const entry of module.imports) {
    lines.push(`import ${formatTerm(entry.path)}${entry.alias ? ` as ${entry.alias}` : ""}`);
  }
  if (module.imports.length > 0) lines.push("");
  for (const rule of module.rules) lines.push(formatRule(rule), "");
  return lines.join("\n");
}

export function formatRule(rule: Rule): string {
  let text = `${rule.default ? "default " : ""}${formatHead(rule.head)}`;
  if (rule.body.length > 0) text += ` if ${formatBody(rule.body, "\t")}`;
  for (let alternative = rule.else; alternative; alternative = alternative.else) {
    text += ` else`;
    if (alternative.head.value) text += ` := ${formatTerm(alternative.head.value)}`;
    if (alternative.body.length > 0) text += ` if ${formatBody(alternative.body, "\t")}`;
  }
  return text;
}

function formatHead(head: RuleHead): string {
  const [name, ...operands] = head.ref;
  let text = name ? formatTerm(name) : "";
  for (const operand of operands) text += formatOperand(operand);
  if (head.args) text += `(${head.args.map(formatTerm).join(", ")})`;
  if (head.kind === "partial-set" && head.key) return `${text} contains ${formatTerm(head.key)}`;
  if (head.value) text += ` ${head.assign ? ":=" : "="} ${formatTerm(head.value)}`;
  return text;
}

export function formatBody(body: Body, indent: string): string {
  const outer = indent.slice(1);
  return `{\n${body.map((expr) => `${indent}${formatExpr(expr, indent)}`).join("\n")}\n${outer}}`;
}

export function formatExpr(expr: Expr, indent = "\t"): string {
  let text: string;
  switch (expr.kind) {
    case "term":
      text = formatTerm(expr.term);
      break;
    case "unify":
      text = `${formatTerm(expr.left)} = ${formatTerm(expr.right)}`;
      break;
    case "assign":
      text = `${formatTerm(expr.left)} := ${formatTerm(expr.right)}`;
      break;
    case "some":
      text = `some ${expr.vars.map(formatTerm).join(", ")}`;
      break;
    case "somein":
      text = `some ${expr.key ? `${formatTerm(expr.key)}, ` : ""}${formatTerm(expr.value)} in ${formatTerm(expr.collection)}`;
      break;
    case "every":
      text = `every ${expr.key ? `${formatTerm(expr.key)}, ` : ""}${formatTerm(expr.value)} in ${formatTerm(expr.domain)} ${formatBody(expr.body, `${indent}\t`)}`;
      break;
    case "block":
      text = formatBody(expr.body, `${indent}\t`);
      break;
  }
  if (expr.negated) text = `not ${text}`;
  for (const modifier of expr.with) text += ` ${formatWith(modifier)}`;
  return text;
}

function formatWith(modifier: WithModifier): string {
  return `with ${formatTerm(modifier.target)} as ${formatTerm(modifier.value)}`;
}

function formatOperand(operand: Term): string {
  if (operand.type === "string" && IDENTIFIER.test(operand.value)) return `.${operand.value}`;
  return `[${formatTerm(operand)}]`;
}

function inlineBody(body: Body): string {
  return body.map((expr) => formatExpr(expr, "\t")).join("; ");
}

export function formatTerm(term: Term): string {
  switch (term.type) {
    case "null":
      return "null";
    case "boolean":
      return String(term.value);
    case "number":
      return term.text;
    case "string":
      return JSON.stringify(term.value);
    case "var":
      return term.name;
    case "ref": {
      const head =
        term.head.type === "var" || term.head.type === "call"
          ? formatTerm(term.head)
          : `(${formatTerm(term.head)})`;
      return head + term.operands.map(formatOperand).join("");
    }
    case "array":
      return `[${term.items.map(formatTerm).join(", ")}]`;
    case "object":
      return `{${term.entries.map((entry) => `${formatTerm(entry.key)}: ${formatTerm(entry.value)}`).join(", ")}}`;
    case "set":
      return term.items.length === 0 ? "set()" : `{${term.items.map(formatTerm).join(", ")}}`;
    case "arraycomprehension":
      return `[${formatTerm(term.term)} | ${inlineBody(term.body)}]`;
    case "setcomprehension":
      return `{${formatTerm(term.term)} | ${inlineBody(term.body)}}`;
    case "objectcomprehension":
      return `{${formatTerm(term.key)}: ${formatTerm(term.value)} | ${inlineBody(term.body)}}`;
    case "call": {
      if (term.infix === "in" && term.args.length === 3) {
        const [key, value, collection] = term.args.map(formatTerm);
        return `(${key}, ${value} in ${collection})`;
      }
      if (term.infix && term.args.length === 2) {
        const [left, right] = term.args.map(formatTerm);
        return `(${left} ${term.infix} ${right})`;
      }
      return `${formatTerm(term.operator)}(${term.args.map(formatTerm).join(", ")})`;
    }
  }
}
