/**
 * Stable fingerprints of findings, for baselines and SARIF `partialFingerprints`. A fingerprint hashes the
 * rule, the file's path relative to the working folder, the flagged lines with whitespace and comments
 * normalized away, the enclosing `def`/`class` header, and how many identical findings precede it in the
 * file. Line numbers are not part of it, so moving code or editing other lines keeps it.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import type { FileResult, LintMessage } from "../core/results.js";

/** The key under which SARIF results carry the fingerprint. */
export const FINGERPRINT_KEY = "optimLintFinding/v1";

/** A line without its comment (outside strings, roughly) and with runs of whitespace removed. */
function normalize(line: string): string {
  let quote: string | undefined;
  let end = line.length;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "#") {
      end = i;
      break;
    }
  }
  return line.slice(0, end).replace(/\s+/g, "");
}

/** The header of the innermost `def` or `class` above a line (less indented than it), or "" at module level. */
function enclosingHeader(lines: readonly string[], index: number): string {
  let indent = /^\s*/.exec(lines[index] ?? "")![0].length;
  for (let i = index - 1; i >= 0 && indent > 0; i--) {
    const line = lines[i];
    if (line.trim() === "") continue;
    const own = /^\s*/.exec(line)![0].length;
    if (own >= indent) continue;
    indent = own;
    const header = /^\s*(?:async\s+)?(def|class)\s+([\p{L}\p{N}_]+)/u.exec(line);
    if (header) return `${header[1]} ${header[2]}`;
  }
  return "";
}

/** The path recorded in fingerprints: relative to the working folder with forward slashes, when inside it. */
export function fingerprintPath(filePath: string, cwd: string): string {
  if (!path.isAbsolute(filePath)) return filePath.split(path.sep).join("/");
  const relative = path.relative(cwd, filePath);
  return (relative.startsWith("..") || path.isAbsolute(relative) ? filePath : relative).split(path.sep).join("/");
}

/** The text a result's positions refer to: the fixed output, else the source the engine kept. */
function resultText(result: FileResult): string | undefined {
  return result.output ?? result.source;
}

/**
 * Fingerprints of a result's messages, in message order (undefined for messages with no rule, such as
 * parse errors, and when the text is not at hand).
 */
export function fingerprints(result: FileResult, cwd: string, text = resultText(result)): (string | undefined)[] {
  const lines = text?.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  const file = fingerprintPath(result.filePath, cwd);
  const seen = new Map<string, number>();
  return result.messages.map((message: LintMessage) => {
    if (!lines || !message.ruleId) return undefined;
    const first = Math.max(0, message.line - 1);
    const last = Math.min(lines.length - 1, Math.max(first, (message.endLine ?? message.line) - 1));
    const snippet = lines.slice(first, last + 1).map(normalize).join("\n");
    const base = [message.code ?? message.ruleId, file, enclosingHeader(lines, first), snippet].join("\0");
    const occurrence = seen.get(base) ?? 0;
    seen.set(base, occurrence + 1);
    return createHash("sha256").update(`${base}\0${occurrence}`).digest("hex").slice(0, 32);
  });
}
