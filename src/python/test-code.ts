/**
 * Test code inside a Python file, as pytest and unittest see it: `test_*` functions, classes that pytest collects
 * (`Test*`) or that derive from a `TestCase`, and pytest fixtures. Whole test files are recognized by path in
 * src/core/roles.ts.
 */
import type { Span } from "../core/facts.js";
import { fieldChild, namedChildren, spanOf, type PyNode } from "./parser.js";
import type { FileIndex } from "./scope.js";
import { lastName } from "./values.js";

/** pytest's default function prefix, with the underscore so that a training script's `def test(model)` stays training code. */
const TEST_FUNCTION = /^test_/;
/** pytest collects `Test*` classes; unittest collects `TestCase` subclasses (`unittest.TestCase`, `absltest.TestCase`, `MultiProcessTestCase`). */
const TEST_CLASS = /^Test/;
const TEST_CASE_BASE = /TestCase$|^TestBase$/;

/** The spans of test functions, test classes and fixtures, outermost only. */
export function testCodeSpans(index: FileIndex): Span[] {
  const spans: Span[] = [];
  for (const node of index.scopes.keys()) {
    if (node.type === "lambda" || insideTestCode(node, spans)) continue;
    if (isTestDefinition(node, index.text)) spans.push(spanOf(outerNode(node)));
  }
  return outermost(spans);
}

/** Whether a function or class definition is test code. */
function isTestDefinition(node: PyNode, text: string): boolean {
  const name = fieldChild(node, "name");
  const id = name ? text.slice(name.start, name.end) : "";
  if (node.type === "function_definition") return TEST_FUNCTION.test(id) || isFixture(node, text);
  const bases = fieldChild(node, "superclasses");
  return TEST_CLASS.test(id) || (!!bases && namedChildren(bases).some((base) => TEST_CASE_BASE.test(lastName(base, text) ?? "")));
}

/** `@pytest.fixture`, `@pytest.fixture(...)` or `@fixture` on a function. */
function isFixture(node: PyNode, text: string): boolean {
  const decorated = node.parent?.type === "decorated_definition" ? node.parent : undefined;
  if (!decorated) return false;
  return decorated.children.some((d) => {
    if (d.type !== "decorator") return false;
    const expr = namedChildren(d)[0];
    const callee = expr?.type === "call" ? fieldChild(expr, "function") : expr;
    return !!callee && lastName(callee, text) === "fixture";
  });
}

/** The definition with its decorators, when it has some. */
function outerNode(node: PyNode): PyNode {
  return node.parent?.type === "decorated_definition" ? node.parent : node;
}

function insideTestCode(node: PyNode, spans: readonly Span[]): boolean {
  return spans.some((s) => s.start <= node.start && node.end <= s.end);
}

/** The spans not inside another one. */
function outermost(spans: Span[]): Span[] {
  return spans.filter((s) => !spans.some((o) => o !== s && o.start <= s.start && s.end <= o.end));
}
