/**
 * Messages about a config site name the keys its dialect writes: a rule says `lr=3` about every optimizer, and a
 * finding on an HF TrainingArguments file says `learning_rate=3`, the key the user wrote. Rules stay dialect-blind;
 * the site's `argumentKeys` (set by the recognizer) say how its dialect spells each canonical argument.
 */
import type { OptimizerSite, Span, TrainingFacts } from "./facts.js";
import type { Report } from "./types.js";

/** Whether a span lies inside another (same file). */
function within(inner: Span, outer: Span): boolean {
  return inner.file === outer.file && inner.start >= outer.start && inner.end <= outer.end;
}

/** The innermost site with its own argument keys whose construction (or one of its arguments, when written apart) holds the span. */
function siteAt(facts: TrainingFacts, span: Span): OptimizerSite | undefined {
  let best: OptimizerSite | undefined;
  for (const site of facts.optimizers) {
    if (!site.argumentKeys) continue;
    if (!within(span, site.span) && ![...site.args.values()].some((arg) => within(span, arg.span))) continue;
    if (!best || site.span.end - site.span.start < best.span.end - best.span.start) best = site;
  }
  return best;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A text with each canonical argument, where written as a setting (`lr=`, `lr is set here`), in the dialect's spelling. */
function renamed(text: string, keys: Record<string, string>): string {
  const names = Object.keys(keys).sort((a, b) => b.length - a.length).map(escape);
  if (names.length === 0) return text;
  const pattern = new RegExp(`(?<![\\w.])(${names.join("|")})(?==|\\s+is set here)`, "g");
  return text.replace(pattern, (name) => keys[name] ?? name);
}

/** A report on a config site, with its argument names in the site's dialect (unchanged when the site has none). */
export function inDialectKeys(report: Report, facts: TrainingFacts): Report {
  const site = siteAt(facts, report.span);
  const keys = site?.argumentKeys;
  if (!keys) return report;
  return {
    ...report,
    message: renamed(report.message, keys),
    ...(report.related ? { related: report.related.map((n) => ({ ...n, message: renamed(n.message, keys) })) } : {}),
    ...(report.fix ? { fix: { ...report.fix, title: renamed(report.fix.title, keys) } } : {}),
    ...(report.suggestions ? { suggestions: report.suggestions.map((s) => ({ ...s, desc: renamed(s.desc, keys) })) } : {}),
  };
}
