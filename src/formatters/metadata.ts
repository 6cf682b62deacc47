/** ESLint-shaped `rulesMeta` for the rules that appear in results. */
import type { FileResult } from "../core/results.js";
import type { Rule } from "../core/types.js";
import type { EslintRuleMeta } from "./types.js";

/** A rule's metadata as ESLint consumers read it (`docs.url`, `docs.description`, `type`). */
function eslintRuleMeta(rule: Rule<unknown>, url: string | undefined): EslintRuleMeta {
  const meta: EslintRuleMeta = {
    type: rule.meta.type,
    docs: { description: rule.meta.docs.summary, ...(url ? { url } : {}), recommended: true },
    messages: {},
    code: rule.meta.code,
    priority: rule.meta.priority,
    defaultSeverity: rule.meta.defaultSeverity,
  };
  if (rule.meta.fixable) meta.fixable = "code";
  if (rule.meta.hasSuggestions) meta.hasSuggestions = true;
  return meta;
}

/** Metadata keyed by rule name for every rule that reported in the results (suppressed reports included). */
export function rulesMetaFor(results: readonly FileResult[], rules: readonly Rule<unknown>[]): Record<string, EslintRuleMeta> {
  const urls = new Map<string, string | undefined>();
  for (const result of results) {
    for (const message of [...result.messages, ...result.suppressedMessages]) {
      if (message.ruleId && !urls.get(message.ruleId)) urls.set(message.ruleId, message.docsUrl);
    }
  }
  const out: Record<string, EslintRuleMeta> = {};
  for (const rule of rules) {
    if (urls.has(rule.meta.name)) out[rule.meta.name] = eslintRuleMeta(rule, urls.get(rule.meta.name));
  }
  return out;
}
