/**
 * Rule selection the way Ruff does it: `select` replaces the inherited set, `extend-select` adds to it,
 * `ignore` removes from it, and within one layer a more specific selector wins over a broader one.
 * A selector is `ALL`, a rule code (`OPT001`), a rule name (`adam-weight-decay`) or a code prefix (`OPT0`).
 */
import type { Rule } from "../core/types.js";
import { UsageError, didYouMean } from "./errors.js";

/** One layer of selection settings (the defaults, a config file, the command line). */
export interface RuleSelection {
  select?: string[];
  extendSelect?: string[];
  ignore?: string[];
}

/** The rules a selector names and how specific it is (exact names beat prefixes beat `ALL`). */
export interface SelectorMatch {
  rules: Rule<unknown>[];
  specificity: number;
}

const EXACT = 1000;

/** What a selector names, or undefined when it names nothing. */
export function matchSelector(selector: string, rules: readonly Rule<unknown>[]): SelectorMatch | undefined {
  const wanted = selector.trim();
  if (wanted.toUpperCase() === "ALL") return { rules: [...rules], specificity: 0 };
  const byName = rules.filter((r) => r.meta.name === wanted || r.meta.code.toUpperCase() === wanted.toUpperCase());
  if (byName.length > 0) return { rules: byName, specificity: EXACT };
  if (!/^[A-Za-z]+\d*$/.test(wanted)) return undefined;
  const prefix = wanted.toUpperCase();
  const byPrefix = rules.filter((r) => r.meta.code.toUpperCase().startsWith(prefix));
  return byPrefix.length > 0 ? { rules: byPrefix, specificity: prefix.length } : undefined;
}

/** Every spelling a user may write for a rule: codes and names. */
export function ruleSpellings(rules: readonly Rule<unknown>[]): string[] {
  return rules.flatMap((r) => [r.meta.code, r.meta.name]);
}

/** Throws a usage error naming the closest rule when a selector names no rule. */
export function checkSelectors(selectors: readonly string[] | undefined, rules: readonly Rule<unknown>[], where: string): void {
  for (const selector of selectors ?? []) {
    if (!matchSelector(selector, rules)) {
      throw new UsageError(`Unknown rule "${selector}" in ${where}${didYouMean(selector, ruleSpellings(rules))}`);
    }
  }
}

/** Applies one layer to the enabled set: a `select` starts afresh; then the layer's selectors from broad to specific. */
function applyLayer(enabled: Set<string>, layer: RuleSelection, rules: readonly Rule<unknown>[]): Set<string> {
  const next = layer.select !== undefined ? new Set<string>() : new Set(enabled);
  const steps: { match: SelectorMatch; enable: boolean }[] = [];
  const add = (selectors: string[] | undefined, enable: boolean): void => {
    for (const selector of selectors ?? []) {
      const match = matchSelector(selector, rules);
      if (match) steps.push({ match, enable });
    }
  };
  add(layer.select, true);
  add(layer.extendSelect, true);
  add(layer.ignore, false);
  steps.sort((a, b) => a.match.specificity - b.match.specificity || Number(b.enable) - Number(a.enable));
  for (const step of steps) {
    for (const rule of step.match.rules) {
      if (step.enable) next.add(rule.meta.name);
      else next.delete(rule.meta.name);
    }
  }
  return next;
}

/** Names of the rules enabled after applying the layers in order, starting from every rule. */
export function selectedRuleNames(rules: readonly Rule<unknown>[], layers: readonly RuleSelection[]): Set<string> {
  let enabled = new Set(rules.map((r) => r.meta.name));
  for (const layer of layers) enabled = applyLayer(enabled, layer, rules);
  return enabled;
}
