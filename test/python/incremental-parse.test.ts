/**
 * Incremental re-parsing (parser.ts `reparse`, `copyTree`): what the language server does on each change and what
 * fix verification does for each candidate text. A chain of edits parsed incrementally must give the tree a fresh
 * parse gives, and a copy must stay untouched when the tree it came from is edited.
 */
import type Parser from "tree-sitter";
import { describe, expect, it } from "vitest";
import { enclosingStatement, sameKindOfToken } from "../../src/python/edits.js";
import { applyTextEdits } from "../../src/core/text-edits.js";
import { copyTree, parse, parsesCleanly, reparse, textChange } from "../../src/python/parser.js";

const BASE = [
  "import torch",
  "from torch.optim import Adam  # the optimizer",
  "",
  "def build(model, lr=1e-3):",
  '    """Make the optimizer; é and 😀 in a docstring."""',
  "    return Adam(model.parameters(), lr=lr, weight_decay=0.01)",
  "",
  "class Trainer:",
  "    def step(self, opt):",
  "        opt.step()",
  "",
].join("\n");

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x80000000;
  };
}

/** Every node with its type and place, so that a wrong offset or column shows as well as a wrong shape. */
function shape(tree: Parser.Tree): string {
  const out: string[] = [];
  const cursor = tree.walk();
  for (;;) {
    out.push(`${cursor.nodeType}@${cursor.startIndex}-${cursor.endIndex}:${cursor.startPosition.row}.${cursor.startPosition.column}-${cursor.endPosition.row}.${cursor.endPosition.column}`);
    if (cursor.gotoFirstChild() || cursor.gotoNextSibling()) continue;
    while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return out.join(" ");
  }
}

const PIECES = ["x", "(", ")", ":", "\n", "    ", "lr=0.1, ", "é", "😀", "\n    pass\n", '"', "#", ""];

describe("incremental re-parse", () => {
  it("gives the fresh parse's tree after a chain of random edits, including ones that break and mend the file", () => {
    const next = random(7);
    let text = BASE;
    let tree = copyTree(parse(text), text);
    for (let i = 0; i < 120; i++) {
      const start = Math.floor(next() * text.length);
      const end = Math.min(text.length, start + Math.floor(next() * 6));
      // Every third step goes back to the base text, as fix verification does between candidates.
      const after = i % 3 === 2 ? BASE : text.slice(0, start) + PIECES[Math.floor(next() * PIECES.length)] + text.slice(end);
      tree = reparse(tree, text, after);
      text = after;
      const fresh = parse(text);
      expect(tree.rootNode.toString(), `step ${i}`).toBe(fresh.rootNode.toString());
      expect(shape(tree), `step ${i}`).toBe(shape(fresh));
      expect(parsesCleanly(text, tree)).toBe(parsesCleanly(text, fresh));
    }
  });

  it("leaves the tree it copied alone", () => {
    const original = parse(BASE);
    const before = original.rootNode.toString();
    const copy = copyTree(original, BASE);
    const broken = BASE.replace("lr=lr,", "lr=lr,,(");
    const edited = reparse(copy, BASE, broken);
    expect(edited.rootNode.hasError).toBe(true);
    expect(original.rootNode.toString()).toBe(before);
    expect(original.rootNode.hasError).toBe(false);
  });

  it("describes a change in UTF-16 offsets and rows and columns", () => {
    const after = BASE.replace("😀 in", "😀 or in");
    const change = textChange(BASE, after)!;
    const at = BASE.indexOf("😀 in") + 3;
    expect(change.startIndex).toBe(at);
    expect(change.oldEndIndex).toBe(at);
    expect(change.newEndIndex).toBe(at + 3);
    expect(change.startPosition).toEqual({ row: 4, column: at - BASE.indexOf('    """') });
    expect(change.newEndPosition).toEqual({ row: 4, column: change.startPosition.column + 3 });
    expect(textChange(BASE, BASE)).toBeUndefined();
  });
});

describe("fix checks that need no parse", () => {
  const text = "opt = Adam(params, lr=0.1, eps=1e-8)\n";
  const root = parse(text).rootNode;
  const change = (old: string, replacement: string, from = 0) => {
    const start = text.indexOf(old, from);
    return { span: { start, end: start + old.length }, text: replacement };
  };

  it("takes a whole name or number swapped for one of the same kind as still parsing", () => {
    expect(sameKindOfToken(root, change("Adam", "AdamW"))).toBe(true);
    expect(sameKindOfToken(root, change("0.1", "1e-05"))).toBe(true);
    expect(sameKindOfToken(root, change("1e-8", "3"))).toBe(true);
  });

  it("parses anything else: keywords and soft keywords, signs, partial tokens, insertions, other tokens", () => {
    for (const word of ["if", "match", "print", "None", "Adam W", "2x"]) expect(sameKindOfToken(root, change("Adam", word))).toBe(false);
    expect(sameKindOfToken(root, change("0.1", "-0.1"))).toBe(false);
    expect(sameKindOfToken(root, change("0.1", "x"))).toBe(false);
    expect(sameKindOfToken(root, change("Ada", "Ado"))).toBe(false);
    expect(sameKindOfToken(root, { span: { start: 10, end: 10 }, text: "W" })).toBe(false);
    expect(sameKindOfToken(root, change("(", "["))).toBe(false);
  });
});

describe("fix checks on one statement", () => {
  it("finds the top-level statement that holds the changes, when it has its lines to itself", () => {
    const text = "import torch\n\ndef f(p):\n    return Adam(p)\nx = 1; y = SGD(q)\n";
    const root = parse(text).rootNode;
    const at = (needle: string, insert = "") => ({ span: { start: text.indexOf(needle), end: text.indexOf(needle) }, text: insert });
    expect(enclosingStatement(root, text, [at("Adam(p)", "W")])).toEqual({ start: text.indexOf("def"), end: text.indexOf("x = 1") - 1 });
    // Changes in two statements, a statement sharing its line, a change at a statement's very start.
    expect(enclosingStatement(root, text, [at("torch"), at("Adam")])).toBeUndefined();
    expect(enclosingStatement(root, text, [at("SGD")])).toBeUndefined();
    expect(enclosingStatement(root, text, [at("def")])).toBeUndefined();
  });

  it("gives the verdict a parse of the whole file gives, for random insertions inside statements", () => {
    const next = random(11);
    const root = parse(BASE).rootNode;
    let checked = 0;
    const verdicts = new Set<boolean>();
    for (let i = 0; i < 300; i++) {
      const start = Math.floor(next() * BASE.length);
      const change = { span: { start, end: start }, text: PIECES[Math.floor(next() * PIECES.length)] + PIECES[Math.floor(next() * PIECES.length)] };
      const statement = enclosingStatement(root, BASE, [change]);
      if (!statement) continue;
      checked++;
      const slice = applyTextEdits(BASE.slice(statement.start, statement.end), [{ span: { start: start - statement.start, end: start - statement.start }, text: change.text }]);
      const whole = applyTextEdits(BASE, [change]);
      expect(parsesCleanly(slice), JSON.stringify(change)).toBe(parsesCleanly(whole));
      verdicts.add(parsesCleanly(whole));
    }
    expect(checked).toBeGreaterThan(100);
    expect([...verdicts].sort()).toEqual([false, true]);
  });
});
