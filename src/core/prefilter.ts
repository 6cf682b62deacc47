/**
 * The prefilter: a test of a file's raw text, before any parsing, for the words without which it cannot hold a
 * finding of the rules that run on it. Nothing here is a hand-kept list: each rule names the kinds of facts its
 * findings rest on (`Rule.needs`), each adapter names the words without which it produces no fact of a kind
 * (`LanguageAdapter.factWords`, derived from the knowledge tables), and the test is their combination.
 *
 * A file that fails is not analyzed up front; the project pass still analyzes it on demand when another file needs
 * it (a `_base_`, a Hydra group option), so values that cross files are unchanged. Its syntax errors go unreported:
 * optim-lint is not a general linter.
 */
import type { FactKind, FactWords, LanguageAdapter } from "./types.js";
import type { RuleSetting } from "./results.js";

/** A test of a text: false when the text cannot hold a finding. */
export type TextTest = (text: string) => boolean;

/** No rule runs, so nothing can be found. */
const NOTHING: TextTest = () => false;

const tests = new WeakMap<LanguageAdapter, Map<string, TextTest | null>>();

/**
 * The test for a file that `adapter` reads and on which `rules` run, or undefined when no file can be skipped: a rule
 * does not declare what it needs, or the adapter does not declare its words for a kind some rule needs.
 */
export function prefilterFor(adapter: LanguageAdapter, rules: readonly RuleSetting[]): TextTest | undefined {
  const kinds = new Set<FactKind>();
  for (const setting of rules) {
    const needs = setting.rule.needs;
    if (!needs || needs.length === 0) return undefined;
    for (const kind of needs) kinds.add(kind);
  }
  if (kinds.size === 0) return NOTHING;
  const key = [...kinds].sort().join(",");
  let byKinds = tests.get(adapter);
  if (!byKinds) tests.set(adapter, (byKinds = new Map()));
  let test = byKinds.get(key);
  if (test === undefined) byKinds.set(key, (test = buildTest(adapter, kinds) ?? null));
  return test ?? undefined;
}

/** One regular expression per case mode over every word the adapter declares for the kinds; undefined when one is missing. */
function buildTest(adapter: LanguageAdapter, kinds: ReadonlySet<FactKind>): TextTest | undefined {
  const declared: FactWords[] = [];
  for (const kind of kinds) {
    const words = adapter.factWords?.[kind];
    if (!words) return undefined;
    declared.push(words);
  }
  const patterns = [false, true].flatMap((ignoreCase) => {
    const group = declared.filter((d) => (d.ignoreCase ?? false) === ignoreCase);
    const words = unique(group.flatMap((d) => d.words ?? []));
    const fragments = unique(group.flatMap((d) => d.fragments ?? []));
    const parts = [...(words.length > 0 ? [`\\b(?:${alternation(words)})\\b`] : []), ...(fragments.length > 0 ? [alternation(fragments)] : [])];
    return parts.length > 0 ? [new RegExp(parts.join("|"), ignoreCase ? "i" : "")] : [];
  });
  if (patterns.length === 0) return NOTHING;
  return (text) => patterns.some((pattern) => pattern.test(text));
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)].filter((item) => item.length > 0);
}

/** The words as one alternation, longest first so a word is never cut short by its own prefix. */
function alternation(words: readonly string[]): string {
  return [...words]
    .sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("|");
}
