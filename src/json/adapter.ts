/**
 * The JSON adapter (DeepSpeed, HF `TrainingArguments` and other JSON configs): the text is read as JSONC, so
 * comments and trailing commas are accepted as VS Code and many config loaders accept them; duplicate keys
 * are an error. `NaN`, `Infinity` and `-Infinity`, which Python's `json` writes and reads, are unknown values, and
 * JSON Lines saved as `.json` (one record a line) is data: neither a config nor an error. The object tree goes to
 * the one config recognizer; fixes edit the text in place.
 */
import { parseTree, printParseErrorCode, visit, type Node, type ParseError } from "jsonc-parser";
import type { MappingEntry, ResolvedValue, Span } from "../core/facts.js";
import type { AnalyzedFile, LanguageAdapter, LiteralValue, SourceComment, TextEdit } from "../core/types.js";
import { LineIndex } from "../core/lines.js";
import { configEdits, configFacts, configMayMatter, CONFIG_FACT_WORDS, lineEnding, CONFIG_WALK_SIZE_LIMIT, type ConfigSyntax } from "../configs/file-adapter.js";
import type { MappingValue } from "../configs/recognize.js";

const OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true };

type SyntaxError = { span: Span; message: string };

const spanOf = (node: Node): Span => ({ start: node.offset, end: node.offset + node.length });

/** Words for the parser's error codes. */
const ERROR_WORDS: Record<string, string> = {
  InvalidSymbol: "unexpected character",
  InvalidNumberFormat: "malformed number",
  PropertyNameExpected: "a quoted key was expected",
  ValueExpected: "a value was expected",
  ColonExpected: "a colon was expected",
  CommaExpected: "a comma was expected",
  CloseBraceExpected: "a closing } was expected",
  CloseBracketExpected: "a closing ] was expected",
  EndOfFileExpected: "nothing may follow the top-level value",
  UnexpectedEndOfComment: "unterminated comment",
  UnexpectedEndOfString: "unterminated string",
  UnexpectedEndOfNumber: "unterminated number",
  InvalidUnicode: "invalid \\u escape",
  InvalidEscapeCharacter: "invalid escape sequence",
  InvalidCharacter: "control character in a string",
};

/**
 * Python's `json` writes and reads `NaN`, `Infinity` and `-Infinity` (results and metrics files hold them): each is
 * masked as a string of the same length, whose value is then unknown, so spans stay those of the text.
 */
function maskNonFinite(text: string): { masked: string; at: Set<number> } {
  const at = new Set<number>();
  if (!/NaN|Infinity/.test(text)) return { masked: text, at };
  // Outside strings and comments only: a string's "NaN" is a string.
  const token = /"(?:[^"\\\n]|\\.)*"?|\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|(?<![\w.])(-?Infinity|NaN)(?![\w.])/g;
  const masked = text.replace(token, (match: string, bare: string | undefined, offset: number) => {
    if (bare === undefined) return match;
    at.add(offset);
    return `"${"X".repeat(match.length - 2)}"`;
  });
  return { masked, at };
}

/** The tree of a JSON value; duplicate keys are reported as errors; strings that mask a non-finite number are unknown. */
function tree(node: Node, errors: SyntaxError[], text: string, nonFinite: Set<number>): ResolvedValue {
  const span = spanOf(node);
  const literal = (value: ResolvedValue["value"]): ResolvedValue => ({ value, span, literalSpan: span, dependsOn: [] });
  switch (node.type) {
    case "string":
      if (nonFinite.has(node.offset)) return { value: { kind: "unknown" }, span, dependsOn: [] };
      return literal({ kind: "string", value: node.value as string });
    case "number":
      return literal({ kind: "number", value: node.value as number });
    case "boolean":
      return literal({ kind: "bool", value: node.value as boolean });
    case "null":
      return literal({ kind: "none" });
    case "array":
      return literal({ kind: "sequence", items: (node.children ?? []).map((c) => tree(c, errors, text, nonFinite)) });
    case "object": {
      const entries: MappingEntry[] = [];
      const seen = new Map<string, Node>();
      for (const property of node.children ?? []) {
        const [key, value] = property.children ?? [];
        if (!key || !value) continue;
        const name = key.value as string;
        const first = seen.get(name);
        if (first) {
          const at = new LineIndex(text).position(first.offset);
          errors.push({ span: spanOf(key), message: `Duplicate key ${JSON.stringify(name)} in a JSON object (first at line ${at.line}, column ${at.column}; readers disagree on which value counts: keep one)` });
        }
        seen.set(name, key);
        entries.push({ key: name, keySpan: spanOf(key), value: tree(value, errors, text, nonFinite), span: spanOf(property) });
      }
      return { value: { kind: "mapping", entries }, span, dependsOn: [] };
    }
    default:
      return { value: { kind: "unknown" }, span, dependsOn: [] };
  }
}

/** Whether every non-blank line holds one whole JSON object or array, as in JSON Lines. */
function isJsonLines(text: string): boolean {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  return lines.length > 1 && lines.every((line) => {
    const errors: ParseError[] = [];
    const node = parseTree(line, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
    return errors.length === 0 && (node?.type === "object" || node?.type === "array");
  });
}

/** Parses a text: the root tree (absent for empty text), errors, and comments. */
function parseJson(text: string): { root?: ResolvedValue; errors: SyntaxError[]; comments: SourceComment[] } {
  const parseErrors: ParseError[] = [];
  const { masked, at } = maskNonFinite(text);
  const node = parseTree(masked, parseErrors, OPTIONS);
  // JSON Lines saved as .json (a data set, one record a line): data, not a config, and not an error either.
  if (parseErrors[0] && printParseErrorCode(parseErrors[0].error) === "EndOfFileExpected" && isJsonLines(masked)) return { errors: [], comments: [] };
  // Past the first error the parser's errors mostly follow from it (a template's placeholder gives two or
  // three each): the first one is the file's parsing error.
  const errors: SyntaxError[] = parseErrors.slice(0, 1).map((e) => {
    const code = printParseErrorCode(e.error);
    return { span: { start: e.offset, end: e.offset + Math.max(e.length, 0) }, message: `${ERROR_WORDS[code] ?? code} (invalid JSON)` };
  });
  const root = node && errors.length === 0 ? tree(node, errors, text, at) : undefined;
  const comments: SourceComment[] = [];
  if (text.includes("/")) {
    const lines = new LineIndex(text);
    visit(text, {
      onComment: (offset, length, _startLine, startCharacter) => {
        const body = text.slice(offset, offset + length).replace(/^\/[/*]\s*|\s*\*\/$/g, "");
        const lineStart = offset - startCharacter;
        // Directives are written `# …` in every language; a JSONC comment carries the same words after `//`.
        comments.push({ line: lines.lineOf(offset), text: `# ${body}`, ownLine: text.slice(lineStart, offset).trim() === "" });
      },
    }, OPTIONS);
  }
  return { root, errors, comments };
}

function analyzeJson(source: string, filePath = "<text>"): AnalyzedFile {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const { root, errors, comments } = parseJson(text);
  const roots = errors.length === 0 && root ? [root] : [];
  return { text, facts: configFacts(roots, filePath), configRoots: roots, syntaxErrors: errors, comments };
}

function render(value: LiteralValue): string | string[] {
  const numbers = typeof value === "number" ? [value] : Array.isArray(value) ? value : [];
  if (numbers.some((n) => !Number.isFinite(n))) return ["JSON has no NaN or infinite numbers"];
  return Array.isArray(value) ? `[${value.map((n) => JSON.stringify(n)).join(", ")}]` : JSON.stringify(value);
}

/** Adds `"key": value` after the object's last property: on its own line with its indentation, or inline in a one-line object. */
function addEntry(text: string, mapping: MappingValue, own: MappingEntry[], key: string, value: string): TextEdit | string {
  const last = own[own.length - 1];
  if (!last) return "the object has no properties to follow";
  const entry = `${JSON.stringify(key)}: ${value}`;
  const at = last.span.end;
  if (!/[\r\n]/.test(text.slice(mapping.span.start, at))) return { span: { start: at, end: at }, text: `, ${entry}` };
  const lineStart = Math.max(text.lastIndexOf("\n", last.span.start - 1), text.lastIndexOf("\r", last.span.start - 1)) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart, last.span.start))![0];
  return { span: { start: at, end: at }, text: `,${lineEnding(text)}${indent}${entry}` };
}

const jsonSyntax: ConfigSyntax = {
  render,
  addEntry,
  parses: (text) => parseJson(text).errors.length === 0,
};

export const jsonAdapter: LanguageAdapter = {
  name: "json",
  handles: (filePath) => /\.json$/i.test(filePath),
  analyze: analyzeJson,
  edits: (file, request) => configEdits(file, jsonSyntax, request),
  parses: jsonSyntax.parses,
  mayMatter: configMayMatter,
  // Configs hold no checkpoint calls or hand-written updates: no text of theirs yields those kinds.
  factWords: { optimizers: CONFIG_FACT_WORDS, checkpoints: {}, manualAdam: {} },
  walkSizeLimit: CONFIG_WALK_SIZE_LIMIT,
};
