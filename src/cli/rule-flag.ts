/** The `--rule` flag, ESLint's way of setting one rule's severity (and options) from the command line. */
import { UsageError } from "../config/errors.js";
import { findRule, parseRuleConfig, type RuleConfig } from "../config/load.js";
import type { Rule } from "../core/types.js";

/** Parses one `--rule` spec: `OPT002: error`, `OPT002: ["warning", {...}]` or `OPT002: {"severity": "warning", ...}`. */
export function parseRuleFlag(spec: string, rules: readonly Rule<unknown>[]): [string, RuleConfig] {
  const colon = spec.indexOf(":");
  if (colon < 0) throw new UsageError(`--rule expects "<rule>: <severity>", got "${spec}"`);
  const rule = findRule(spec.slice(0, colon).trim(), rules, "--rule");
  const raw = spec.slice(colon + 1).trim();
  let value: unknown = raw.replace(/^(["'])(.*)\1$/, "$2");
  if (raw.startsWith("[") || raw.startsWith("{")) {
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new UsageError(`--rule "${spec}": the value is not valid JSON (${(error as Error).message})`);
    }
    if (Array.isArray(value)) {
      const [severity, options] = value as [unknown, unknown];
      value = { ...(typeof options === "object" && options !== null ? options : {}), severity };
    }
  }
  return [rule.meta.name, parseRuleConfig(rule, value, "--rule")];
}
