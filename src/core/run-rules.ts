/** Runs the enabled rules on one file's facts and collects what they report. */
import type { Knowledge } from "../knowledge/index.js";
import type { LintMessage, RuleSetting } from "./results.js";
import type { AnalyzedFile, Report } from "./types.js";
import { inDialectKeys } from "./dialect-keys.js";

/** A report and the setting of the rule that made it. */
export interface RuleReport {
  setting: RuleSetting;
  report: Report;
}

/** The reports of every rule on a file; a rule that throws becomes one fatal message instead of stopping the others. */
export function runRules(
  file: AnalyzedFile,
  filePath: string,
  settings: readonly RuleSetting[],
  knowledge: Knowledge,
  textOf: (path: string) => string | undefined,
): { reports: RuleReport[]; crashes: LintMessage[] } {
  const reports: RuleReport[] = [];
  const crashes: LintMessage[] = [];
  for (const setting of settings) {
    const { rule } = setting;
    const found: Report[] = [];
    try {
      rule.check({
        facts: file.facts,
        options: { ...rule.defaultOptions, ...setting.options },
        knowledge,
        text: file.text,
        filePath,
        textOf,
        report: (r) => found.push(r),
      });
    } catch (error) {
      crashes.push({
        ruleId: rule.meta.name,
        code: rule.meta.code,
        severity: 2,
        fatal: true,
        message: `Internal error in rule ${rule.meta.code} (${rule.meta.name}): ${(error as Error).message}`,
        line: 1,
        column: 1,
      });
      continue;
    }
    for (const report of found) reports.push({ setting, report: inDialectKeys(report, file.facts) });
  }
  return { reports, crashes };
}
