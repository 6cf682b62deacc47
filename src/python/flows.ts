/**
 * Flows of control within one file, coarse enough to be cheap: the module-level code, each top-level function
 * and each top-level class (in a test class, each method on its own, since each test runs apart). One flow reaches
 * another when it names it: a call, a callback handed on (`mp.spawn(worker)`), or a pytest fixture taken as a
 * parameter. Two pieces of code share a flow when one flow reaches both, e.g. `main()` calling `setup_ddp()` and
 * `build_optimizer()`; two test functions that nothing calls together do not.
 */
import type { Span } from "../core/facts.js";
import { fieldChild, namedChildren, type PyNode } from "./parser.js";
import type { FileIndex } from "./scope.js";

const flowsOfIndex = new WeakMap<FileIndex, Flows>();

/** How many files' flows were read (the tests check that an edit inside a number hands them on instead). */
export const flowsMade = { count: 0 };

/** A test class (pytest `Test*`, or a `TestCase` base written in its header): its methods are separate flows. */
const TEST_CLASS = /^Test|TestCase\b/;

export class Flows {
  private readonly root: PyNode;
  /** Top-level definitions by name, and the methods of test classes by class and name. */
  private readonly topLevel = new Map<string, PyNode>();
  private readonly methods = new Map<PyNode, Map<string, PyNode>>();
  private readonly reach = new Map<PyNode, Set<PyNode>>();
  /** Every flow: the module, the top-level definitions, the test methods (made once the definitions are read). */
  private readonly allUnits: PyNode[];
  /** What each flow's code names (`named`), read once. */
  private readonly namedBy = new Map<PyNode, PyNode[]>();
  private readonly unitSet: Set<PyNode>;
  /** Pairs of flows by whether one flow reaches both (`shareFlow` asks the same pairs many times). */
  private readonly shared = new Map<PyNode, Map<PyNode, boolean>>();

  /** The flows of a file's index, made once per index: the collectors of one analysis share them (and what they reach). */
  static of(index: FileIndex): Flows {
    let flows = flowsOfIndex.get(index);
    if (!flows) flowsOfIndex.set(index, (flows = new Flows(index)));
    return flows;
  }

  /**
   * Hands the flows of `from` to `to`, an index of the same tree moved in place to a text where no identifier, and no
   * node's type or nesting, changed (a digit typed into a number): every flow and what it reaches is as it was.
   */
  static handOver(from: FileIndex, to: FileIndex): void {
    const flows = flowsOfIndex.get(from);
    if (!flows) return;
    flowsOfIndex.delete(from);
    flows.index = to;
    flowsOfIndex.set(to, flows);
  }

  private constructor(private index: FileIndex) {
    flowsMade.count++;
    this.root = index.module.node;
    for (const stmt of this.root.children) {
      const def = definition(stmt);
      const name = def && fieldChild(def, "name");
      if (!def || !name) continue;
      this.topLevel.set(this.textOf(name), def);
      if (def.type === "class_definition" && this.isTestClass(def)) this.methods.set(def, methodsOf(def, (n) => this.textOf(n)));
    }
    this.allUnits = [this.root, ...this.topLevel.values(), ...[...this.methods.values()].flatMap((m) => [...m.values()])];
    this.unitSet = new Set(this.allUnits);
  }

  /** Whether code at two spans shares a flow. */
  shareFlow(a: Span, b: Span): boolean {
    const ua = this.unitAt(a.start);
    const ub = this.unitAt(b.start);
    if (ua === ub) return true;
    let known = this.shared.get(ua);
    if (!known) this.shared.set(ua, (known = new Map()));
    let answer = known.get(ub);
    if (answer === undefined) {
      answer = this.allUnits.some((unit) => {
        const reached = this.reachFrom(unit);
        return reached.has(ua) && reached.has(ub);
      });
      known.set(ub, answer);
    }
    return answer;
  }

  /** The flow that holds an offset: a method of a test class, a top-level definition, or the module. */
  private unitAt(offset: number): PyNode {
    const top = this.root.children.find((c) => c.start <= offset && offset < c.end);
    const def = top && definition(top);
    if (!def || offset < (fieldChild(def, "body")?.start ?? def.end)) return this.root;
    const methods = this.methods.get(def);
    if (methods) {
      for (const method of methods.values()) {
        if (method.start <= offset && offset < method.end) return method;
      }
    }
    return def;
  }

  /** The flows a flow reaches through the names it uses, itself included. */
  private reachFrom(unit: PyNode): Set<PyNode> {
    const cached = this.reach.get(unit);
    if (cached) return cached;
    const seen = new Set<PyNode>([unit]);
    const pending = [unit];
    while (pending.length > 0) {
      for (const next of this.named(pending.pop()!)) {
        if (!seen.has(next)) {
          seen.add(next);
          pending.push(next);
        }
      }
    }
    this.reach.set(unit, seen);
    return seen;
  }

  /** The flows a flow's code names: top-level definitions by identifier, and its test class's methods through `self.`. */
  private named(unit: PyNode): PyNode[] {
    const cached = this.namedBy.get(unit);
    if (cached) return cached;
    const out: PyNode[] = [];
    this.namedBy.set(unit, out);
    const units = this.unitSet;
    const cls = classOf(unit);
    const siblings = cls ? this.methods.get(cls) : undefined;
    const visit = (node: PyNode): void => {
      if (node !== unit && units.has(node)) return;
      if (node.type === "identifier") {
        const target = this.topLevel.get(this.textOf(node));
        if (target && target !== unit && node.field !== "name") out.push(target);
      } else if (node.type === "attribute" && siblings) {
        const method = siblings.get(this.textOf(fieldChild(node, "attribute") ?? node));
        if (method && method !== unit) out.push(method);
      }
      for (const child of node.children) visit(child);
    };
    visit(unit);
    // setUp methods run before every test of their class.
    if (siblings) for (const [name, method] of siblings) if (/^set[Uu]p/.test(name)) out.push(method);
    return out;
  }

  private isTestClass(cls: PyNode): boolean {
    const name = fieldChild(cls, "name");
    const bases = fieldChild(cls, "superclasses");
    return TEST_CLASS.test(name ? this.textOf(name) : "") || (!!bases && /TestCase\b/.test(this.textOf(bases)));
  }

  private textOf(node: PyNode): string {
    return this.index.text.slice(node.start, node.end);
  }

  /**
   * Whether two `if` statements of one block test one subject for values no run meets both of, with `inFirst` in the
   * first's body and `inSecond` in the second's: `if args.opt == "sgd": ...` then `if args.opt == "adam": ...`, the
   * subject not assigned from the first test to the second.
   */
  disjointTests(block: PyNode, first: PyNode, inFirst: PyNode, second: PyNode, inSecond: PyNode): boolean {
    const inBody = (stmt: PyNode, inner: PyNode) => {
      const body = stmt.type === "if_statement" ? fieldChild(stmt, "consequence") : undefined;
      return !!body && body.start <= inner.start && inner.end <= body.end;
    };
    if (!inBody(first, inFirst) || !inBody(second, inSecond)) return false;
    const a = this.valuesTested(fieldChild(first, "condition"));
    const b = this.valuesTested(fieldChild(second, "condition"));
    if (!a || !b || a.subject !== b.subject || [...a.values].some((v) => b.values.has(v))) return false;
    const root = /^[A-Za-z_]\w*/.exec(a.subject)![0];
    const between = block.children.filter((s) => s.start >= first.start && s.end <= second.start);
    return !between.some((s) => this.assigns(s, a.subject, root));
  }

  /** A condition that holds only for listed constants of one subject: `s == c`, `c == s`, `s in (c, d)`, joined by `or`. */
  private valuesTested(cond: PyNode | undefined): { subject: string; values: Set<string> } | undefined {
    while (cond?.type === "parenthesized_expression") cond = namedChildren(cond)[0];
    if (!cond) return undefined;
    if (cond.type === "boolean_operator") {
      if (fieldChild(cond, "operator")?.type !== "or") return undefined;
      const left = this.valuesTested(fieldChild(cond, "left"));
      const right = this.valuesTested(fieldChild(cond, "right"));
      if (!left || !right || left.subject !== right.subject) return undefined;
      return { subject: left.subject, values: new Set([...left.values, ...right.values]) };
    }
    if (cond.type !== "comparison_operator") return undefined;
    const operands = namedChildren(cond);
    const operators = cond.children.filter((c) => c.field === "operators");
    if (operands.length !== 2 || operators.length !== 1) return undefined;
    const [left, right] = operands;
    const subjectOf = (n: PyNode) => (this.constantOf(n) === undefined && SUBJECT.test(this.textOf(n)) ? this.textOf(n) : undefined);
    if (operators[0].type === "==") {
      const [subject, constant] = this.constantOf(right) !== undefined ? [left, right] : [right, left];
      const value = this.constantOf(constant);
      const name = subjectOf(subject);
      return value !== undefined && name ? { subject: name, values: new Set([value]) } : undefined;
    }
    if (operators[0].type !== "in" || !["tuple", "list", "set"].includes(right.type)) return undefined;
    const values = namedChildren(right).map((c) => this.constantOf(c));
    const name = subjectOf(left);
    if (!name || values.length === 0 || values.some((v) => v === undefined)) return undefined;
    return { subject: name, values: new Set(values as string[]) };
  }

  /** A plain string or integer literal, keyed by kind and value (`'sgd'` and `"sgd"` are one value). */
  private constantOf(node: PyNode): string | undefined {
    if (node.type === "integer") return `i:${this.textOf(node)}`;
    if (node.type !== "string" || node.children.some((c) => c.type === "interpolation")) return undefined;
    const m = /^(?:[rRuU]?)('''|"""|'|")([\s\S]*)\1$/.exec(this.textOf(node));
    return m && !m[2].includes("\\") ? `s:${m[2]}` : undefined;
  }

  /** Whether code assigns the subject or the name it starts from (a plain, augmented or walrus assignment). */
  private assigns(node: PyNode, subject: string, root: string): boolean {
    if (node.type === "assignment" || node.type === "augmented_assignment" || node.type === "named_expression") {
      const target = fieldChild(node, node.type === "named_expression" ? "name" : "left");
      const names = target ? this.textOf(target).split(/\s*,\s*/) : [];
      if (names.some((t) => t === subject || t === root || t.startsWith(`${subject}[`) || t.startsWith(`${subject}.`))) return true;
    }
    return node.children.some((c) => this.assigns(c, subject, root));
  }
}

/** A tested subject: a name, an attribute chain, or a subscript by a constant (`args.opt`, `cfg["optimizer"]`). */
const SUBJECT = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[(?:'[^'\\]*'|"[^"\\]*"|\d+)\])*$/;

/** Branches of a statement or expression of which one runs: an `if`'s blocks and clauses, a conditional's values, `match` cases. */
const BRANCHING = new Set(["if_statement", "conditional_expression", "block"]);

/**
 * Whether no run reaches both nodes: they sit in different branches of one `if` (`if`/`elif`/`else`), of a
 * conditional expression or of a `match`, in the bodies of separate `if`s testing one subject for disjoint constants,
 * after a branch that leaves the function, or in flows of control that nothing in the file joins.
 */
export function exclusive(flows: Flows, a: PyNode, b: PyNode): boolean {
  if (!flows.shareFlow({ start: a.start, end: a.end }, { start: b.start, end: b.end })) return true;
  const chain = new Set<PyNode>();
  for (let n: PyNode | null | undefined = a; n; n = n.parent) chain.add(n);
  let child: PyNode = b;
  for (let n = b.parent; n; child = n, n = n.parent) {
    if (!chain.has(n)) continue;
    // `n` is the nearest common ancestor; `child` is b's branch under it, and a's branch is found the same way.
    let other: PyNode = a;
    while (other.parent !== n) other = other.parent!;
    if (other === child) return false;
    const [first, inFirst, second, inSecond] = other.start < child.start ? [other, a, child, b] : [child, b, other, a];
    // Two statements of the module: separate `if`s testing one setting for different values.
    if (n.type === "module") return flows.disjointTests(n, first, inFirst, second, inSecond);
    if (!BRANCHING.has(n.type)) return false;
    if (n.type === "block" && n.parent?.type === "match_statement") return other.type === "case_clause" && child.type === "case_clause";
    // Two statements of one block: the earlier an `if` whose branch holding its node leaves the function, or both
    // `if`s testing one setting for different values.
    if (n.type === "block") return leavesFunction(first, inFirst) || flows.disjointTests(n, first, inFirst, second, inSecond);
    // `value if condition else other`: the condition is the second named child, and runs with either value.
    if (n.type === "conditional_expression") {
      const parts = namedChildren(n);
      return parts.indexOf(other) !== 1 && parts.indexOf(child) !== 1;
    }
    const branch = (x: PyNode) => x.type === "block" || x.type === "elif_clause" || x.type === "else_clause";
    return branch(other) && branch(child);
  }
  return false;
}

/**
 * Whether `inner`, inside the `if` statement `stmt`, sits in a branch whose block ends with `return` or `raise`: a run
 * that reaches `inner` leaves the function there and never reaches the statements after the `if`
 * (`if name == "sgd": return SGD(...)` followed by `return Adam(...)`).
 */
function leavesFunction(stmt: PyNode, inner: PyNode): boolean {
  if (stmt.type !== "if_statement") return false;
  let branch = inner;
  while (branch.parent && branch.parent !== stmt) branch = branch.parent;
  const block = branch.type === "block" ? branch : branch.type === "elif_clause" ? fieldChild(branch, "consequence") : branch.type === "else_clause" ? fieldChild(branch, "body") : undefined;
  if (!block || inner.start < block.start || inner.end > block.end) return false;
  const last = namedChildren(block).filter((s) => s.type !== "comment").at(-1);
  return last?.type === "return_statement" || last?.type === "raise_statement";
}

/** The class a method is defined in. */
function classOf(def: PyNode): PyNode | undefined {
  const stmt = def.parent?.type === "decorated_definition" ? def.parent : def;
  const owner = stmt.parent?.parent;
  return owner?.type === "class_definition" ? owner : undefined;
}

/** The function or class a statement defines (through decorators). */
function definition(stmt: PyNode): PyNode | undefined {
  const inner = stmt.type === "decorated_definition" ? fieldChild(stmt, "definition") : stmt;
  return inner && (inner.type === "function_definition" || inner.type === "class_definition") ? inner : undefined;
}

/** The methods defined directly in a class body, by name. */
function methodsOf(cls: PyNode, textOf: (n: PyNode) => string): Map<string, PyNode> {
  const out = new Map<string, PyNode>();
  for (const stmt of fieldChild(cls, "body")?.children ?? []) {
    const def = definition(stmt);
    const name = def?.type === "function_definition" ? fieldChild(def, "name") : undefined;
    if (def && name) out.set(textOf(name), def);
  }
  return out;
}
