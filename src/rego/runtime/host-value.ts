// Rego values on the host side of the Wasm boundary: JSON values plus sets, which cross the
// boundary tagged so host builtins can tell a set from an array.

export type HostValue =
  | null
  | boolean
  | number
  | RegoNumber
  | string
  | HostValue[]
  | RegoSet
  | { [key: string]: HostValue };

export class RegoSet {
  constructor(readonly elements: HostValue[]) {}
}

/** A number a JavaScript double cannot hold exactly (big integer, long decimal), as its JSON text. */
export class RegoNumber {
  constructor(readonly text: string) {}
}

export type HostFunction = (...args: HostValue[]) => HostValue | undefined;

/** A builtin operand of the wrong type: reported as eval_type_error rather than eval_builtin_error. */
export class OperandTypeError extends Error {}
