/** Moves every Span inside a structure of facts from one text's offsets to another's. */
import type { Span } from "../core/facts.js";

/** Keys that hold another adapter's private data, which is passed through untouched. */
const OPAQUE_KEYS = new Set(["adapterData"]);

/** Whether a value is a Span: an object with exactly the numeric `start` and `end`. */
function isSpan(value: object): value is Span {
  const keys = Object.keys(value);
  return keys.length === 2 && typeof (value as Span).start === "number" && typeof (value as Span).end === "number";
}

/**
 * A copy of `value` with each Span replaced by `map(span)`. Arrays, Maps and plain objects are copied;
 * shared objects stay shared in the copy.
 */
export function mapSpans<T>(value: T, map: (span: Span) => Span): T {
  const seen = new Map<object, unknown>();
  const visit = (v: unknown): unknown => {
    if (v === null || typeof v !== "object") return v;
    const done = seen.get(v);
    if (done !== undefined) return done;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      seen.set(v, out);
      for (const item of v) out.push(visit(item));
      return out;
    }
    if (v instanceof Map) {
      const out = new Map<unknown, unknown>();
      seen.set(v, out);
      for (const [k, item] of v) out.set(k, visit(item));
      return out;
    }
    if (Object.getPrototypeOf(v) !== Object.prototype) return v;
    if (isSpan(v)) {
      const out = map(v);
      seen.set(v, out);
      return out;
    }
    const out: Record<string, unknown> = {};
    seen.set(v, out);
    for (const [k, item] of Object.entries(v)) out[k] = OPAQUE_KEYS.has(k) ? item : visit(item);
    return out;
  };
  return visit(value) as T;
}
