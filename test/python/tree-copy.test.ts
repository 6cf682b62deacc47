/**
 * The plain copy of a tree (parser.ts `toPyTree`) computes some offsets from the text instead of asking tree-sitter
 * (identifier ends, the start of a first child of some node types). Each copy here is compared, node for node, with
 * one read through tree-sitter's own node objects, and the call joiner's text skims with the expressions they replace.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type Parser from "tree-sitter";
import { describe, expect, it } from "vitest";
import { parse, toPyTree, type PyNode } from "../../src/python/parser.js";
import { calledNames, importedPaths } from "../../src/python/calls.js";

const SHOWCASE = path.resolve(import.meta.dirname, "../../fixtures/showcase");

/** Every kept node as type, range, field and namedness, depth first, from the copy. */
function copied(node: PyNode): string[] {
  return [`${node.type}@${node.start}-${node.end}:${node.field ?? ""}:${node.named}`, ...node.children.flatMap(copied)];
}

/** A string literal's own pieces, which the copy leaves out below a string (its interpolations are kept). */
const STRING_PARTS = new Set(["string_start", "string_content", "string_end"]);

/**
 * The same from tree-sitter's node objects: named nodes other than comments and a string's own pieces, and anonymous
 * nodes that fill a field.
 */
function native(node: Parser.SyntaxNode, field: string | null = null): string[] {
  const out = [`${node.type}@${node.startIndex}-${node.endIndex}:${field ?? ""}:${node.isNamed}`];
  node.children.forEach((child, i) => {
    const name = node.fieldNameForChild(i);
    if (child.type !== "comment" && (child.isNamed || name) && !(node.type === "string" && STRING_PARTS.has(child.type))) out.push(...native(child, name));
  });
  return out;
}

const TEXTS: Record<string, string> = {
  strings: [
    String.raw`a = "x\ny" + f"{b!r:>{w}}\t" + rb'\x00' + """doc\"x""" + "" "" """""" + u"é"`,
    String.raw`s = 'it''s' "q" """""" f'{x}{y}' '''a''' '\''`,
    String.raw`print("\u00e9", "\\", r"\d+", f"{a['k']}", b"\n" b"more\tafter")`,
  ].join("\n"),
  identifiers: "café = λ(x_1)\nÆon.b_2.c3(naïve=1)\n_ = __init__(_a, b9)\nx = 1if y else 2\n",
  calls: "torch.optim.AdamW(model.parameters(), lr=3e-4, betas=(0.9, 0.95))[0].step()\nfn(*a, **k)(1)(2)\n",
  operators: "x = a not in b and c is not d or -e ** 2 // f @ g\nif a < b <= c != d: pass\n",
  statements: "@dec(1)\nclass A(B, metaclass=M):\n    def f(self, a: int = 1, *b, c, **d) -> None:\n        global g\n        return [i for i in a if i]\n",
  errors: "def f(:\n    x = (1,\nprint(é\n",
};

describe("the tree copy", () => {
  const files = readdirSync(SHOWCASE).filter((f) => f.endsWith(".py"));
  const cases = [...Object.entries(TEXTS), ...files.map((f) => [f, readFileSync(path.join(SHOWCASE, f), "utf8")] as const)];

  it.each(cases)("gives tree-sitter's own ranges and fields for every node (%s)", (_name, text) => {
    const tree = parse(text);
    expect(copied(toPyTree(tree))).toEqual(native(tree.rootNode));
  });
});

describe("the call joiner's skim of a text", () => {
  const texts = [
    ...Object.values(TEXTS),
    "import os\rimport a.b\u2028from .c import d\u2029  import e as f\nimportlib.x()\nx.import_(1)\nfrom\tp import(q)",
    "importimport x\nimport  y.z # import q\n    from  ..p  import  r\n# import nope\n",
    "a(\u00a0(b  (\n c\t(9x( _y\ufeff( é(e2(  ",
    "",
  ];

  it.each(texts.map((t) => [t]))("finds the names `\\b([A-Za-z_]\\w*)\\s*\\(` finds, and the import lines (%j)", (text) => {
    expect([...calledNames(text)].sort()).toEqual([...new Set(Array.from(text.matchAll(/\b([A-Za-z_]\w*)\s*\(/g), (m) => m[1]))].sort());
    const lines = Array.from(text.matchAll(/^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import\b|import[ \t]+([\w.]+))/gm), (m) => m[1] ?? m[2]);
    expect(importedPaths(text)).toEqual(lines);
  });
});
