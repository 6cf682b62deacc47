/** Shared by the YAML and JSON adapter tests: linting a config text with every rule, and reading its data back. */
import { parse as parseYaml } from "yaml";
import { parse as parseJsonc } from "jsonc-parser";
import { RULES } from "../../rules/index.js";
import { lintText } from "../../src/default-linter.js";
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
