/** What every formatter receives: the results and, as ESLint passes it, some context. */
import type { FileResult } from "../core/results.js";
import type { RulePriority, Severity } from "../core/types.js";

/** A rule's metadata in the shape ESLint's `rulesMeta` has, which ESLint formatters and integrations read. */
export interface EslintRuleMeta {
  type: "problem" | "suggestion";
  docs: { description: string; url?: string; recommended: boolean };
  fixable?: "code";
  hasSuggestions?: boolean;
  messages: Record<string, string>;
  /** optim-lint's additions: the rule's code, its step in the debugging order and its default severity. */
  code?: string;
  priority?: RulePriority;
  defaultSeverity?: Severity;
}

export interface FormatterContext {
  cwd: string;
  rulesMeta: Record<string, EslintRuleMeta>;
  /** Whether to emit ANSI colors (the CLI decides from the terminal and NO_COLOR/FORCE_COLOR). */
  color?: boolean;
  maxWarningsExceeded?: { maxWarnings: number; foundWarnings: number };
  /** optim-lint's version, for formats that record the tool (SARIF). */
  version?: string;
  /** How much of the run was treated as test code, whose findings are left out unless tests are included. */
  testCode?: { included: boolean; files: number; hiddenFindings: number };
}

/** A pure function of the results, like an ESLint formatter module's export. */
export type Formatter = (results: FileResult[], context: FormatterContext) => string | Promise<string>;
