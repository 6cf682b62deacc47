/**
 * The JSON adapter (DeepSpeed, HF `TrainingArguments` and other JSON configs): the text is read as JSONC, so
 * comments and trailing commas are accepted as VS Code and many config loaders accept them; duplicate keys
 * are an error. The object tree goes to the one config recognizer; fixes edit the text in place.
 */
import { createScanner, parseTree, printParseErrorCode, visit, type Node, type ParseError } from "jsonc-parser";
import type { MappingEntry, ResolvedValue, Span } from "../core/facts.js";
import type { AnalyzedFile, LanguageAdapter, LiteralValue, SourceComment, TextEdit } from "../core/types.js";
import { LineIndex } from "../core/lines.js";
import { configEdits, configFacts, configMayMatter, CONFIG_FACT_WORDS, lineEnding, CONFIG_WALK_SIZE_LIMIT, type ConfigSyntax } from "../configs/file-adapter.js";
import type { MappingValue } from "../configs/recognize.js";
import { OPTIMIZER_CLASS_NAMES } from "../python/names.js";
import { hasTemplateTags, unparsedHint, type UnparsedKind } from "../configs/data-files.js";
import { stripBom } from "../core/source-text.js";

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

/** The scanner's `SyntaxKind.Unknown` and `SyntaxKind.EOF` (the lint bundle loads the package lazily, functions only). */
const UNKNOWN_TOKEN = 16;
const EOF_TOKEN = 17;

/**
 * Bare words the scanner does not know that `pick` takes (with the `-` right before an `Infinity`), each replaced
 * by a number of the same length (`1`, `10`, `100`...), so that offsets and the spans of the values and entries
 * around it stay. Returns the new text and where each replaced word starts and ends.
 */
function replaceWords(text: string, pick: (word: string) => boolean): { text: string; at: Map<number, number> } {
  const scanner = createScanner(text, false);
  const parts: string[] = [];
  const at = new Map<number, number>();
  let copied = 0;
  let minus = -1;
  for (let token = scanner.scan(); token !== EOF_TOKEN; token = scanner.scan()) {
    if (token !== UNKNOWN_TOKEN) {
      minus = -1;
      continue;
    }
    const word = scanner.getTokenValue();
    const offset = scanner.getTokenOffset();
    if (word === "-") {
      minus = offset + 1;
      continue;
    }
    if (pick(word)) {
      // Python writes negative infinity as `-Infinity`: the sign is part of the value.
      const start = minus === offset && word === "Infinity" ? offset - 1 : offset;
      const end = offset + scanner.getTokenLength();
      parts.push(text.slice(copied, start), "1".padEnd(end - start, "0"));
      copied = end;
      at.set(start, end);
    }
    minus = -1;
  }
  if (at.size === 0) return { text, at };
  parts.push(text.slice(copied));
  return { text: parts.join(""), at };
}

/** The values Python's json module writes for non-finite floats and reads back (`json.dumps(float("nan"))`). */
const NON_FINITE = new Set(["NaN", "Infinity"]);

/** The tree of a JSON value; duplicate keys are reported as errors, numbers at `unknownAt` offsets are unknown. */
function tree(node: Node, errors: SyntaxError[], text: string, unknownAt: ReadonlyMap<number, number>): ResolvedValue {
  const span = spanOf(node);
  const literal = (value: ResolvedValue["value"]): ResolvedValue => ({ value, span, literalSpan: span, dependsOn: [] });
  switch (node.type) {
    case "string":
      return literal({ kind: "string", value: node.value as string });
    case "number":
      // NaN or an infinity: a number no rule compares against a range, so unknown.
      if (unknownAt.has(node.offset)) return { value: { kind: "unknown" }, span: { start: node.offset, end: unknownAt.get(node.offset)! }, dependsOn: [] };
      return literal({ kind: "number", value: node.value as number });
    case "boolean":
      return literal({ kind: "bool", value: node.value as boolean });
    case "null":
      return literal({ kind: "none" });
    case "array":
      return literal({ kind: "sequence", items: (node.children ?? []).map((c) => tree(c, errors, text, unknownAt)) });
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
        entries.push({ key: name, keySpan: spanOf(key), value: tree(value, errors, text, unknownAt), span: spanOf(property) });
      }
      return { value: { kind: "mapping", entries }, span, dependsOn: [] };
    }
    default:
      return { value: { kind: "unknown" }, span, dependsOn: [] };
  }
}

/** The text with NaN and the infinities as numbers (where they start), when it has any: Python's json module reads them. */
function finite(text: string): { text: string; at: Map<number, number> } {
  return /NaN|Infinity/.test(text) ? replaceWords(text, (word) => NON_FINITE.has(word)) : { text, at: new Map() };
}

/** The parser's errors and (partial, after an error) tree of a text with non-finite numbers read as numbers. */
function parsed(text: string): { node?: Node; parseErrors: ParseError[]; nonFinite: Map<number, number> } {
  const { text: readable, at } = finite(text);
  const parseErrors: ParseError[] = [];
  const node = parseTree(readable, parseErrors, OPTIONS);
  return { node, parseErrors, nonFinite: at };
}

/**
 * A placeholder a script substitutes before the file is read: `GBSIZE`, `TRAIN_BATCH`, `CL_1st_MIN`, `QuantW_FORWARD`,
 * `$LR`, `<lr>`, `%LR%`, `__LR__`. A bare `Adam`, `SGD` (an optimizer class, unquoted) or Python's `True` is a broken
 * config, not a template.
 */
const PLACEHOLDER = /^(?:[A-Z][A-Z0-9]+|[A-Z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+|\$[A-Za-z_]\w*|<[\w.-]+>|%[\w.-]+%|__\w+__)$/;
const placeholder = (word: string) => PLACEHOLDER.test(word) && !OPTIMIZER_CLASS_NAMES.has(word);

/** The key names of a (partial) tree, at any depth. */
function* keysOf(node: Node | undefined): Generator<string> {
  for (const child of node?.children ?? []) {
    if (child.type === "property" && child.children?.[0]?.type === "string") yield child.children[0].value as string;
    yield* keysOf(child);
  }
}

/**
 * What a text that fails to parse is (see src/configs/data-files.ts): a template when template tags, or placeholder
 * words alone, break it; data when it is JSON Lines (one value per line); else a config when its partial tree
 * (the parser's, from the text with NaN read) has a key a training config sets, and data when it has none.
 */
export function unparsedJsonKind(text: string, first: ParseError, partial: Node | undefined = parsed(text).node): UnparsedKind {
  if (hasTemplateTags(text, "//")) return "template";
  const { text: numbers } = finite(text);
  const filled = replaceWords(numbers, placeholder);
  if (filled.at.size > 0) {
    const errors: ParseError[] = [];
    parseTree(filled.text, errors, OPTIONS);
    if (errors.length === 0) return "template";
  }
  if (printParseErrorCode(first.error) === "EndOfFileExpected") {
    const lines = text.split(/\r\n|\r|\n/).filter((line) => line.trim() !== "");
    const oneValue = (line: string) => {
      const errors: ParseError[] = [];
      const node = parseTree(finite(line).text, errors, OPTIONS);
      return errors.length === 0 && (node?.type === "object" || node?.type === "array");
    };
    if (lines.length > 1 && lines.every(oneValue)) return "data";
  }
  // A key holding a config word (`optimizer`, `lr`, `_target_`...) is one a training config sets.
  for (const key of keysOf(partial)) if (configMayMatter(key)) return "config";
  return "data";
}

/** Parses a text: the root tree (absent for empty text), errors, and comments. */
function parseJson(text: string): { root?: ResolvedValue; errors: SyntaxError[]; comments: SourceComment[] } {
  const { node, parseErrors, nonFinite } = parsed(text);
  // Past the first error the parser's errors mostly follow from it (a template's placeholder gives two or
  // three each): the first one is the file's parsing error, with what the file looks like.
  const errors: SyntaxError[] = parseErrors.slice(0, 1).map((e) => {
    const code = printParseErrorCode(e.error);
    const hint = unparsedHint(unparsedJsonKind(text, e, node));
    return { span: { start: e.offset, end: e.offset + Math.max(e.length, 0) }, message: `${ERROR_WORDS[code] ?? code} (invalid JSON${hint})` };
  });
  const root = node && errors.length === 0 ? tree(node, errors, text, nonFinite) : undefined;
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
  const text = stripBom(source);
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

/**
 * Whether a JSON file found by walking a folder may be a training config: it has a config word, and it parses
 * (NaN and infinities included) or, when it does not, it is neither data nor a template.
 */
function jsonMayMatter(text: string): boolean {
  if (!configMayMatter(text)) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    // JSONC, NaN, or not JSON at all: the parser decides.
  }
  const body = stripBom(text);
  const { node, parseErrors } = parsed(body);
  return parseErrors.length === 0 || unparsedJsonKind(body, parseErrors[0], node) === "config";
}

export const jsonAdapter: LanguageAdapter = {
  name: "json",
  handles: (filePath) => /\.json$/i.test(filePath),
  analyze: analyzeJson,
  edits: (file, request) => configEdits(file, jsonSyntax, request),
  parses: jsonSyntax.parses,
  mayMatter: jsonMayMatter,
  // Configs hold no checkpoint calls or hand-written updates: no text of theirs yields those kinds.
  factWords: { optimizers: CONFIG_FACT_WORDS, checkpoints: {}, manualAdam: {} },
  walkSizeLimit: CONFIG_WALK_SIZE_LIMIT,
};
