/**
 * What the language server knows about the project: the configuration that applies to each document
 * (found from the document's folder, as the CLI finds it) and the last lint result of each open document.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { RULES } from "../../rules/index.js";
import { ConfigFinder } from "../config/load.js";
import { SettingsResolver } from "../config/resolve.js";
import { adapterFor, lintText } from "../default-linter.js";
import { fileErrorResult, type FileResult, type RuleSetting } from "../core/results.js";

/** The configuration file names whose change reloads the configuration. */
export const CONFIG_FILE_NAMES = ["pyproject.toml", "optim-lint.toml"] as const;

/** The outcome of linting one document: a result, or the configuration error that prevented it. */
export type LintOutcome = { result: FileResult; configError?: undefined } | { result?: undefined; configError: string };

interface CacheEntry {
  text: string;
  settingsKey: string;
  outcome: LintOutcome;
}

/** Whether a path names a configuration file. */
export function isConfigFile(filePath: string): boolean {
  return (CONFIG_FILE_NAMES as readonly string[]).includes(path.basename(filePath));
}

/**
 * The file path a document stands for: its file on disk, or for an unsaved buffer a path in the root
 * folder, with `.py` added to a Python buffer whose name has no extension an adapter handles.
 */
export function documentPath(uri: string, languageId: string, root: string): string {
  let filePath: string;
  if (uri.startsWith("file:")) {
    filePath = fileURLToPath(uri);
  } else {
    const name = decodeURIComponent(uri.replace(/^[a-z][a-z0-9+.-]*:/i, "").split(/[/\\]/).pop() || "untitled");
    filePath = path.join(root, name);
  }
  if (languageId === "python" && !adapterFor(filePath)) filePath += ".py";
  return filePath;
}

/** A key that changes when the rules, their severities or their options change. */
function settingsKey(settings: RuleSetting[]): string {
  return settings.map((s) => `${s.rule.meta.code}:${s.severity}:${JSON.stringify(s.options)}`).join("|");
}

/** Lints documents under the project's configuration, keeping each document's last result. */
export class WorkspaceLinter {
  private configs!: ConfigFinder;
  private resolver!: SettingsResolver;
  private readonly cache = new Map<string, CacheEntry>();
  /** How many analyses ran (cache misses): lets tests and the bench see that unchanged text is not re-analyzed. */
  analyses = 0;

  constructor(readonly root: string) {
    this.reloadConfiguration();
  }

  /** Forgets every configuration file read so far; the next lint of each document reads them again. */
  reloadConfiguration(): void {
    this.configs = new ConfigFinder(RULES, this.root);
    this.resolver = new SettingsResolver({ rules: RULES, cli: { selection: {}, rules: new Map() } });
  }

  /** The rule settings for a file, resolved the way the CLI resolves them; throws on a broken configuration. */
  settingsFor(filePath: string): RuleSetting[] {
    return this.resolver.settingsFor(filePath, this.configs.forDirectory(path.dirname(filePath)));
  }

  /** The lint outcome of a document's text; unchanged text under unchanged settings is not analyzed again. */
  lint(uri: string, filePath: string, text: string): LintOutcome {
    let settings: RuleSetting[];
    try {
      settings = this.settingsFor(filePath);
    } catch (error) {
      const outcome = { configError: (error as Error).message };
      this.cache.delete(uri);
      return outcome;
    }
    const key = settingsKey(settings);
    const cached = this.cache.get(uri);
    if (cached && cached.text === text && cached.settingsKey === key) return cached.outcome;
    this.analyses++;
    const outcome: LintOutcome = { result: lintSafely(text, filePath, settings, false) };
    this.cache.set(uri, { text, settingsKey: key, outcome });
    return outcome;
  }

  /** The text with every safe fix applied (the CLI's fix loop), or undefined when nothing changes. */
  fixAll(filePath: string, text: string): string | undefined {
    const result = lintSafely(text, filePath, this.settingsFor(filePath), true);
    return result.output;
  }

  /** Drops a closed document's result. */
  forget(uri: string): void {
    this.cache.delete(uri);
  }
}

/** lintText, with a crash turned into one fatal message so that a broken document cannot stop the server. */
function lintSafely(text: string, filePath: string, rules: RuleSetting[], fix: boolean): FileResult {
  try {
    return lintText(text, { filePath, rules, fix });
  } catch (error) {
    if (fix) throw error;
    return fileErrorResult(filePath, `Internal error while linting this file: ${(error as Error).message}`);
  }
}
