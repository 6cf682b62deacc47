/** Arithmetic as Python computes it, shared by the Python adapter and the config joiners. */

/** Python arithmetic on two known numbers; undefined for division by zero, overflow or another operator. */
export function arithmetic(op: string, a: number, b: number): number | undefined {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return b === 0 ? undefined : a / b;
    case "//":
      return b === 0 ? undefined : Math.floor(a / b);
    case "%":
      return b === 0 ? undefined : a - b * Math.floor(a / b);
    case "**": {
      const n = a ** b;
      return Number.isFinite(n) ? n : undefined;
    }
    default:
      return undefined;
  }
}
