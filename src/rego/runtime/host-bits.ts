// OPA's bits.* builtins: two's-complement bitwise operations on integers of any size, as Go's
// big.Int computes them. A shift that would build a number of more than MAX_RESULT_BITS bits is
// an error rather than minutes of work and memory (OPA itself has no bound).
import { exactInteger, integerValue } from "./host-operands.js";
import { OperandTypeError, type HostFunction, type HostValue } from "./host-value.js";

/** The largest result a shift may build: far above any flag or mask a policy works with. */
export const MAX_RESULT_BITS = 65_536;

function bigIntOperand(v: HostValue | undefined, what: string): bigint {
  const n = exactInteger(v, what);
  if (n === undefined)
    throw new OperandTypeError(
      `operand ${what} must be integer number but got floating-point number`,
    );
  return n;
}

function shiftOperand(v: HostValue | undefined): bigint {
  const n = bigIntOperand(v, "2");
  if (n < 0n)
    throw new OperandTypeError(
      "operand 2 must be an unsigned integer number but got a negative integer",
    );
  return n;
}

function bitLength(n: bigint): number {
  return (n < 0n ? -n : n).toString(2).length;
}

function binary(op: (a: bigint, b: bigint) => bigint): HostFunction {
  return (a, b) => integerValue(op(bigIntOperand(a, "1"), bigIntOperand(b, "2")));
}

export const bitsDefinitions: Record<string, { arity: number; fn: HostFunction }> = {
  "bits.or": { arity: 2, fn: binary((a, b) => a | b) },
  "bits.and": { arity: 2, fn: binary((a, b) => a & b) },
  "bits.xor": { arity: 2, fn: binary((a, b) => a ^ b) },
  "bits.negate": { arity: 1, fn: (a) => integerValue(~bigIntOperand(a, "1")) },
  "bits.lsh": {
    arity: 2,
    fn: (a, b) => {
      const value = bigIntOperand(a, "1");
      const shift = shiftOperand(b);
      if (value === 0n) return 0;
      if (BigInt(bitLength(value)) + shift > BigInt(MAX_RESULT_BITS))
        throw new Error(
          `the result would have more than ${MAX_RESULT_BITS} bits (shift by ${shift})`,
        );
      return integerValue(value << shift);
    },
  },
  "bits.rsh": {
    arity: 2,
    fn: (a, b) => {
      const value = bigIntOperand(a, "1");
      const shift = shiftOperand(b);
      // Past the number's width every bit is the sign bit: 0 or -1, as big.Int.Rsh gives.
      if (shift > BigInt(bitLength(value))) return value < 0n ? -1 : 0;
      return integerValue(value >> shift);
    },
  },
};
