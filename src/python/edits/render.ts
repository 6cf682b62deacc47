/** Writing values as Python source in the file's own style. */
import type { LiteralValue } from "../../core/types.js";
import { perModule, type SyntaxNode } from "./syntax.js";

export type Quote = '"' | "'";

/** The quote character most plain strings in the module use (double quotes when there are none), once per module. */
export const preferredQuote = perModule(countQuotes);

function countQuotes(root: SyntaxNode): Quote {
  let single = 0;
  let double = 0;
  for (const start of root.descendantsOfType("string_start")) {
    const delimiter = start.text.replace(/^[a-zA-Z]+/, "");
    if (delimiter === "'") single++;
    else if (delimiter === '"') double++;
  }
  return single > double ? "'" : '"';
}

/** A Python number literal for `n` (`float("inf")` style for non-finite values). */
function renderNumber(n: number, quote: Quote): string {
  if (Number.isNaN(n)) return `float(${quote}nan${quote})`;
  if (!Number.isFinite(n)) return `${n < 0 ? "-" : ""}float(${quote}inf${quote})`;
  return String(n);
}

/** A Python string literal for `s` with the given quote. */
function renderString(s: string, quote: Quote): string {
  const escaped = s
    .replace(/\\/g, "\\\\")
    .replace(quote === '"' ? /"/g : /'/g, `\\${quote}`)
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t");
  return `${quote}${escaped}${quote}`;
}

/**
 * A literal value as Python source: `True`, `None`, `1e-08`, `'adam'`, `(0.9, 0.999)`. The quote may be given as a
 * function, asked only when the value needs quotes (finding the module's quote style walks the whole tree).
 */
export function renderLiteral(value: LiteralValue, quoteStyle: Quote | ((...none: []) => Quote)): string {
  const quote = (): Quote => (typeof quoteStyle === "function" ? quoteStyle() : quoteStyle);
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : renderNumber(value, quote());
  if (typeof value === "string") return renderString(value, quote());
  if (value.every(Number.isFinite)) return value.length === 1 ? `(${value[0]},)` : `(${value.join(", ")})`;
  const q = quote();
  const items = value.map((n) => renderNumber(n, q));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
}
