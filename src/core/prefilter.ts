/**
 * The prefilter: a test of a file's raw text, before any parsing, for the words without which it cannot hold a
 * finding of the rules that run on it. Nothing here is a hand-kept list: each rule names the kinds of facts its
 * findings rest on (`Rule.needs`: one of them; `Rule.needsAlso`: each of them too), each adapter names the words
 * without which it produces no fact of a kind (`LanguageAdapter.factWords`, derived from the knowledge tables, with
 * the patterns its collector requires beside them), and the test is their combination.
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

/** What one rule's findings rest on: one of `any`, and every kind of `all`. */
interface Clause {
  any: ReadonlySet<FactKind>;
  all: ReadonlySet<FactKind>;
}

/**
 * The test for a file that `adapter` reads and on which `rules` run, or undefined when no file can be skipped: a rule
 * does not declare what it needs, or the adapter does not declare its words for a kind some rule needs. A text passes
 * when, for some rule, it holds the words of one kind of its `needs` and of every kind of its `needsAlso`.
 */
export function prefilterFor(adapter: LanguageAdapter, rules: readonly RuleSetting[]): TextTest | undefined {
  // A run asks once per file, mostly with the same settings (the configuration resolver shares one list per configuration).
  let byRules = bySettings.get(adapter);
  if (!byRules) bySettings.set(adapter, (byRules = new WeakMap()));
  let test = byRules.get(rules);
  if (test === undefined) byRules.set(rules, (test = prefilterOf(adapter, rules) ?? null));
  return test ?? undefined;
}

/** The tests already given per adapter, by the identity of the settings list they were asked for. */
const bySettings = new WeakMap<LanguageAdapter, WeakMap<readonly RuleSetting[], TextTest | null>>();

function prefilterOf(adapter: LanguageAdapter, rules: readonly RuleSetting[]): TextTest | undefined {
  const clauses: Clause[] = [];
  for (const setting of rules) {
    const { needs, needsAlso } = setting.rule;
    if (!needs || needs.length === 0) return undefined;
    clauses.push({ any: new Set(needs), all: new Set(needsAlso ?? []) });
  }
  const kept = simplest(clauses);
  if (kept.length === 0) return NOTHING;
  const key = kept.map((c) => `${[...c.any].sort().join(",")}+${[...c.all].sort().join(",")}`).sort().join(";");
  let byKinds = tests.get(adapter);
  if (!byKinds) tests.set(adapter, (byKinds = new Map()));
  let test = byKinds.get(key);
  if (test === undefined) byKinds.set(key, (test = buildTest(adapter, kept) ?? null));
  return test ?? undefined;
}

/** The clauses without those another one implies (a text passing one passes the other), each once. */
function simplest(clauses: readonly Clause[]): Clause[] {
  const subset = (a: ReadonlySet<FactKind>, b: ReadonlySet<FactKind>) => [...a].every((k) => b.has(k));
  // `c` implies `d` when d's required kinds are c's too and any kind c holds is one of d's alternatives.
  const implies = (c: Clause, d: Clause) => subset(d.all, c.all) && (subset(c.any, d.any) || [...c.all].some((k) => d.any.has(k)));
  const out: Clause[] = [];
  clauses.forEach((c, i) => {
    const dropped = clauses.some((d, j) => j !== i && implies(c, d) && (!implies(d, c) || j < i));
    if (!dropped) out.push(c);
  });
  return out;
}

/** The test of the clauses over the words the adapter declares; undefined when it declares none for a kind they name. */
function buildTest(adapter: LanguageAdapter, clauses: readonly Clause[]): TextTest | undefined {
  const kindTests = new Map<FactKind, TextTest>();
  for (const clause of clauses) {
    for (const kind of [...clause.any, ...clause.all]) {
      if (kindTests.has(kind)) continue;
      const words = adapter.factWords?.[kind];
      if (!words) return undefined;
      kindTests.set(kind, wordsTest([words]));
    }
  }
  const tests = clauses.map((clause) => {
    // The alternatives' words as one expression per case mode; kinds with patterns of their own are tested apart.
    const declared = [...clause.any].map((kind) => adapter.factWords![kind]!);
    const ownTests = (d: FactWords) => (d.also?.length ?? 0) > 0 || d.check !== undefined;
    const plain = declared.filter((d) => !ownTests(d));
    const any = [wordsTest(plain), ...[...clause.any].filter((kind) => ownTests(adapter.factWords![kind]!)).map((kind) => kindTests.get(kind)!)];
    const all = [...clause.all].map((kind) => kindTests.get(kind)!);
    return (text: string) => any.some((t) => t(text)) && all.every((t) => t(text));
  });
  return tests.length === 1 ? tests[0] : (text) => tests.some((t) => t(text));
}

/** Whether a text holds one of the words (one regular expression per case mode), every pattern they also need, and passes their checks. */
function wordsTest(declared: readonly FactWords[]): TextTest {
  const patterns = [false, true].flatMap((ignoreCase) => {
    const group = declared.filter((d) => (d.ignoreCase ?? false) === ignoreCase);
    const words = unique(group.flatMap((d) => d.words ?? []));
    const fragments = unique(group.flatMap((d) => d.fragments ?? []));
    const parts = [...(words.length > 0 ? [`\\b(?:${alternation(words)})\\b`] : []), ...(fragments.length > 0 ? [alternation(fragments)] : [])];
    return parts.length > 0 ? [new RegExp(parts.join("|"), ignoreCase ? "i" : "")] : [];
  });
  const also = declared.flatMap((d) => d.also ?? []);
  const checks = declared.flatMap((d) => (d.check ? [d.check] : []));
  if (patterns.length === 0) return NOTHING;
  return (text) => patterns.some((pattern) => pattern.test(text)) && also.every((pattern) => pattern.test(text)) && checks.every((check) => check(text));
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
