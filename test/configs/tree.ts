/**
 * Hand-built config trees for recognizer tests: a JS object becomes a mapping value whose keys and values each get
 * a distinct span (offsets in the order they were built), so tests can tell which entry a fact points at.
 */
import type { MappingEntry, ResolvedValue } from "../../src/core/facts.js";

type Plain = number | boolean | string | null | Plain[] | { [key: string]: Plain };

/** A builder that numbers spans as it goes and remembers which path each span belongs to. */
export class Tree {
  private offset = 0;
  /** Path (`optimizer.params.lr`, `optimizer.type`) of each value span's start. */
  readonly paths = new Map<number, string>();

  private span(path: string): { start: number; end: number } {
    const start = (this.offset += 10);
    this.paths.set(start, path);
    return { start, end: start + 5 };
  }

  value(v: Plain, path = ""): ResolvedValue {
    if (v === null) return { value: { kind: "none" }, span: this.span(path), literalSpan: undefined, dependsOn: [] };
    if (typeof v === "number" || typeof v === "boolean" || typeof v === "string") {
      const span = this.span(path);
      const value = typeof v === "number" ? { kind: "number" as const, value: v } : typeof v === "boolean" ? { kind: "bool" as const, value: v } : { kind: "string" as const, value: v };
      return { value, span, literalSpan: span, dependsOn: [] };
    }
    if (Array.isArray(v)) {
      const span = this.span(path);
      return { value: { kind: "sequence", items: v.map((item, i) => this.value(item, `${path}[${i}]`)) }, span, dependsOn: [] };
    }
    const span = this.span(path);
    const entries: MappingEntry[] = Object.entries(v).map(([key, item]) => {
      const keySpan = this.span(`${path}${path ? "." : ""}${key}:key`);
      const value = this.value(item, `${path}${path ? "." : ""}${key}`);
      return { key, keySpan, value, span: { start: keySpan.start, end: value.span.end } };
    });
    return { value: { kind: "mapping", entries }, span, dependsOn: [] };
  }

  /** The path a span was built for. */
  pathOf(span: { start: number } | undefined): string | undefined {
    return span ? this.paths.get(span.start) : undefined;
  }
}
