// Rego values on the host side of the Wasm boundary: JSON values plus sets, which cross the
// boundary tagged so host builtins can tell a set from an array.

export type HostValue =
  null | boolean | number | string | HostValue[] | RegoSet | { [key: string]: HostValue };

export class RegoSet {
  constructor(readonly elements: HostValue[]) {}
}

export type HostFunction = (...args: HostValue[]) => HostValue | undefined;

/** A builtin operand of the wrong type: reported as eval_type_error rather than eval_builtin_error. */
export class OperandTypeError extends Error {}
