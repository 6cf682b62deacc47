/** The one place text edits are applied: adapters, the fix loop and fix serialization all use these. */
import type { FixJson } from "./results.js";
import type { TextEdit } from "./types.js";

/** Edits sorted by position. */
function sorted(edits: readonly TextEdit[]): TextEdit[] {
  return [...edits].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
}

/** The text with non-overlapping edits applied (in any order). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  let out = "";
  let at = 0;
  for (const edit of sorted(edits)) {
    out += text.slice(at, edit.span.start) + edit.text;
    at = edit.span.end;
  }
  return out + text.slice(at);
}

/** Merges non-overlapping edits into one ESLint fix: a single range and its replacement text; undefined when they overlap. */
export function mergeEdits(text: string, edits: readonly TextEdit[]): FixJson | undefined {
  const order = sorted(edits);
  for (let i = 1; i < order.length; i++) {
    if (order[i].span.start < order[i - 1].span.end) return undefined;
  }
  const start = order[0].span.start;
  const end = Math.max(...order.map((e) => e.span.end));
  const inner = applyTextEdits(text.slice(start, end), order.map((e) => ({ span: { start: e.span.start - start, end: e.span.end - start }, text: e.text })));
  return { range: [start, end], text: inner };
}

/** Applies a set of fixes, skipping any that overlaps one already taken (ESLint's policy). */
export function applyNonOverlapping(text: string, fixes: readonly FixJson[]): { text: string; applied: number } {
  const taken: TextEdit[] = [];
  let cursor = 0;
  for (const fix of [...fixes].sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1])) {
    if (fix.range[0] < cursor) continue;
    taken.push({ span: { start: fix.range[0], end: fix.range[1] }, text: fix.text });
    cursor = fix.range[1];
  }
  return { text: applyTextEdits(text, taken), applied: taken.length };
}
