/**
 * What every lint start evaluates: the top level of the built lint bundle (each module's constants, classes and
 * tables; what esbuild wraps in a function runs later, on demand). V8 parses a regular expression when it makes the
 * pattern object, and a Unicode property class (`\p{L}`) makes it build the class from ICU's tables: about 2.3M
 * instructions at every start for the two such patterns the start made (`valgrind --tool=callgrind`), for code that
 * only a fix or a notebook's JSON runs. Such patterns are made on first use instead.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { buildOnce, ROOT } from "./run-cli.js";

/** Statements and expressions a script evaluates when it runs: function bodies and instance fields are not entered. */
function evaluatedAtStart(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  ts.forEachChild(node, (child) => {
    if (ts.isFunctionLike(child)) return;
    // A class's static fields and blocks run when the class is defined, its instance fields when an instance is made.
    if (ts.isPropertyDeclaration(child) && !child.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) return;
    evaluatedAtStart(child, visit);
  });
}

const PROPERTY_CLASS = /\\[pP]\{/;

/** The patterns with a Unicode property class that a bundle (one function expression, see code-cache.ts) makes when it is evaluated. */
function propertyClassesAtStart(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "latin1"), ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const [wrapper] = source.statements;
  let body: ts.Node | undefined;
  if (wrapper && ts.isExpressionStatement(wrapper)) {
    const expression = ts.isParenthesizedExpression(wrapper.expression) ? wrapper.expression.expression : wrapper.expression;
    if (ts.isFunctionExpression(expression)) body = expression.body;
  }
  if (!body) throw new Error(`${file} is not one function expression`);
  const found: string[] = [];
  evaluatedAtStart(body, (node) => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral && PROPERTY_CLASS.test(node.getText(source))) found.push(node.getText(source));
    // A pattern made from a string: the property class written in its text (a string or template literal).
    if (ts.isNewExpression(node) && node.expression.getText(source) === "RegExp" && PROPERTY_CLASS.test(node.arguments?.[0]?.getText(source) ?? "")) {
      found.push(node.getText(source));
    }
  });
  return found;
}

describe("patterns a lint start makes", () => {
  let bundle: string;
  beforeAll(() => {
    buildOnce();
    const dir = path.join(ROOT, "dist", "cli");
    bundle = path.join(dir, readdirSync(dir).find((name) => /^lint-[\w-]+\.cjs$/.test(name))!);
  }, 180_000);

  it("none with a Unicode property class", () => {
    expect(propertyClassesAtStart(bundle)).toEqual([]);
  });

  it("the check finds such patterns made at the start and skips those made later", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "optim-lint-start-patterns-"));
    const probe = path.join(dir, "probe.cjs");
    writeFileSync(
      probe,
      String.raw`(function (exports) {
  var A = /^[\p{L}_]+$/u, B = /plain/, C = new RegExp("[\\p{N}]", "u"), D = new RegExp(B.source + "|x");
  class E { static s = /\p{N}/u; f = /\p{Lu}/u; m() { return /\p{Ll}/u; } }
  function later() { return new RegExp("\\p{L}", "u"); }
  const F = () => /\p{L}/u;
})`,
    );
    try {
      expect(propertyClassesAtStart(probe)).toEqual(["/^[\\p{L}_]+$/u", 'new RegExp("[\\\\p{N}]", "u")', "/\\p{N}/u"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
