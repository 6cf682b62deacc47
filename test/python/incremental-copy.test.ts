/**
 * The copy of a tree parsed again after an edit (parser.ts `toPyTree` on a tracked tree): top-level statements the
 * edit and the re-parse left alone are cloned from the previous copy, the others read from the native tree. After
 * every edit of a chain the copy must equal a copy read wholly from the native tree, node for node. (It is not compared
 * with a fresh parse: around a syntax error tree-sitter's error recovery may settle an incremental parse differently.)
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copyTree, incrementalCopies, parse, reparse, toPyTree, trackTree, type PyNode } from "../../src/python/parser.js";
import { largeTrainingFile } from "../../bench/editor.js";

const SHOWCASE = path.resolve(import.meta.dirname, "../../fixtures/showcase");

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x80000000;
  };
}

/** Every node as type, range and field, with its parent checked, depth first. */
function shape(root: PyNode): string[] {
  const out: string[] = [];
  const visit = (node: PyNode, parent: PyNode | null) => {
    if (node.parent !== parent) throw new Error(`wrong parent at ${node.type}@${node.start}`);
    out.push(`${node.type}@${node.start}-${node.end}:${node.field ?? ""}:${node.named}`);
    for (const child of node.children) visit(child, node);
  };
  visit(root, null);
  return out;
}

/** Pieces typed into the text: characters, an unclosed bracket, lines, a dedent, a comment, a string quote. */
const PIECES = ["x", "1", "(", ")", ":", "\n", "    ", "lr=0.1, ", "é", "\n    pass\n", '"', "# note", "", "\n\n", "def f():\n    return 1\n"];

function editChain(base: string, seed: number, steps: number): { cloned: number; read: number } {
  const next = random(seed);
  let text = base;
  let tree = parse(text);
  trackTree(tree);
  toPyTree(tree);
  const { cloned, read } = incrementalCopies;
  for (let i = 0; i < steps; i++) {
    // Edits stay near one place for a while, as typing does, and sometimes jump.
    const start = Math.floor(next() * text.length);
    const end = Math.min(text.length, start + Math.floor(next() * 4));
    const after = text.slice(0, start) + PIECES[Math.floor(next() * PIECES.length)] + text.slice(end);
    tree = reparse(tree, text, after);
    text = after;
    const copy = toPyTree(tree);
    const fresh = toPyTree(copyTree(tree, text)); // untracked: read node by node from the native tree
    expect(shape(copy).join("\n"), `edit ${i} at ${start}`).toBe(shape(fresh).join("\n"));
  }
  return { cloned: incrementalCopies.cloned - cloned, read: incrementalCopies.read - read };
}

describe("incremental tree copy", () => {
  it("equals a fresh copy after each of a chain of random edits to the showcase scripts", () => {
    for (const [i, name] of ["train_transformer.py", "train_ddp.py", "train_gan.py"].entries()) {
      // Long random chains leave syntax errors behind, and a statement holding one is always read again; some are cloned.
      expect(editChain(readFileSync(path.join(SHOWCASE, name), "utf8"), 11 + i, 60).cloned).toBeGreaterThan(0);
    }
  });

  it("equals a fresh copy after each of a chain of random edits to a 3,000-line file", () => {
    // Most statements were cloned: each edit touches one or two of them (a few open a bracket that swallows the rest).
    const { cloned, read } = editChain(largeTrainingFile(), 5, 10);
    expect(cloned).toBeGreaterThan(5 * read);
  });

  it("gives a second copy of the same tree equal to the first, and distinct from it", () => {
    const text = readFileSync(path.join(SHOWCASE, "train_clean.py"), "utf8");
    const tree = parse(text);
    trackTree(tree);
    const first = toPyTree(tree);
    const second = toPyTree(tree);
    expect(second).not.toBe(first);
    expect(shape(second)).toEqual(shape(first));
  });
});
