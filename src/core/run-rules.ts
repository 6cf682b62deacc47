/** Runs the enabled rules on one file's facts and collects what they report. */
import type { Knowledge } from "../knowledge/index.js";
import type { LintMessage, RuleSetting } from "./results.js";
import type { AnalyzedFile, Report } from "./types.js";
import type { TrainingFacts } from "./facts.js";
import { inDialectKeys } from "./dialect-keys.js";
import { factsPending } from "./pending-facts.js";

/** A report, the setting of the rule that made it, and the facts of the program it was made from (the file's or one of its units'). */
export interface RuleReport {
  setting: RuleSetting;
  report: Report;
  facts: TrainingFacts;
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
  // Each program of the file apart (a notebook's kernel and each script it writes): one's names and facts say nothing
  // of another's. A rule reports from an optimizer construction or a hand-written update: facts still pending hold
  // neither, unless a joiner has placed a construction there since.
  const programs = [file, ...(file.units ?? [])].filter(({ facts }) => !factsPending(facts) || facts.optimizers.length > 0);
  if (programs.length === 0) return { reports, crashes };
  for (const setting of settings) {
    const { rule } = setting;
    const found: { facts: TrainingFacts; report: Report }[] = [];
    const options = { ...rule.defaultOptions, ...setting.options };
    try {
      for (const { facts } of programs) {
        rule.check({ facts, options, knowledge, text: file.text, filePath, textOf, report: (report) => found.push({ facts, report }) });
      }
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
    for (const { facts, report } of found) reports.push({ setting, report: inDialectKeys(report, facts), facts });
  }
  return { reports, crashes };
}

/** The key of an argument reference. */
function argumentKey(site: string, name: string): string {
  return `${site}\0${name}`;
}

/**
 * One problem, one report: a finding that rests on an argument another rule declared invalid (`invalidates`) is
 * dropped, so a momentum of 1.2 is reported as invalid and not also advised on (Nesterov, a schedule). Reports of
 * the rule that declared the value invalid are all kept; that rule orders its own findings.
 */
export function oneReportPerProblem(reports: readonly RuleReport[]): RuleReport[] {
  const invalidBy = new Map<string, Set<string>>();
  for (const { setting, report } of reports) {
    for (const ref of report.invalidates ?? []) {
      const key = argumentKey(ref.site, ref.name);
      const rules = invalidBy.get(key) ?? new Set<string>();
      invalidBy.set(key, rules.add(setting.rule.meta.name));
    }
  }
  if (invalidBy.size === 0) return [...reports];
  return reports.filter(({ setting, report }) => {
    const own = setting.rule.meta.name;
    // A report that itself declares a value invalid is never dropped for it: two rules agreeing on an invalid value both stay.
    const declared = new Set((report.invalidates ?? []).map((ref) => argumentKey(ref.site, ref.name)));
    return !(report.reads ?? []).some((ref) => {
      const key = argumentKey(ref.site, ref.name);
      return !declared.has(key) && [...(invalidBy.get(key) ?? [])].some((rule) => rule !== own);
    });
  });
}
