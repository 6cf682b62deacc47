/**
 * Per-file rule settings: the selection layers (config, then command line), per-file ignores, severities
 * and options (rule defaults, then config, then command line).
 */
import path from "node:path";
import type { RuleSetting } from "../core/results.js";
import type { Rule } from "../core/types.js";
import { globMatcher, type PathMatcher } from "./globs.js";
import type { ProjectConfig, RuleConfig } from "./load.js";
import { matchSelector, selectedRuleNames, type RuleSelection } from "./selection.js";

/** What the command line adds on top of configuration files. */
export interface CliRuleOverrides {
  selection: RuleSelection;
  rules: Map<string, RuleConfig>;
}

export interface ResolverOptions {
  rules: readonly Rule<unknown>[];
  cli: CliRuleOverrides;
  /** Run only error-level rules (`--quiet` without `--max-warnings`). */
  errorsOnly?: boolean;
}

/** The settings of one enabled rule before it is bound to a file. */
function ruleSetting(rule: Rule<unknown>, config: ProjectConfig | undefined, cli: CliRuleOverrides): RuleSetting | undefined {
  const fromConfig = config?.rules.get(rule.meta.name);
  const fromCli = cli.rules.get(rule.meta.name);
  const severity = fromCli?.severity ?? fromConfig?.severity ?? rule.meta.defaultSeverity;
  if (severity === "off") return undefined;
  const options = { ...(rule.defaultOptions as Record<string, unknown>), ...fromConfig?.options, ...fromCli?.options };
  return { rule, severity, options };
}

/** Turns configuration into the rule settings for each file, caching what files share. */
export class SettingsResolver {
  private readonly cache = new Map<string, RuleSetting[]>();
  private readonly ignoreMatchers = new Map<ProjectConfig, PathMatcher[]>();

  constructor(private readonly options: ResolverOptions) {}

  /** The rules to run on a file and how, under the configuration that applies to it (per-file ignores need an absolute path). */
  settingsFor(filePath: string, config: ProjectConfig | undefined): RuleSetting[] {
    const ignored = config && path.isAbsolute(filePath) ? this.matchingIgnores(filePath, config) : [];
    const key = `${config?.file ?? ""}\0${ignored.join(",")}`;
    let settings = this.cache.get(key);
    if (!settings) {
      settings = this.compute(config, ignored);
      this.cache.set(key, settings);
    }
    return settings;
  }

  /** Indices of the per-file-ignore entries whose glob matches the file. */
  private matchingIgnores(filePath: string, config: ProjectConfig): number[] {
    let matchers = this.ignoreMatchers.get(config);
    if (!matchers) {
      matchers = config.perFileIgnores.map((entry) => globMatcher(config.dir, [entry.pattern]));
      this.ignoreMatchers.set(config, matchers);
    }
    return matchers.flatMap((matches, i) => (matches(filePath) ? [i] : []));
  }

  private compute(config: ProjectConfig | undefined, ignored: number[]): RuleSetting[] {
    const { rules, cli, errorsOnly } = this.options;
    const layers = config ? [config.selection, cli.selection] : [cli.selection];
    const enabled = selectedRuleNames(rules, layers);
    for (const index of ignored) {
      for (const selector of config!.perFileIgnores[index].selectors) {
        for (const rule of matchSelector(selector, rules)?.rules ?? []) enabled.delete(rule.meta.name);
      }
    }
    const settings: RuleSetting[] = [];
    for (const rule of rules) {
      if (!enabled.has(rule.meta.name)) continue;
      const setting = ruleSetting(rule, config, cli);
      if (setting && (!errorsOnly || setting.severity === "error")) settings.push(setting);
    }
    return settings;
  }
}
