/**
 * Hand-written Adam-style updates in a Python file (torch tensors or NumPy): a running first moment, a running
 * second moment of the squared gradient, and a parameter step by m / (sqrt(v) + eps). Whether the file divides by
 * 1 - beta**t is read from the whole file, so a correction written anywhere (a helper, a precomputed step size)
 * counts and only an update with no correction at all is a candidate.
 */
import type { ManualAdamUpdate } from "../core/facts.js";
import type { TextEdit } from "../core/types.js";
import { blankComments, fieldChild, namedChildren, spanOf, type PyNode } from "./parser.js";
import type { FileIndex } from "./scope.js";
import type { Resolver } from "./values.js";

/** A moment: the target text and the beta it decays with. */
interface Moment {
  statement: PyNode;
  target: string;
  beta: string;
}

/** Data the Python adapter needs to write the corrected update. */
export interface ManualAdamData {
  edits: TextEdit[];
}

/**
 * A bias correction anywhere: a division by `(1 - ...)` or a `sqrt(1 - ...)` (moment recurrences only multiply by
 * `1 - beta`), a power of a beta (`beta2 ** step`, `np.power(beta1, t)`, `beta1.pow(t)`), or a name that says so.
 */
const CORRECTION =
  /\/\s*\(\s*1(?:\.0*)?\s*-|sqrt\(\s*1(?:\.0*)?\s*-|\b(?:beta|b)_?\d?\w*\s*\)?\s*\*\*|\b(?:np|numpy|math|torch)\.pow(?:er)?\(\s*[\w.[\]'"]*\b(?:beta|b)_?\d|\b(?:beta|b)_?\d\w*\.pow\(|bias_correction|correct_bias|m_?hat|v_?hat|mhat|vhat/i;

/** `(1 - beta)` in a recurrence: the beta's text. */
const ONE_MINUS = /\(\s*1(?:\.0*)?\s*-\s*([A-Za-z_][\w.[\]'"]*)\s*\)/;

/** The forms of a square that start with a literal (`g ** 2`, `g.pow(2)`, `square(`, `addcmul(g, g)`); group 1 is addcmul's operand. */
const SQUARE_LITERAL = String.raw`\*\*\s*2\b|\.pow\(\s*2|square\(|addcmul_?\(\s*([\w.[\]]+)\s*,\s*\1\b`;

/** A square of the gradient in a second-moment recurrence: a literal form, or the product of an operand with itself (group 2). */
export const SQUARED = new RegExp(`${SQUARE_LITERAL}|\\b(\\w[\\w.[\\]]*)\\s*\\*\\s*\\2\\b`);

/**
 * What a text must hold before an update can be found in it, besides a square root: a moment recurrence (`(1 - beta)`
 * in an assignment, or the in-place `mul_(...)` and `lerp_(...)` chains). The square the second moment also needs is
 * tested by the checks (`holdsSquare`), after the cheaper count of recurrences.
 */
export const UPDATE_NEEDS: readonly RegExp[] = [new RegExp(`${ONE_MINUS.source}|\\.mul_\\(|\\.lerp_\\(`)];

/** The alternatives of `SQUARED` (and `addcmul_(`) that start with a literal, which V8 finds fast. */
const SQUARE_BY_NAME = new RegExp(`${SQUARE_LITERAL}|addcmul_\\(`);

/**
 * Whether a text holds a square as a second-moment recurrence writes it: what `SQUARED` or `addcmul_(` matches
 * anywhere in it. The product of an expression with itself (`g * g`, `SQUARED`'s last alternative) is looked for
 * from each `*` (`holdsSelfProduct`): as a pattern tried at every word start, it took about 2% of the corpus run.
 */
export function holdsSquare(text: string): boolean {
  return SQUARE_BY_NAME.test(text) || holdsSelfProduct(text);
}

const WORD = /\w/;
const SPACE = /\s/;
/** A character of `SQUARED`'s operand class `[\w.[\]]`. */
const OPERAND = /[\w.[\]]/;

/**
 * Whether `\b(\w[\w.[\]]*)\s*\*\s*\1\b` matches somewhere in a text: an operand (a word character at a word
 * start, then word characters, dots and brackets) ends just before the spaces before a `*`, and the same text
 * starts just after the spaces after it, ending at a word boundary.
 */
export function holdsSelfProduct(text: string): boolean {
  for (let star = text.indexOf("*"); star >= 0; star = text.indexOf("*", star + 1)) {
    let end = star;
    while (end > 0 && SPACE.test(text[end - 1])) end--;
    let after = star + 1;
    while (after < text.length && SPACE.test(text[after])) after++;
    if (end === 0 || after === text.length || !WORD.test(text[after])) continue;
    let start = end;
    while (start > 0 && OPERAND.test(text[start - 1])) start--;
    for (let i = start; i < end; i++) {
      if (!WORD.test(text[i]) || (i > 0 && WORD.test(text[i - 1]))) continue;
      const operand = text.slice(i, end);
      const close = after + operand.length;
      if (!text.startsWith(operand, after)) continue;
      // `\b` after the repeated operand: a word character on exactly one side.
      const wordBefore = WORD.test(text[close - 1]);
      const wordAfter = close < text.length && WORD.test(text[close]);
      if (wordBefore !== wordAfter) return true;
    }
  }
  return false;
}

/** Each `(1 - beta)` of a text (none holds a parenthesis of its own, so a scan finds every one). */
const EACH_ONE_MINUS = new RegExp(ONE_MINUS.source, "g");

/** How many times `pattern` (global) matches in `text`. */
function countOf(text: string, pattern: RegExp): number {
  let n = 0;
  pattern.lastIndex = 0;
  while (pattern.exec(text)) n++;
  return n;
}

/**
 * The prefilter's `check` for hand-written updates, run only on a text that already holds what the declared words ask
 * (`sqrt` and `UPDATE_NEEDS`): whether it has two moment recurrences (`hasTwoRecurrences`) and may hold an update the
 * rule reports, since an update in a file that corrects its moments somewhere outside comments is not reported. A
 * correction inside a statement tree-sitter rejects (masked before the analysis, parser.ts `maskGrammarGaps`) counts
 * here too.
 */
export function mayHoldUncorrectedUpdate(text: string): boolean {
  if (!hasTwoRecurrences(text) || !holdsSquare(text)) return false;
  // Blanking comments only removes text: a correction the raw text lacks is not in the blanked one either.
  return !CORRECTION.test(text) || !CORRECTION.test(blankComments(text));
}

/**
 * Whether a text may hold a hand-written update at all: a square root, what `UPDATE_NEEDS` asks, and two moment
 * recurrences. The collector tests it before reading a file's statements.
 */
export function mayHoldUpdate(text: string): boolean {
  return /sqrt/.test(text) && UPDATE_NEEDS.every((pattern) => pattern.test(text)) && hasTwoRecurrences(text) && holdsSquare(text);
}

/** Whether a text holds two `(1 - beta)`, `.mul_(` or `.lerp_(`, as the two moments of an update do (one each at least). */
function hasTwoRecurrences(text: string): boolean {
  return countOf(text, EACH_ONE_MINUS) + countOf(text, /\.mul_\(/g) + countOf(text, /\.lerp_\(/g) >= 2;
}

/** Whether `text` mentions `target` as a whole expression (not as part of a longer name). */
function mentions(text: string, target: string): boolean {
  return occurrences(text, target).length > 0;
}

/** Offsets of whole-expression occurrences of `target` in `text`. */
function occurrences(text: string, target: string): number[] {
  const escaped = target.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const re = new RegExp(`(?<![\\w.])${escaped}(?![\\w\\[])`, "g");
  const out: number[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m.index);
  return out;
}

/** The statements of a block or module, in order. */
function statementsIn(block: PyNode): PyNode[] {
  return namedChildren(block);
}

/**
 * The blocks (the module, function bodies, loop bodies, branches) that hold a statement a moment can be written in (an
 * expression statement whose first named child is an assignment or a call, see `momentOf`), in the order a depth-first
 * walk meets them: read from the index's assignments and calls instead of walking every node of the file.
 */
export function momentBlocks(index: FileIndex): PyNode[] {
  const found = new Set<PyNode>();
  for (const list of [index.assignments, index.calls]) {
    for (const node of list) {
      if (node.type !== "assignment" && node.type !== "call") continue;
      const statement = node.parent;
      const block = statement?.parent;
      if (statement?.type !== "expression_statement" || (block?.type !== "block" && block?.type !== "module")) continue;
      // The statement's first named child: nothing of the statement comes before it.
      if (node.start === statement.start) found.add(block);
    }
  }
  // A block starts after the block around it; the module, which may start where a block does, comes first.
  return [...found].sort((a, b) => a.start - b.start || b.end - a.end);
}

/** A moment written as a recurrence: `m = beta1 * m + (1 - beta1) * g`, or in place `m.mul_(b1).add_(g, alpha=1 - b1)`. */
function momentOf(resolver: Resolver, statement: PyNode): (Moment & { second: boolean }) | undefined {
  if (statement.type !== "expression_statement") return undefined;
  const [inner] = namedChildren(statement);
  if (!inner) return undefined;
  if (inner.type === "assignment") {
    const left = fieldChild(inner, "left");
    const right = fieldChild(inner, "right");
    if (!left || !right || right.type === "assignment") return undefined;
    const target = resolver.textOf(left);
    const value = resolver.textOf(right);
    const beta = ONE_MINUS.exec(value)?.[1];
    if (!beta || !mentions(value, target)) return undefined;
    return { statement, target, beta, second: SQUARED.test(value) };
  }
  if (inner.type === "call") {
    // m.mul_(beta1).add_(g, alpha=1 - beta1) / v.mul_(beta2).addcmul_(g, g, value=1 - beta2) / m.lerp_(g, 1 - beta1)
    const text = resolver.textOf(inner);
    const chain = /^([\w.[\]'"]+)\.(mul_\(\s*([\w.[\]'"]+)\s*\)\.(add_|addcmul_)\(|lerp_\()/.exec(text);
    if (!chain) return undefined;
    const beta = chain[3] ?? /1(?:\.0*)?\s*-\s*([A-Za-z_][\w.[\]'"]*)/.exec(text)?.[1];
    if (!beta) return undefined;
    return { statement, target: chain[1], beta, second: chain[4] === "addcmul_" || SQUARED.test(text) };
  }
  return undefined;
}

/** The step counter of an update's flow: `t += 1`, `self.step += 1`, `state["step"] += 1`, or a loop from 1 (`for t in range(1, n)`). */
function stepCounter(resolver: Resolver, statements: PyNode[], block: PyNode): string | undefined {
  const counters = new Set<string>();
  for (const s of statements) {
    const inner = namedChildren(s)[0];
    if (inner?.type !== "augmented_assignment") continue;
    const left = fieldChild(inner, "left");
    const right = fieldChild(inner, "right");
    if (left && right && resolver.textOf(right) === "1" && fieldChild(inner, "operator")?.type === "+=") counters.add(resolver.textOf(left));
  }
  const named = [...counters].filter((c) => /(?:^|[.'"])(?:t|step|steps|timestep|iteration|iter|n_iter|k|n)['"]?\]?$/.test(c));
  if (named.length === 1) return named[0];
  for (let p = block.parent; p; p = p.parent) {
    if (p.type !== "for_statement") continue;
    const variable = fieldChild(p, "left");
    const over = fieldChild(p, "right");
    if (variable?.type !== "identifier" || over?.type !== "call" || resolver.textOf(fieldChild(over, "function")!) !== "range") continue;
    const args = namedChildren(fieldChild(over, "arguments")!);
    if (args.length >= 2 && resolver.textOf(args[0]) === "1" && /^(?:t|step|i|k|it|iteration|epoch)$/.test(resolver.textOf(variable))) return resolver.textOf(variable);
    return undefined;
  }
  return undefined;
}

/**
 * Whether the quotient is a direction whose scale is set elsewhere: returned to a caller that the step is not seen
 * in (`return m / (v.sqrt() + eps)`, or a name holding it that a return reads), or divided by its own norm later
 * (`d / d.norm()`, `F.normalize(d)`), which cancels any factor such as a bias correction.
 */
function directionLeaves(resolver: Resolver, update: PyNode, after: PyNode[]): boolean {
  if (update.type === "return_statement") return true;
  const [inner] = namedChildren(update);
  const left = inner?.type === "assignment" ? fieldChild(inner, "left") : undefined;
  if (left?.type !== "identifier") return false;
  const name = resolver.textOf(left);
  const normalized = new RegExp(`\\b${name}\\.norm\\(|\\bnorm(?:alize)?\\(\\s*${name}\\b`);
  return after.some((s) => s.start > update.start && ((s.type === "return_statement" && mentions(resolver.textOf(s), name)) || normalized.test(resolver.textOf(s))));
}

/** Hand-written Adam-style updates of the file. */
export function manualAdamUpdates(resolver: Resolver): ManualAdamUpdate[] {
  // What the prefilter tests of a text, tested again: a file analyzed for other words rarely holds both moments.
  if (!mayHoldUpdate(resolver.text)) return [];
  const corrected = CORRECTION.test(resolver.text);
  const out: ManualAdamUpdate[] = [];
  for (const block of momentBlocks(resolver.index)) {
    const statements = statementsIn(block);
    const moments = statements.map((s) => momentOf(resolver, s)).filter((m): m is Moment & { second: boolean } => !!m);
    const first = moments.find((m) => !m.second);
    const second = moments.find((m) => m.second && m.target !== first?.target);
    if (!first || !second) continue;
    const after = statements.filter((s) => s.start > Math.max(first.statement.start, second.statement.start));
    const update = after.find((s) => {
      const text = resolver.textOf(s);
      return /sqrt/.test(text) && mentions(text, first.target) && mentions(text, second.target) && !momentOf(resolver, s);
    });
    if (!update || directionLeaves(resolver, update, after)) continue;
    const counter = corrected ? undefined : stepCounter(resolver, statements, block);
    const edits: TextEdit[] = [];
    if (counter) {
      const text = resolver.textOf(update);
      for (const [moment] of [[first], [second]] as const) {
        for (const at of occurrences(text, moment.target)) {
          const start = update.start + at;
          const end = start + moment.target.length;
          // As a call argument the quotient needs no parentheses of its own.
          const argument = /[(,]\s*$/.test(text.slice(0, at)) && /^\s*[),]/.test(text.slice(at + moment.target.length));
          const quotient = `${moment.target} / (1 - ${moment.beta} ** ${counter})`;
          edits.push({ span: { start, end }, text: argument ? quotient : `(${quotient})` });
        }
      }
      edits.sort((a, b) => a.span.start - b.span.start);
    }
    const data: ManualAdamData = { edits };
    out.push({
      id: `${resolver.filePath}#adam${out.length}`,
      span: spanOf(update),
      firstMoment: spanOf(first.statement),
      secondMoment: spanOf(second.statement),
      biasCorrected: corrected,
      correctable: edits.length > 0,
      adapterData: data,
    });
  }
  return out;
}
