/**
 * Suppression directives in comments: Ruff's `# noqa[: CODES]` and optim-lint's own
 * `# optim-lint: disable[=…]`, `disable-next-line[=…]`, `disable-file[=…]` and `noqa[: …]` (file level).
 */
import type { SourceComment } from "./types.js";

/** Which rules a directive silences: all of them, or those named (codes or names, lower-cased). */
type Selector = "all" | Set<string>;

export interface Suppressions {
  /** Is a finding of this rule, spanning these 0-based lines, silenced? */
  isSuppressed(code: string, name: string, startLine: number, endLine: number): boolean;
}

const NOQA = /#\s*noqa(?::\s*([A-Za-z0-9_\-,\s]+))?/i;
const OWN = /#\s*optim-lint:\s*(disable-next-line|disable-file|disable|noqa)\b\s*(?:[=:]\s*([A-Za-z0-9_\-,\s]+))?/i;

function selector(list: string | undefined): Selector {
  const items = (list ?? "")
    .split(/[\s,]+/)
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  return items.length === 0 ? "all" : new Set(items);
}

function covers(sel: Selector, code: string, name: string): boolean {
  return sel === "all" || sel.has(code.toLowerCase()) || sel.has(name.toLowerCase());
}

/** Reads every directive out of a file's comments. */
export function readSuppressions(comments: SourceComment[]): Suppressions {
  const byLine = new Map<number, Selector[]>();
  const fileWide: Selector[] = [];
  const add = (line: number, sel: Selector) => {
    const list = byLine.get(line);
    if (list) list.push(sel);
    else byLine.set(line, [sel]);
  };
  for (const comment of comments) {
    const own = OWN.exec(comment.text);
    if (own) {
      const kind = own[1].toLowerCase();
      const sel = selector(own[2]);
      if (kind === "disable-file" || kind === "noqa") fileWide.push(sel);
      else if (kind === "disable-next-line") add(comment.line + 1, sel);
      else add(comment.line, sel);
      continue;
    }
    const noqa = NOQA.exec(comment.text);
    if (noqa) add(comment.line, selector(noqa[1]));
  }
  return {
    isSuppressed(code, name, startLine, endLine) {
      if (fileWide.some((s) => covers(s, code, name))) return true;
      for (let line = startLine; line <= endLine; line++) {
        const sels = byLine.get(line);
        if (sels?.some((s) => covers(s, code, name))) return true;
      }
      return false;
    },
  };
}
