/**
 * `optim-lint/eslint`: an ESLint 9 plugin that lints Python files with optim-lint. Its `python` language
 * runs optim-lint's analysis in `parse` and hands ESLint a tree whose nodes are the findings; each
 * `optim-lint/<rule-name>` ESLint rule reports its own findings, with the fix and the suggestions. Notices about
 * the file that come from no rule (a statement the parser skipped, a `_base_` that cannot be read) are reported by
 * the `optim-lint/notices` rule; a file that does not parse is a parsing error. Severities, `--fix`, formatters and
 * the editor integrations then come from ESLint.
 */
import { createRequire } from "node:module";
import { RULES } from "../../rules/index.js";
import { lintText } from "../default-linter.js";
import { docsUrl, type FixJson, type LintMessage, type RuleSetting } from "../core/results.js";
import { LineIndex } from "../core/lines.js";
import type { Rule, Severity } from "../core/types.js";

/** 1-based line, 0-based column: the language's `lineStart` and `columnStart`. */
interface Position {
  line: number;
  column: number;
}
interface Location {
  start: Position;
  end: Position;
}

/** One finding of the analysis, as a node of the tree ESLint walks. */
export interface FindingNode {
  type: "Finding";
  ruleId: string;
  message: LintMessage;
  range: [number, number];
  loc: Location;
}

/** The root of a Python file's tree: its findings under the default settings of every rule. */
export interface ModuleNode {
  type: "Module";
  filePath: string;
  findings: FindingNode[];
  /** The analysis's notices that come from no rule and are not fatal (reported by `optim-lint/notices`). */
  notices: FindingNode[];
  range: [number, number];
  loc: Location;
}

type Node = ModuleNode | FindingNode;

/** The part of ESLint's `File` a language reads. */
interface EslintFile {
  path: string;
  body: string | Uint8Array;
}

/** What ESLint passes a rule (only what these rules use). */
interface RuleContext {
  options: unknown[];
  sourceCode: PythonSourceCode;
  report(descriptor: {
    loc: Location;
    message: string;
    fix?: (fixer: Fixer) => unknown;
    suggest?: { desc: string; fix: (fixer: Fixer) => unknown }[];
  }): void;
}
interface Fixer {
  replaceTextRange(range: [number, number], text: string): unknown;
}

const VISITOR_KEYS = { Module: ["findings"], Finding: [] };

/** Every rule at its default severity and options: the analysis `parse` runs. */
const DEFAULT_SETTINGS: RuleSetting[] = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: { ...rule.defaultOptions } }));

/** The ESLint rule (`optim-lint/notices`) that reports the notices no optim-lint rule makes. */
export const NOTICES_RULE = "notices";

/** A finding node from an engine message (1-based columns become the language's 0-based ones). */
function findingNode(message: LintMessage, lines: LineIndex): FindingNode {
  const endLine = message.endLine ?? message.line;
  const endColumn = message.endColumn ?? message.column;
  return {
    type: "Finding",
    ruleId: message.ruleId ?? NOTICES_RULE,
    message,
    range: [lines.offsetAt(message.line, message.column), lines.offsetAt(endLine, endColumn)],
    loc: { start: { line: message.line, column: message.column - 1 }, end: { line: endLine, column: endColumn - 1 } },
  };
}

/** The messages of an analysis under some rule settings. */
function analyze(text: string, filePath: string, settings: RuleSetting[]): LintMessage[] {
  return lintText(text, { filePath, rules: settings }).messages;
}

/** What ESLint's rules see of a Python file. */
export class PythonSourceCode {
  readonly visitorKeys = VISITOR_KEYS;
  readonly lines: string[];
  private readonly parents = new Map<Node, ModuleNode>();

  constructor(
    readonly text: string,
    readonly ast: ModuleNode,
  ) {
    this.lines = text.split(/\r\n|\r|\n/);
    for (const finding of ast.findings) this.parents.set(finding, ast);
  }

  getLoc(node: Node): Location {
    return node.loc;
  }

  getRange(node: Node): [number, number] {
    return node.range;
  }

  getParent(node: Node): ModuleNode | undefined {
    return this.parents.get(node);
  }

  getAncestors(node: Node): Node[] {
    const parent = this.parents.get(node);
    return parent ? [parent] : [];
  }

  getText(node?: Node): string {
    return node ? this.text.slice(node.range[0], node.range[1]) : this.text;
  }

  /** The findings of one rule, analyzing again only when the ESLint configuration gives it options of its own. */
  findingsOf(rule: Rule<unknown>, options: Record<string, unknown> | undefined): FindingNode[] {
    if (options === undefined || Object.keys(options).length === 0) return this.ast.findings.filter((f) => f.ruleId === rule.meta.name);
    const settings: RuleSetting[] = [{ rule, severity: rule.meta.defaultSeverity, options: { ...(rule.defaultOptions as object), ...options } }];
    const lines = new LineIndex(this.text);
    return analyze(this.text, this.ast.filePath, settings)
      .filter((m) => m.ruleId === rule.meta.name)
      .map((m) => findingNode(m, lines));
  }

  /** The walk ESLint runs rules on: the module, then each finding. */
  *traverse(): Iterable<{ kind: 1; target: Node; phase: 1 | 2; args: Node[] }> {
    const root = this.ast;
    yield { kind: 1, target: root, phase: 1, args: [root] };
    for (const finding of root.findings) {
      yield { kind: 1, target: finding, phase: 1, args: [finding, root] };
      yield { kind: 1, target: finding, phase: 2, args: [finding, root] };
    }
    yield { kind: 1, target: root, phase: 2, args: [root] };
  }
}

/** The `python` language: ESLint reads the file as text and `parse` runs optim-lint's analysis. */
export const pythonLanguage = {
  fileType: "text" as const,
  lineStart: 1 as const,
  columnStart: 0 as const,
  nodeTypeKey: "type",
  visitorKeys: VISITOR_KEYS,
  defaultLanguageOptions: {},

  validateLanguageOptions(options: Record<string, unknown> | undefined): void {
    const unknown = Object.keys(options ?? {});
    if (unknown.length > 0) throw new TypeError(`optim-lint/python takes no language options (got ${unknown.join(", ")})`);
  },

  parse(file: EslintFile) {
    const text = typeof file.body === "string" ? file.body : new TextDecoder().decode(file.body);
    const messages = analyze(text, file.path, DEFAULT_SETTINGS);
    const fatal = messages.filter((m) => m.fatal && m.ruleId === null);
    if (fatal.length > 0) {
      return {
        ok: false as const,
        errors: fatal.map((m) => ({ message: m.message.replace(/^Parsing error: /, ""), line: m.line, column: m.column })),
      };
    }
    const lines = new LineIndex(text);
    const end = lines.position(text.length);
    const ast: ModuleNode = {
      type: "Module",
      filePath: file.path,
      findings: messages.filter((m) => m.ruleId !== null).map((m) => findingNode(m, lines)),
      notices: messages.filter((m) => m.ruleId === null && !m.fatal).map((m) => findingNode(m, lines)),
      range: [0, text.length],
      loc: { start: { line: 1, column: 0 }, end: { line: end.line, column: end.column - 1 } },
    };
    return { ok: true as const, ast };
  },

  createSourceCode(file: EslintFile, result: { ast: ModuleNode }): PythonSourceCode {
    const text = typeof file.body === "string" ? file.body : new TextDecoder().decode(file.body);
    return new PythonSourceCode(text, result.ast);
  },
};

/** A JSON schema for a rule's options object, from the types of its defaults. */
function optionsSchema(defaults: Record<string, unknown>): object[] {
  const type = (value: unknown) => (Array.isArray(value) ? "array" : value === null ? "null" : typeof value);
  const properties = Object.fromEntries(Object.entries(defaults).map(([key, value]) => [key, { type: type(value) }]));
  return Object.keys(properties).length === 0 ? [] : [{ type: "object", properties, additionalProperties: false }];
}

const fixWith = (fix: FixJson) => (fixer: Fixer) => fixer.replaceTextRange(fix.range, fix.text);

/** The ESLint rule that reports one optim-lint rule's findings. */
function eslintRule(rule: Rule<unknown>) {
  const { meta } = rule;
  return {
    meta: {
      type: meta.type,
      docs: { description: meta.docs.summary, url: docsUrl(meta.name), recommended: true },
      ...(meta.fixable ? { fixable: "code" as const } : {}),
      // A rule whose fix may be unsafe offers it as a suggestion, so it needs suggestions declared too.
      ...(meta.hasSuggestions || meta.fixable ? { hasSuggestions: true } : {}),
      schema: optionsSchema(rule.defaultOptions as Record<string, unknown>),
    },
    create(context: RuleContext) {
      return {
        Module() {
          const options = context.options[0] as Record<string, unknown> | undefined;
          for (const { message, loc } of context.sourceCode.findingsOf(rule, options)) {
            // ESLint's --fix applies every `fix`: only safe fixes go there; an unsafe one is offered as the first suggestion.
            const safeFix = meta.fixable && message.fix?.applicability === "safe" ? message.fix : undefined;
            const unsafeFix = meta.fixable && message.fix?.applicability === "unsafe" ? message.fix : undefined;
            const suggestions = [
              ...(unsafeFix ? [{ desc: `Apply the unsafe fix (it changes training dynamics: re-tune after)`, fix: unsafeFix }] : []),
              ...(meta.hasSuggestions ? (message.suggestions ?? []) : []),
            ];
            context.report({
              loc,
              message: message.message,
              ...(safeFix ? { fix: fixWith(safeFix) } : {}),
              ...(suggestions.length > 0 ? { suggest: suggestions.map((s) => ({ desc: s.desc, fix: fixWith(s.fix) })) } : {}),
            });
          }
        },
      };
    },
  };
}

/**
 * `optim-lint/notices`: what the analysis says about the file itself rather than a finding of a rule: a statement that
 * is valid Python but that the parser (tree-sitter) does not accept, skipped while the rest was analyzed; a `_base_`
 * config that is missing or a cycle. Silenced as optim-lint silences them (`# noqa` on the line, or
 * `# optim-lint: disable-file`), or by turning this rule off.
 */
const noticesRule = {
  meta: {
    type: "problem" as const,
    docs: { description: "Notices optim-lint gives about a file that come from no rule (statements it skipped, unreadable config bases)", recommended: true },
    schema: [],
  },
  create(context: RuleContext) {
    return {
      Module(node: ModuleNode) {
        for (const notice of node.notices) context.report({ loc: notice.loc, message: notice.message.message });
      },
    };
  },
};

/** ESLint has no "info": an info rule warns. */
function eslintSeverity(severity: Severity): "error" | "warn" {
  return severity === "error" ? "error" : "warn";
}

/** This package's version, for ESLint's cache keys (the module runs from `dist/src/eslint/`). */
function packageVersion(): string {
  try {
    const pkg = createRequire(import.meta.url)("../../../package.json") as { name?: string; version?: string };
    return pkg.name === "optim-lint" && pkg.version ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}

const rules: Record<string, unknown> = { ...Object.fromEntries(RULES.map((rule) => [rule.meta.name, eslintRule(rule)])), [NOTICES_RULE]: noticesRule };

const plugin = {
  meta: { name: "optim-lint", version: packageVersion() },
  languages: { python: pythonLanguage },
  rules,
  configs: {} as Record<string, unknown>,
};

/** Every rule at its default severity on `*.py` files, with the `optim-lint/python` language. */
plugin.configs.recommended = {
  name: "optim-lint/recommended",
  files: ["**/*.py"],
  plugins: { "optim-lint": plugin },
  language: "optim-lint/python",
  rules: {
    ...Object.fromEntries(RULES.map((rule) => [`optim-lint/${rule.meta.name}`, eslintSeverity(rule.meta.defaultSeverity)])),
    [`optim-lint/${NOTICES_RULE}`]: "warn",
  },
};

export default plugin;
