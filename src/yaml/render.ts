/** Writing values and new keys in YAML, following the quoting and layout of the mapping they go into. */
import { Composer, Parser, isScalar, type CST, type Document } from "yaml";
import type { MappingEntry } from "../core/facts.js";
import type { LiteralValue, TextEdit } from "../core/types.js";
import { lineEnding, type ConfigSyntax } from "../configs/file-adapter.js";
import type { MappingValue } from "../configs/recognize.js";

/**
 * Whether two keys of a mapping are the same key, as the duplicate check compares them. A mapping may repeat the
 * plain merge key `<<` (`<<: *defaults` then `<<: *train`): PyYAML, and OmegaConf's loader over it, merge every one.
 */
export function sameKeyNotMerge(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isScalar(a) || !isScalar(b) || a.value !== b.value) return false;
  return !(a.value === "<<" && a.type === "PLAIN" && b.type === "PLAIN");
}

/**
 * The documents of a text, composed one by one as they are read, with duplicate keys found as `sameKeyNotMerge`
 * compares them and errors left unformatted; `tokens` when the caller keeps the token stream (for its comments).
 */
export function composeYaml(text: string, tokens: Iterable<CST.Token> = new Parser().parse(text)): Generator<Document.Parsed> {
  return new Composer({ uniqueKeys: sameKeyNotMerge, prettyErrors: false }).compose(tokens, false, text.length);
}

/** Whether a text parses as YAML without errors (every document). */
function parses(text: string): boolean {
  for (const doc of composeYaml(text)) {
    if (doc.errors.length > 0) return false;
  }
  return true;
}

/** Whether a string can be written as a plain scalar and reads back as the same string in YAML 1.1 and 1.2. */
function plainSafe(s: string): boolean {
  if (!/^[A-Za-z_][A-Za-z0-9_./-]*$/.test(s) || /^(?:y|n|yes|no|on|off|true|false|null)$/i.test(s)) return false;
  const docs = [...composeYaml(s)];
  return docs.length === 1 && isScalar(docs[0].contents) && docs[0].contents.value === s;
}

function singleQuoted(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * A number every YAML reader types as one: exponent forms get a dot and a signed exponent (`1.0e-08` style,
 * since PyYAML reads `1e-8` as a string), other numbers are written as JavaScript writes them.
 */
function renderNumber(n: number): string {
  if (Number.isNaN(n)) return ".nan";
  if (!Number.isFinite(n)) return n < 0 ? "-.inf" : ".inf";
  const s = String(n);
  const m = /^(-?\d+)(\.\d+)?e([-+])(\d+)$/.exec(s);
  return m ? `${m[1]}${m[2] ?? ".0"}e${m[3]}${m[4]}` : s;
}

/** A string scalar, in the quote style of the scalar it replaces when there is one. */
function renderString(s: string, like?: string): string {
  const quote = like?.[0];
  if (quote === "'") return singleQuoted(s);
  if (quote !== '"' && plainSafe(s)) return s;
  return JSON.stringify(s);
}

function render(value: LiteralValue, like?: string): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return renderNumber(value);
  if (typeof value === "string") return renderString(value, like);
  return `[${value.map(renderNumber).join(", ")}]`;
}

/** A new key, quoted as the mapping's first key is. */
function renderKey(text: string, own: MappingEntry[], key: string): string {
  const first = own[0] ? text[own[0].keySpan.start] : undefined;
  if (first === "'") return singleQuoted(key);
  if (first === '"') return JSON.stringify(key);
  return plainSafe(key) ? key : JSON.stringify(key);
}

/** The offset where the line holding `offset` ends (before its line break). */
function lineEnd(text: string, offset: number): number {
  let at = offset;
  while (at < text.length && text[at] !== "\n" && text[at] !== "\r") at++;
  return at;
}

/** The column of an offset on its line. */
function columnOf(text: string, offset: number): number {
  const lineStart = Math.max(text.lastIndexOf("\n", offset - 1), text.lastIndexOf("\r", offset - 1)) + 1;
  return offset - lineStart;
}

/** Adds `key: value` after the mapping's last entry: on its own line at the keys' indentation, or `, key: value` in a flow mapping. */
function addEntry(text: string, mapping: MappingValue, own: MappingEntry[], key: string, value: string): TextEdit | string {
  const last = own[own.length - 1];
  if (!last) return "the mapping has no entries to follow";
  const entry = `${renderKey(text, own, key)}: ${value}`;
  if (text[mapping.span.start] === "{") return { span: { start: last.span.end, end: last.span.end }, text: `, ${entry}` };
  // Block mapping: after the end of the last entry's line (a trailing comment stays on its line).
  let end = last.span.end;
  while (end > last.span.start && (text[end - 1] === "\n" || text[end - 1] === "\r")) end--;
  const at = lineEnd(text, end);
  const indent = " ".repeat(columnOf(text, own[0].keySpan.start));
  return { span: { start: at, end: at }, text: `${lineEnding(text)}${indent}${entry}` };
}

export const yamlSyntax: ConfigSyntax = { render, addEntry, parses };
