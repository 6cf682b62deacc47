/**
 * Two shortcuts of the hand-written Adam collector (manual-adam.ts). The prefilter's square test (`holdsSquare`) looks
 * for the product of an operand with itself from each `*` instead of trying a back-referencing pattern at every word
 * start: it must answer what that pattern, `SQUARED` or `addcmul_(`, answers on any text. The blocks the collector
 * reads (`momentBlocks`) come from the scope index: they must be those a walk of every node finds.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { holdsSelfProduct, holdsSquare, momentBlocks, SQUARED } from "../../src/python/manual-adam.js";
import { namedChildren, parse, toPyTree, type PyNode } from "../../src/python/parser.js";
import { forEachDescendant, indexFile } from "../../src/python/scope.js";

const SELF_PRODUCT = /\b(\w[\w.[\]]*)\s*\*\s*\1\b/;
/** What the prefilter's square test must answer: the collector's own pattern, or `addcmul_(` (the in-place form it also reads). */
const SQUARE = new RegExp(`${SQUARED.source}|addcmul_\\(`);

/** A small deterministic generator (texts must not change from run to run). */
function* randomTexts(count: number): Generator<string> {
  const pieces = ["g", "g", "g", "gg", "g2", "a.g", "x[0]", "[", "]", ".", "*", "*", " * ", "**", " ", "\t", "\n", "\u00a0", "2", "_", "(", ")", ",", "é", "pow(", "square(", "addcmul(", "addcmul_(", "=", "+", "-"];
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  const operands = ["g", "g2", "gg", "a.g", "g.", "x[0]", "x[", "]g", ".g", "_", "é", "2"];
  const spaces = ["", " ", "  ", "\n", "\t"];
  const pick = (list: readonly string[]) => list[next() % list.length];
  for (let i = 0; i < count; i++) {
    let text = "";
    const length = next() % 10;
    for (let j = 0; j < length; j++) text += pick(pieces);
    // Every other text puts two operands around a `*`, so that both answers are frequent.
    if (i % 2 === 1) text = `${pick(pieces)}${pick(operands)}${pick(spaces)}*${pick(spaces)}${pick(operands)}${pick(pieces)}`;
    yield text;
  }
}

describe("the square test of the hand-written Adam prefilter", () => {
  const cases = [
    "v = b2 * v + (1 - b2) * g * g",
    "v = b2 * v + (1 - b2) * g*g2",
    "v = b2 * v + (1 - b2) * grad * grad.t()",
    "v = b2*v + (1-b2) * p.grad * p.grad",
    "x.y * y",
    "a.b[1] *\n a.b[1]",
    "g **2",
    "*g * g",
    "g *",
    "* g",
    "g*",
    "ab * b",
    "b * bc",
    "b. * b.",
    "b. * b.c",
    "é * é",
    "_ * _",
    "x[ * x[",
    "x[ * x[y",
    "",
  ];

  it.each(cases.map((t) => [t]))("answers as the pattern does on %j", (text) => {
    expect(holdsSelfProduct(text)).toBe(SELF_PRODUCT.test(text));
    expect(holdsSquare(text)).toBe(SQUARE.test(text));
  });

  it("answers as the pattern does on generated texts", () => {
    let matched = 0;
    const differing: string[] = [];
    for (const text of randomTexts(20000)) {
      if (holdsSelfProduct(text) !== SELF_PRODUCT.test(text) || holdsSquare(text) !== SQUARE.test(text)) differing.push(text);
      if (SELF_PRODUCT.test(text)) matched++;
    }
    expect(differing).toEqual([]);
    // The generator must reach both answers, or the comparison says little.
    expect(matched).toBeGreaterThan(100);
  });

  it("answers as the pattern does on the showcase's and the rule fixtures' Python files", () => {
    for (const { file, text } of pythonFixtures()) expect([file, holdsSquare(text)]).toEqual([file, SQUARE.test(text)]);
  });
});

/** The Python files of the showcase and of the rule fixtures. */
function pythonFixtures(): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const dir of ["../../fixtures/showcase", "../../fixtures/rules"].map((d) => path.resolve(import.meta.dirname, d))) {
    for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".py"))) out.push({ file, text: readFileSync(path.join(dir, file), "utf8") });
  }
  expect(out.length).toBeGreaterThan(100);
  return out;
}

/** Blocks and the module, depth first, that hold an expression statement whose first named child is an assignment or a call. */
function walkedBlocks(root: PyNode): PyNode[] {
  const out: PyNode[] = [];
  forEachDescendant(root, (node) => {
    if (node.type !== "module" && node.type !== "block") return;
    const holds = namedChildren(node).some((s) => s.type === "expression_statement" && ["assignment", "call"].includes(namedChildren(s)[0]?.type ?? ""));
    if (holds) out.push(node);
  });
  return out;
}

describe("the blocks the hand-written Adam collector reads", () => {
  it("are those a walk of every node finds, in its order", () => {
    const nested = "m = b1 * m + (1 - b1) * g\ndef f():\n    for p in ps:\n        if p:\n            v = b2 * v + (1 - b2) * g * g\n        p.mul_(2)\n    x: int = 1\n    y += 1\n";
    for (const { file, text } of [{ file: "nested", text: nested }, ...pythonFixtures()]) {
      const root = toPyTree(parse(text));
      const index = indexFile(root, text);
      expect([file, momentBlocks(index).map((b) => b.start)]).toEqual([file, walkedBlocks(root).map((b) => b.start)]);
    }
  });
});
