// The host builtins' Rego semantics, as plain functions over decoded values (no Wasm, no JSON),
// so each is unit-tested directly. host.ts wires them to the SDK.

/** A Rego value on the host side; sets are RegoSet. */
export type HostValue =
  null | boolean | number | string | HostValue[] | RegoSet | { [key: string]: HostValue };

export class RegoSet {
  constructor(readonly elements: HostValue[]) {}
}

export type HostFunction = (...args: HostValue[]) => HostValue | undefined;

export const hostDefinitions: Record<string, { arity: number; fn: HostFunction }> = {
  lower: { arity: 1, fn: (s) => (typeof s === "string" ? s.toLowerCase() : undefined) },
  upper: { arity: 1, fn: (s) => (typeof s === "string" ? s.toUpperCase() : undefined) },
};
