/**
 * The YAML adapter: every document of a file becomes a config tree (src/yaml/tree.ts) that the one config
 * recognizer reads; `#` comments carry suppression directives; fixes edit the text in place, so comments,
 * anchors, key order and quoting stay as written.
 */
import { Parser, isScalar, visit, type Document } from "yaml";
import type { ResolvedValue, Span } from "../core/facts.js";
import type { AnalyzedFile, LanguageAdapter, SourceComment } from "../core/types.js";
import { LineIndex } from "../core/lines.js";
import { configEdits, configFacts, configMayMatter, CONFIG_FACT_WORDS, CONFIG_WALK_SIZE_LIMIT } from "../configs/file-adapter.js";
import { isMapping } from "../configs/recognize.js";
import { resolveInterpolations } from "../configs/references.js";
import { hasTemplateTags, unparsedHint, type UnparsedKind } from "../configs/data-files.js";
import { stripBom } from "../core/source-text.js";
import { documentTree } from "./tree.js";
import { composeYaml, yamlSyntax } from "./render.js";

interface ParsedYaml {
  docs: Document.Parsed[];
  /** Each with the parser's error code (`DUPLICATE_KEY`, `TAG_RESOLVE_FAILED`, ...). */
  errors: { span: Span; message: string; code: string }[];
  comments: { offset: number; text: string }[];
  /**
   * The text breaks YAML 1.2 only by how it indents the lines of a flow collection or quoted scalar (PyYAML reads
   * it): only its duplicate keys are kept as errors, and nothing is read from it, since the parse of the text as
   * written is not what runs.
   */
  laxIndentOnly?: true;
}

/** Collects the comment tokens anywhere in a CST token. */
function collectComments(token: unknown, out: ParsedYaml["comments"]): void {
  if (Array.isArray(token)) {
    for (const item of token) collectComments(item, out);
    return;
  }
  if (!token || typeof token !== "object") return;
  const t = token as { type?: string; offset?: number; source?: string };
  if (t.type === "comment" && typeof t.offset === "number" && typeof t.source === "string") {
    out.push({ offset: t.offset, text: t.source });
    return;
  }
  for (const value of Object.values(token)) if (value && typeof value === "object") collectComments(value, out);
}

/** The source of the key that starts at an offset (plain or quoted). */
function keyAt(text: string, offset: number): string {
  const m = /^(?:"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\r\n]|'')*'|[^:#,{}[\]\r\n]*[^:#,{}[\]\s])/.exec(text.slice(offset, offset + 1024));
  return m ? m[0] : text.slice(offset, offset + 1);
}

/** A parser error with a message that leaves the position to the engine. */
function syntaxError(text: string, code: string, message: string, pos: [number, number]): ParsedYaml["errors"][number] {
  let start = Math.min(pos[0], text.length);
  if (code === "DUPLICATE_KEY") {
    // After a key with an empty value (`datasets:` then `datasets:`), the position is the end of that line: the key is the next one.
    while (start < text.length && /\s/.test(text[start])) start++;
    const key = keyAt(text, start);
    return { span: { start, end: start + key.length }, message: `Duplicate key ${key} in a YAML mapping (readers disagree on which value counts: keep one)`, code };
  }
  const end = Math.min(Math.max(pos[1], start), text.length);
  return { span: { start, end }, message: `${message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")} (invalid YAML)`, code };
}

/** Characters after which a quote or bracket opens a quoted scalar or flow collection (besides the start of a line). */
const OPENS_AFTER_SPACE = new Set([":", "-", "?"]);
const OPENS_IN_FLOW = new Set([",", "[", "{", ":"]);

/**
 * The text with every line that continues a flow collection or a quoted scalar begun on an earlier line indented
 * past the line that began it, or undefined when no line needs it. YAML 1.2 wants those lines indented more than
 * their block; PyYAML ignores their indentation, and it changes neither a collection nor a quoted scalar's value
 * (folding drops a continuation line's leading spaces). Document markers are left alone.
 */
export function flowLinesIndented(text: string): string | undefined {
  let depth = 0;
  let quote: string | undefined;
  let base = 0;
  let changed = false;
  const out: string[] = [];
  for (const line of text.split(/(?<=\n)/)) {
    const indent = /^[ \t]*/.exec(line)![0].length;
    let body = line;
    if ((depth > 0 || quote !== undefined) && line.trim() !== "" && indent <= base && !/^(?:---|\.\.\.)(?:\s|$)/.test(line)) {
      body = " ".repeat(base + 1) + line.slice(indent);
      changed = true;
    }
    out.push(body);
    let last = -1;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quote === '"') {
        if (c === "\\") i++;
        else if (c === '"') quote = undefined;
        continue;
      }
      if (quote === "'") {
        if (c === "'" && line[i + 1] === "'") i++;
        else if (c === "'") quote = undefined;
        continue;
      }
      if (/\s/.test(c)) continue;
      if (c === "#" && (i === 0 || /\s/.test(line[i - 1]))) break;
      const prev = last >= 0 ? line[last] : undefined;
      const opens = prev === undefined || (OPENS_AFTER_SPACE.has(prev) && last < i - 1) || (depth > 0 && OPENS_IN_FLOW.has(prev));
      if ((c === "!" || c === "&") && opens) {
        // A node's tag or anchor (`!new:torch.nn.ModuleList [`, `&opt {`) comes before what it marks: skipping it,
        // the collection or quote after it opens as it would in its place. Neither holds a space or a flow indicator.
        while (i + 1 < line.length && !/[\s,[\]{}]/.test(line[i + 1])) i++;
        continue;
      }
      if ((c === '"' || c === "'") && opens) {
        if (depth === 0) base = indent;
        quote = c;
      } else if ((c === "[" || c === "{") && (opens || depth > 0)) {
        if (depth === 0) base = indent;
        depth++;
      } else if ((c === "]" || c === "}") && depth > 0) depth--;
      last = i;
    }
  }
  return changed ? out.join("") : undefined;
}

/** How many duplicate keys a text has, or undefined when it has any other error. */
function duplicatesOnly(text: string): number | undefined {
  let duplicates = 0;
  for (const doc of composeYaml(text)) {
    for (const e of doc.errors) {
      if (e.code !== "DUPLICATE_KEY") return undefined;
      duplicates++;
    }
  }
  return duplicates;
}

/** Parses every document once, keeping the comments of the token stream. */
export function parseYaml(text: string): ParsedYaml {
  const tokens = [...new Parser().parse(text)];
  const docs = [...composeYaml(text, tokens)];
  const comments: ParsedYaml["comments"] = [];
  collectComments(tokens, comments);
  // Each duplicate key is a problem of its own; of the other errors, those after a document's first mostly follow from it.
  const errors = docs.flatMap((doc) => {
    const broken = doc.errors.find((e) => e.code !== "DUPLICATE_KEY");
    return doc.errors.filter((e) => e.code === "DUPLICATE_KEY" || e === broken).map((e) => syntaxError(text, e.code, e.message, e.pos));
  });
  if (errors.some((e) => e.code !== "DUPLICATE_KEY")) {
    const indented = flowLinesIndented(text);
    // Duplicate keys are a problem of their own: a file that also has some keeps them when the indented text has
    // the same ones (and no other error), and only the indentation error goes.
    const duplicates = errors.filter((e) => e.code === "DUPLICATE_KEY");
    if (indented !== undefined && duplicatesOnly(indented) === duplicates.length) return { docs, errors: duplicates, comments, laxIndentOnly: true };
  }
  return { docs, errors, comments };
}

/**
 * What a text that fails to parse is (see src/configs/data-files.ts): a template when it has template tags; data
 * when only tags break it (tag handles its own loader defines, as in a multi-document log or a Unity asset); else a
 * config when a document, as far as it parses, or a key line of the text has a key a training config sets, and data
 * when none has.
 */
export function unparsedYamlKind(text: string, parsed: ParsedYaml): UnparsedKind {
  if (hasTemplateTags(text, "#")) return "template";
  const broken = parsed.errors.filter((e) => e.code !== "DUPLICATE_KEY");
  if (broken.length > 0 && broken.every((e) => e.code === "TAG_RESOLVE_FAILED")) return "data";
  let config = false;
  for (const doc of parsed.docs) {
    visit(doc, {
      Pair: (_, pair) => {
        if (isScalar(pair.key) && typeof pair.key.value === "string" && configMayMatter(pair.key.value)) config = true;
      },
    });
    if (config) return "config";
  }
  // An error can swallow the rest of a document (a tab as indentation leaves the keys after it unread), so the key
  // lines of the text count too: a block key or a list item's key, outside comments.
  return keyLines(text).some(configMayMatter) ? "config" : "data";
}

/** A line's mapping key at its start (`  lr: 0.1`, `- optimizer: adam`, `"lr": 0.1`), skipping comment lines. */
const KEY_LINE = /^[ \t]*(?:-[ \t]+)*(?:"([^"\r\n]+)"|'([^'\r\n]+)'|([^\s#"'{}[\],:][^\r\n:#]*?))[ \t]*:(?:[ \t]|$)/gm;

/** The keys written at the start of a YAML text's lines. */
function keyLines(text: string): string[] {
  return [...text.matchAll(KEY_LINE)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/**
 * Signs that a YAML text may be a template or documents for another loader (template tags, tag handles): only then
 * does the walk parse it to decide (every other YAML file with a config word is analyzed, and reported if broken).
 */
const TEMPLATE_OR_TAGS = /\{\{|\{%|![\w-]*!/;

/**
 * Whether a YAML file found by walking a folder may be a training config: it has a config word and, when it shows
 * template tags or tag handles, it parses or is neither data nor a template.
 */
function yamlMayMatter(text: string): boolean {
  if (!configMayMatter(text)) return false;
  if (!TEMPLATE_OR_TAGS.test(text)) return true;
  const body = stripBom(text);
  const parsed = parseYaml(body);
  return parsed.errors.every((e) => e.code === "DUPLICATE_KEY") || unparsedYamlKind(body, parsed) === "config";
}

/** Suppression comments with their lines. */
function sourceComments(text: string, comments: ParsedYaml["comments"]): SourceComment[] {
  const lines = new LineIndex(text);
  return comments.map((c) => {
    const line = lines.lineOf(c.offset);
    const lineStart = lines.position(c.offset).column - 1;
    return { line, text: c.text, ownLine: text.slice(c.offset - lineStart, c.offset).trim() === "" };
  });
}

export function analyzeYaml(source: string, filePath = "<text>"): AnalyzedFile {
  const text = stripBom(source);
  const parsed = parseYaml(text);
  // A broken file's parsing errors say what it looks like when it is a template or data (named on the command line).
  if (parsed.errors.some((e) => e.code !== "DUPLICATE_KEY")) {
    const hint = unparsedHint(unparsedYamlKind(text, parsed));
    if (hint) for (const e of parsed.errors) if (e.code !== "DUPLICATE_KEY") e.message = e.message.replace(/\(invalid YAML\)$/, `(invalid YAML${hint})`);
  }
  // A file with errors has no facts: a value next to a duplicate key or a broken line may not be what runs. A lax
  // indentation-only file keeps no error for what breaks it (PyYAML reads it), so its docs, parsed as YAML 1.2 with
  // that error, are left unread through `laxIndentOnly` (without it the flow test in test/configs/yaml.test.ts reads
  // an AdamW from pointbert.yaml's broken parse).
  const roots = parsed.errors.length > 0 || parsed.laxIndentOnly ? [] : parsed.docs.map((doc) => documentTree(doc, text)).filter((r): r is ResolvedValue => r !== undefined);
  // OmegaConf's relative interpolations (`${.lr}`) read the file itself; absolute ones wait for the Hydra composition.
  const judged = text.includes("${") ? roots.map((r) => (isMapping(r) ? resolveInterpolations(r, filePath, false) : r)) : roots;
  return { text, facts: configFacts(judged, filePath), configRoots: roots, syntaxErrors: parsed.errors, comments: sourceComments(text, parsed.comments) };
}

export const yamlAdapter: LanguageAdapter = {
  name: "yaml",
  handles: (filePath) => /\.ya?ml$/i.test(filePath),
  analyze: analyzeYaml,
  edits: (file, request) => configEdits(file, yamlSyntax, request),
  parses: yamlSyntax.parses,
  mayMatter: yamlMayMatter,
  // Configs hold no checkpoint calls or hand-written updates: no text of theirs yields those kinds.
  factWords: { optimizers: CONFIG_FACT_WORDS, checkpoints: {}, manualAdam: {} },
  walkSizeLimit: CONFIG_WALK_SIZE_LIMIT,
};
