/** Shared by the YAML and JSON adapter tests: linting a config text with every rule, and reading its data back. */
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { parse as parseJsonc } from "jsonc-parser";
import { RULES } from "../../rules/index.js";
import { lintPaths } from "../../src/cli/lint-paths.js";
import { lintProject, lintText } from "../../src/default-linter.js";
import type { FileResult } from "../../src/core/results.js";
import type { MappingEntry, ResolvedValue } from "../../src/core/facts.js";

/** Lints a text as the file `filePath` with every rule at its default severity; `fix` applies unsafe fixes too (the tests are about the edits). */
export function lintAll(text: string, filePath: string, fix = false): FileResult {
  return lintText(text, { filePath, rules: RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} })), fix, unsafeFixes: fix });
}

/** The data a reader gets from a config text (YAML 1.2 core, or JSONC). */
export function dataOf(text: string, filePath: string): unknown {
  return filePath.endsWith(".json") ? parseJsonc(text, [], { allowTrailingComma: true }) : parseYaml(text, { merge: true });
}

/** A mapping's entry under a key (throws when there is none, so a test fails clearly). */
export function entry(value: ResolvedValue, key: string): MappingEntry {
  if (value.value.kind !== "mapping") throw new Error(`not a mapping: ${value.value.kind}`);
  const found = value.value.entries.find((e) => e.key === key);
  if (!found) throw new Error(`no key ${key}`);
  return found;
}

/** The source text of a span. */
export const slice = (text: string, span: { start: number; end: number }) => text.slice(span.start, span.end);

/** Every finding as `file line:column code notes` (each note as `file:line:column`), with its message, fix and suggestions. */
export function projectFindings(results: FileResult[], root: string) {
  return results.flatMap((r) =>
    r.messages.map((m) => {
      const notes = (m.related ?? []).map((n) => `${path.relative(root, n.filePath ?? r.filePath)}:${n.line}:${n.column}`);
      return {
        at: `${path.relative(root, r.filePath)} ${m.line}:${m.column} ${m.code} ${notes.join(" ")}`.trim(),
        message: m.message,
        fix: m.fix?.text,
        suggestions: (m.suggestions ?? []).map((s) => `${s.desc} => ${s.fix.text}`),
      };
    }),
  );
}

/** Lints files of a fixture project from disk as the CLI does, the project folder as the working directory. */
export async function lintProjectFiles(project: string, ...files: string[]) {
  return projectFindings(await lintPaths(files.map((f) => path.join(project, f)), { cwd: project }), project);
}

/** Lints the named texts of an in-memory project under `/p` with every rule; the others are read on demand. */
export function lintMemory(files: Record<string, string>, given: string[]) {
  const rules = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));
  const host = { read: (p: string) => files[p], exists: (p: string) => p in files };
  return projectFindings(lintProject(given.map((filePath) => ({ filePath, text: files[filePath], rules })), { host }), "/p");
}
