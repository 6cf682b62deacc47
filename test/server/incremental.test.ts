/**
 * The editor's incremental path (a document's tree re-parsed after each change, its copy made from the previous
 * copy, summaries kept by content) must find exactly what a fresh full lint of the same text finds: every message,
 * position, note, fix and suggestion. Chains of random edits on the showcase scripts and on a 3,000-line file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { largeTrainingFile } from "../../bench/editor.js";
import { RULES } from "../../rules/index.js";
import type { LintMessage } from "../../src/core/results.js";
import type { AnalyzedFile } from "../../src/core/types.js";
import { lintProject } from "../../src/default-linter.js";
import { analyzePython, builtIndex } from "../../src/python/analyze.js";
import { flowsMade } from "../../src/python/flows.js";
import { blankComments, forgetTree, incrementalCopies, parse, parseTree, rememberTree, reparse, scanComments, trackTree } from "../../src/python/parser.js";
import { statementChecks } from "../../src/python/edits.js";
import { analysisAfterNumberEdit, commentEditReuse, numberEditReuse } from "../../src/python/reuse.js";
import { nameRefReuse } from "../../src/python/values.js";
import { WorkspaceLinter } from "../../src/server/workspace.js";
import { uriOf } from "./lsp-client.js";

const SHOWCASE = path.resolve(import.meta.dirname, "../../fixtures/showcase");
const DEFAULTS = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));
const disk = { read: (p: string) => (existsSync(p) ? readFileSync(p, "utf8") : undefined), exists: existsSync };

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x80000000;
  };
}

/**
 * What is typed: digits and words that change optimizer settings, names, strings, lines, brackets, comments and
 * directives. `DELETE_LINE` removes the whole line at the cursor, `UNDO` goes back to an earlier text (its summary is
 * kept, while the tree copy it was analyzed from has since been taken over by later copies).
 */
const DELETE_LINE = "<delete line>";
const UNDO = "<undo>";
/** Statements: a copy of another line of the text put before the cursor's line; the cursor's paragraph (up to a blank line) removed. */
const COPY_LINE = "<copy line>";
const DELETE_PARAGRAPH = "<delete paragraph>";
const PIECES = ["1", "0", "x", "\n", "    ", "(", ")", ", ", "#", "  # noqa", "lr=0.5, ", "weight_decay=0.05, ", "momentum=0.9, ", "nesterov=True, ", "Adam", "SGD", "_v2", '"', "'cosine'", "# warmup", DELETE_LINE, UNDO, ""];
const STATEMENT_PIECES = [...PIECES, COPY_LINE, COPY_LINE, DELETE_PARAGRAPH];

/** A fresh lint of the text: no tree, copy or summary of the editor's is reused. */
function freshLint(filePath: string, text: string): LintMessage[] {
  forgetTree(parseTree(text));
  return lintProject([{ filePath, text, rules: DEFAULTS }], { host: disk })[0].messages;
}

function editChain(filePath: string, base: string, seed: number, steps: number, pieces: readonly string[] = PIECES): void {
  const next = random(seed);
  const linter = new WorkspaceLinter(path.dirname(filePath));
  const uri = uriOf(filePath);
  let text = base;
  let at = Math.floor(next() * text.length);
  let found = 0;
  let changes = 0;
  const history = [text];
  const cloned = incrementalCopies.cloned;
  for (let i = 0; i <= steps; i++) {
    if (i > 0) {
      // Typing stays near one place for a few edits, then moves; some edits delete a few characters.
      if (next() < 0.3) at = Math.floor(next() * text.length);
      const end = Math.min(text.length, at + (next() < 0.3 ? Math.floor(next() * 5) : 0));
      const piece = pieces[Math.floor(next() * pieces.length)];
      const before = text;
      const lineStart = text.lastIndexOf("\n", at - 1) + 1;
      if (piece === COPY_LINE) {
        const from = text.lastIndexOf("\n", Math.floor(next() * text.length)) + 1;
        const to = text.indexOf("\n", from);
        const line = to < 0 ? `${text.slice(from)}\n` : text.slice(from, to + 1);
        text = text.slice(0, lineStart) + line + text.slice(lineStart);
        at = lineStart + line.length;
      } else if (piece === DELETE_PARAGRAPH) {
        const blank = text.indexOf("\n\n", at);
        const start = Math.max(0, text.lastIndexOf("\n\n", at - 1) + 1);
        text = text.slice(0, start) + (blank < 0 ? "" : text.slice(blank + 1));
        at = Math.min(start, text.length);
      } else if (piece === UNDO) {
        text = history[Math.floor(next() * history.length)];
        at = Math.min(at, text.length);
      } else if (piece === DELETE_LINE) {
        const lineEnd = text.indexOf("\n", at);
        text = text.slice(0, lineStart) + (lineEnd < 0 ? "" : text.slice(lineEnd + 1));
        at = Math.min(lineStart, text.length);
      } else {
        text = text.slice(0, at) + piece + text.slice(end);
        at = Math.min(text.length, at + piece.length);
      }
      if (text !== before) changes++;
      history.push(text);
    }
    const incremental = linter.lint(uri, filePath, text).result!.messages;
    expect(JSON.stringify(incremental, null, 1), `${path.basename(filePath)} after edit ${i}`).toBe(JSON.stringify(freshLint(filePath, text), null, 1));
    found += incremental.length;
  }
  expect(linter.reparses).toBe(changes);
  // The copies after edits were made from the previous copies, not read whole from the native tree.
  expect(incrementalCopies.cloned).toBeGreaterThan(cloned);
  // The chain is about findings, not only about text that does not parse.
  expect(found).toBeGreaterThan(steps);
}

/** What is typed inside comments: words the collectors look for, code that a comment only mentions, quotes, directives, deletions. */
const COMMENT_PIECES = ["x", " ", "AdamW", "sqrt", " 1 - beta", "self.save_hyperparameters()", "optimizer.step()", "'", '"', '"""', "#", "noqa", " optim-lint: disable", "\\", "\t", "<backspace>", "<backspace>", "\n", UNDO];

/** What is typed into numbers: digits mostly, and what turns a number into another token or breaks it. */
const NUMBER_PIECES = ["1", "0", "9", "1", "5", "2", "7", "0", "<backspace>", "<backspace>", ".", "e", "_", "x", " ", UNDO, UNDO, UNDO];

/**
 * Typing in one place: `place` puts the cursor somewhere in the text (it may change the text, and gives -1 when it
 * finds no place), and pieces are typed there for a while, then the cursor moves. Each result must be exactly a fresh
 * lint's.
 */
function typingChain(
  filePath: string,
  base: string,
  seed: number,
  steps: number,
  pieces: readonly string[],
  place: (text: string, next: () => number) => { text: string; at: number },
): { moved: number; analyses: number } {
  const next = random(seed);
  const linter = new WorkspaceLinter(path.dirname(filePath));
  const uri = uriOf(filePath);
  let text = base;
  let at = -1;
  const history: string[] = [];
  for (let i = 0; i <= steps; i++) {
    if (i > 0) {
      if (at < 0 || next() < 0.15) {
        ({ text, at } = place(text, next));
      } else {
        const piece = pieces[Math.floor(next() * pieces.length)];
        if (piece === "<backspace>") {
          if (at > 0) text = text.slice(0, at - 1) + text.slice(at);
          at = Math.max(0, at - 1);
        } else if (piece === UNDO) {
          // Back to an earlier text, whose summary is kept while its index was moved on to later texts.
          text = history[Math.floor(next() * history.length)];
          at = -1;
        } else {
          text = text.slice(0, at) + piece + text.slice(at);
          // A line break ends a comment: what follows it on the new line is code, and typing moves elsewhere.
          at = piece === "\n" ? -1 : at + piece.length;
        }
      }
    }
    history.push(text);
    const incremental = linter.lint(uri, filePath, text).result!.messages;
    expect(JSON.stringify(incremental, null, 1), `${path.basename(filePath)} after edit ${i}`).toBe(JSON.stringify(freshLint(filePath, text), null, 1));
  }
  return { moved: linter.movedSummaries, analyses: linter.fileAnalyses };
}

/**
 * Typing inside comments: the cursor goes to the end of a random line (opening a comment there) or into an existing
 * comment. Most edits stay inside one comment, where the previous analysis is moved instead of made again.
 */
function commentChain(filePath: string, base: string, seed: number, steps: number): { moved: number; analyses: number } {
  return typingChain(filePath, base, seed, steps, COMMENT_PIECES, (text, next) => {
    const lineEnd = text.indexOf("\n", Math.floor(next() * text.length));
    const end = lineEnd < 0 ? text.length : lineEnd;
    const hash = text.lastIndexOf("#", end);
    const lineStart = text.lastIndexOf("\n", end - 1) + 1;
    if (hash >= lineStart && next() < 0.7) return { text, at: hash + 1 + Math.floor(next() * (end - hash)) };
    return { text: `${text.slice(0, end)}  # ${text.slice(end)}`, at: end + 4 };
  });
}

/** Typing into numbers: the cursor goes into or after a random number of the text. */
function numberChain(filePath: string, base: string, seed: number, steps: number): { moved: number; analyses: number } {
  return typingChain(filePath, base, seed, steps, NUMBER_PIECES, (text, next) => {
    const numbers = [...text.matchAll(/(?<![\w.])\d[\d.]*/g)];
    if (numbers.length === 0) return { text, at: -1 };
    const number = numbers[Math.floor(next() * numbers.length)];
    return { text, at: number.index + Math.floor(next() * (number[0].length + 1)) };
  });
}

describe("the editor's incremental path finds what a fresh full lint finds", () => {
  for (const [i, name] of ["train_transformer.py", "train_resnet.py", "train_ddp.py", "finetune_regressor.py"].entries()) {
    it(`after each of a chain of random edits to ${name}`, () => {
      const filePath = path.join(SHOWCASE, name);
      editChain(filePath, readFileSync(filePath, "utf8"), 101 + i, 30);
    });
  }

  it("after each of a chain of random edits to a 3,000-line file", () => {
    editChain(path.join(SHOWCASE, "generated_train.py"), largeTrainingFile(), 7, 6);
  });

  // Whole statements as well: lines copied from elsewhere in the file (a construction, a step, an import, a `def`
  // line) and paragraphs removed (a function, a block of settings).
  for (const [i, name] of ["train_transformer.py", "train_gan.py", "train_ddp.py"].entries()) {
    it(`after each of a chain of random edits to ${name}, statements copied and removed among them`, () => {
      const filePath = path.join(SHOWCASE, name);
      editChain(filePath, readFileSync(filePath, "utf8"), 501 + i, 30, STATEMENT_PIECES);
    });
  }
});

describe("the editor's reuse of an analysis after an edit inside a comment or a number", () => {
  for (const [i, name] of ["train_transformer.py", "train_ddp.py", "finetune_regressor.py", "train_gan.py"].entries()) {
    it(`finds what a fresh full lint finds after each of a chain of edits in comments of ${name}`, () => {
      const filePath = path.join(SHOWCASE, name);
      const indexesMoved = commentEditReuse.indexesMoved;
      const { moved, analyses } = commentChain(filePath, readFileSync(filePath, "utf8"), 211 + i, 40);
      // Most edits were answered by moving the previous analysis; line breaks, undos and new comments were analyzed.
      expect(moved).toBeGreaterThan(analyses);
      // The index the call-site joiner reads was moved with it, not built again.
      expect(commentEditReuse.indexesMoved).toBeGreaterThan(indexesMoved);
    });
  }

  for (const [i, name] of ["train_transformer.py", "train_ddp.py", "train_resnet.py"].entries()) {
    it(`finds what a fresh full lint finds after each of a chain of edits in numbers of ${name}`, () => {
      const filePath = path.join(SHOWCASE, name);
      const indexesMoved = numberEditReuse.indexesMoved;
      numberChain(filePath, readFileSync(filePath, "utf8"), 311 + i, 40);
      // Digits typed into numbers were analyzed with the previous index moved, not a new copy and index.
      expect(numberEditReuse.indexesMoved).toBeGreaterThan(indexesMoved);
    });
  }

  it("finds what a fresh full lint finds after edits in comments of a 3,000-line file", () => {
    const { moved } = commentChain(path.join(SHOWCASE, "generated_train.py"), largeTrainingFile(), 17, 8);
    expect(moved).toBeGreaterThan(0);
  });

  it("moves the analysis for edits in comments of a clean file, and analyzes again in a file with a syntax error", () => {
    const filePath = path.join(SHOWCASE, "quoted_train.py");
    const uri = uriOf(filePath);
    const linter = new WorkspaceLinter(path.dirname(filePath));
    const text = [
      "import torch",
      "",
      "model = torch.nn.Linear(4, 4)",
      "optimizer = torch.optim.Adam(model.parameters(), lr=0.1, weight_decay=0.01)  # decay",
      "for x in range(3):",
      "    optimizer.step()  # step",
      "",
    ].join("\n");
    const typed = (base: string, after: string, piece: string) => base.replace(after, after + piece);
    const texts = [text, typed(text, "# step", "s"), typed(typed(text, "# step", "s"), "# decay", "!")];
    const broken = `${texts[2]}x = (\n# open\n`;
    texts.push(broken, typed(broken, "# open", "ed"));
    for (const current of texts) {
      expect(JSON.stringify(linter.lint(uri, filePath, current).result!.messages, null, 1)).toBe(JSON.stringify(freshLint(filePath, current), null, 1));
    }
    // The two edits in comments of the clean text were moved; the broken text was analyzed, and so was the edit in its comment.
    expect(linter.movedSummaries).toBe(2);
    expect(linter.fileAnalyses).toBe(3);
  });
});

/** A module whose functions read what other statements define: an argparse default, a config dict, a constant, helpers. */
const CROSS_READS = [
  "import argparse",
  "",
  "import torch",
  "from torch import nn",
  "",
  "parser = argparse.ArgumentParser()",
  'parser.add_argument("--lr", type=float, default=0.5)',
  'parser.add_argument("--gradient_accumulation_steps", type=int, default=4)',
  "args = parser.parse_args()",
  "",
  'CONFIG = {"lr": 0.1, "weight_decay": 0.0, "momentum": 0.9}',
  "BASE_LR = 0.01",
  "",
  "",
  "def learning_rate():",
  '    return CONFIG["lr"]',
  "",
  "",
  "def build(model):",
  '    return torch.optim.SGD(model.parameters(), lr=learning_rate(), momentum=CONFIG["momentum"])',
  "",
  "",
  "def build_adam(model):",
  '    return torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=CONFIG["weight_decay"])',
  "",
  "",
  "def train(loader):",
  "    model = nn.Linear(4, 4).half()",
  "    optimizer = build(model)",
  "    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10)",
  "    for epoch in range(10):",
  "        for step, (x, y) in enumerate(loader):",
  "            loss = model(x).sum() / args.gradient_accumulation_steps",
  "            loss.backward()",
  "            optimizer.step()",
  "        scheduler.step()",
  '    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, "ckpt.pt")',
  "",
  "",
  "def resume(model, path):",
  "    checkpoint = torch.load(path)",
  "    optimizer = build_adam(model)",
  '    optimizer.load_state_dict(checkpoint["optimizer"])',
  '    start = checkpoint["epoch"]',
  "    return optimizer, start",
  "",
].join("\n");

/**
 * Edits inside one function or statement that change what other statements read, each a replacement of the first
 * occurrence of a text (applied in turn, then undone in reverse order).
 */
const CROSS_EDITS: [string, string][] = [
  ["default=0.5", "default=0.05"], // an argparse default read by a construction in a function (typed digit)
  ["default=0.05", "default=0.005"],
  ['"lr": 0.1', '"lr": 0.15'], // a dict value read through a helper's return
  ['"weight_decay": 0.0', '"weight_decay": 0.01'], // a dict value read by another function's construction
  ['return CONFIG["lr"]', "return BASE_LR"], // the helper now reads another module-level name
  ["BASE_LR = 0.01", "BASE_LR = 0.1"],
  ["def learning_rate():", "def learning_rates():"], // a name read elsewhere no longer defined
  ["def train(loader):", "def build_sgd(model):\n    return torch.optim.SGD(model.parameters(), lr=0.1, nesterov=True)\n\n\ndef train(loader):"], // a function added
  ["optimizer = build(model)", "optimizer = build_sgd(model)"], // and called
  ['def build_adam(model):\n    return torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=CONFIG["weight_decay"])\n\n\n', ""], // a function removed
  ['"--lr"', '"--learning_rate"'], // the flag a construction reads renamed
  ["nn.Linear(4, 4).half()", "nn.Linear(4, 4)"],
  ["args.gradient_accumulation_steps", "args.accum"],
  ["optimizer.step()", "scaler.step(optimizer)"],
];

/** Applies `edits` to `base` in turn and then undoes them in reverse, linting each text incrementally and afresh. */
function crossChain(filePath: string, base: string, edits: readonly [string, string][]): void {
  const linter = new WorkspaceLinter(path.dirname(filePath));
  const uri = uriOf(filePath);
  const texts = [base];
  for (const [from, to] of edits) {
    const last = texts[texts.length - 1];
    expect(last.includes(from), from).toBe(true);
    texts.push(last.replace(from, to));
  }
  let findings = 0;
  const distinct = new Set<string>();
  for (const text of [...texts, ...texts.slice(0, -1).reverse()]) {
    const incremental = JSON.stringify(linter.lint(uri, filePath, text).result!.messages, null, 1);
    const fresh = JSON.stringify(freshLint(filePath, text), null, 1);
    expect(incremental).toBe(fresh);
    findings += JSON.parse(fresh).length;
    // Positions aside (an edit moves what follows it), the findings themselves change with most edits.
    distinct.add(fresh.replace(/"(?:line|column|endLine|endColumn|start|end)": \d+/g, ""));
  }
  expect(findings).toBeGreaterThan(texts.length);
  expect(distinct.size).toBeGreaterThan(edits.length / 2);
}

/** Files of the bench corpus (git-ignored: present only where `bench/corpus` was fetched): real code, not written for the tests. */
const CORPUS = path.resolve(import.meta.dirname, "../../bench/corpus");
const REAL_FILES = ["timm/timm/models/eva.py", "nanoGPT/train.py", "nanoGPT/model.py"];

/** What is typed into a function body or an optimizer call: digits, names, keywords, lines and statements. */
const BODY_PIECES = ["1", "0", "x", "lr", "_", ", ", "weight_decay=0.1, ", "betas=(0.9, 0.95), ", "\n    ", "(", ")", "<backspace>", "<backspace>", UNDO];
const STATEMENTS = ["\n    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)", "\n    return x", "\n    x = 3", "\n    pass", "\n    scheduler.step()"];

/**
 * Typing inside code: the cursor goes into the body of a random function (a line indented under a `def`), or into an
 * optimizer construction's call when the text has one, and sometimes a whole statement is typed there.
 */
function bodyChain(filePath: string, base: string, seed: number, steps: number): void {
  typingChain(filePath, base, seed, steps, [...BODY_PIECES, ...STATEMENTS], (text, next) => {
    const calls = [...text.matchAll(/\b(?:AdamW|Adam|SGD|configure_optimizers|optim\.\w+)\(/g)];
    if (calls.length > 0 && next() < 0.4) {
      const call = calls[Math.floor(next() * calls.length)];
      const open = call.index + call[0].length;
      const close = text.indexOf(")", open);
      return { text, at: open + Math.floor(next() * (Math.max(close, open) - open + 1)) };
    }
    const bodies = [...text.matchAll(/^ {4,}\S.*$/gm)];
    if (bodies.length === 0) return { text, at: -1 };
    const line = bodies[Math.floor(next() * bodies.length)];
    return { text, at: line.index + Math.floor(next() * (line[0].length + 1)) };
  });
}

describe.skipIf(!existsSync(CORPUS))("the editor's incremental path on real files of the bench corpus", () => {
  for (const [i, name] of REAL_FILES.entries()) {
    const filePath = path.join(CORPUS, name);
    it(`finds what a fresh full lint finds after edits in function bodies and optimizer calls of ${name}`, () => {
      bodyChain(filePath, readFileSync(filePath, "utf8"), 701 + i, 12);
    });
    it(`finds what a fresh full lint finds after digits typed into numbers of ${name}`, () => {
      numberChain(filePath, readFileSync(filePath, "utf8"), 711 + i, 12);
    });
    it(`finds what a fresh full lint finds after random edits, statements copied and removed, in ${name}`, () => {
      const text = readFileSync(filePath, "utf8");
      // The chain checks its own counts (findings among them); eva.py, model code only, has none to count.
      if (name.endsWith("eva.py")) typingChain(filePath, text, 721 + i, 10, STATEMENT_PIECES, (t, next) => ({ text: t, at: Math.floor(next() * t.length) }));
      else editChain(filePath, text, 721 + i, 10, STATEMENT_PIECES);
    });
  }
});

describe("the editor's incremental path on the dense 3,000-line file and on a notebook", () => {
  it("finds what a fresh full lint finds after edits in function bodies and optimizer calls of the 3,000-line file", () => {
    bodyChain(path.join(SHOWCASE, "generated_train.py"), largeTrainingFile(), 731, 8);
  });

  it("finds what a fresh full lint finds after digits typed into numbers of the 3,000-line file", () => {
    numberChain(path.join(SHOWCASE, "generated_train.py"), largeTrainingFile(), 741, 8);
  });

  for (const [i, name] of ["train_adam.ipynb", "decay_groups.ipynb"].entries()) {
    it(`finds what a fresh full lint finds after edits in the code of ${name}, opened as JSON`, () => {
      const filePath = path.resolve(import.meta.dirname, "../../fixtures/notebook", name);
      const text = readFileSync(filePath, "utf8");
      numberChain(filePath, text, 751 + i, 15);
      bodyChain(filePath, text, 761 + i, 15);
    });
  }
});

describe("the editor's incremental path after edits that change what other statements read", () => {
  it("finds what a fresh full lint finds after each edit to defaults, dict values, helpers and functions read elsewhere", () => {
    crossChain(path.join(SHOWCASE, "cross_reads.py"), CROSS_READS, CROSS_EDITS);
  });

  it("finds what a fresh full lint finds after such edits in a 3,000-line file", () => {
    crossChain(path.join(SHOWCASE, "generated_train.py"), largeTrainingFile(), [
      ["default=3e-4", "default=3e-3"],
      ["weight_decay=0.0)", "weight_decay=0.05)"], // the shared factory that most blocks call
      ["def make_optimizer(model):", "def make_optimizers(model):"],
      ["def build_7(width=71):", "def build_7(width=71):\n    return None\n\n\ndef build_7b(width=71):"],
      ['parser.add_argument("--momentum", type=float, default=0.9)\n', ""],
    ]);
  });
});

describe("the editor's incremental path after an edit is undone", () => {
  it("judges a factory's construction per call with the text's own tree when its summary is kept from before the edit", () => {
    // The kept summary of the first text was analyzed from a tree copy whose statements the copy after the edit took
    // over and moved; judging the construction once per call (values passed at each call) must not read those nodes.
    const filePath = path.join(SHOWCASE, "factory_train.py");
    const uri = uriOf(filePath);
    const linter = new WorkspaceLinter(path.dirname(filePath));
    const text = [
      "import torch",
      "from torch import nn",
      "",
      "",
      "def make_optimizer(model, lr, decay):",
      "    return torch.optim.Adam(model.parameters(), lr=lr, weight_decay=decay)",
      "",
      "",
      "def run_small():",
      "    return make_optimizer(nn.Linear(4, 4), 3.0, 0.1)",
      "",
      "",
      "def run_large():",
      "    return make_optimizer(nn.Linear(8, 8), 1e-9, 0.0)",
      "",
    ].join("\n");
    const edited = `# a note of some length\n${text}`;
    const expected = JSON.stringify(freshLint(filePath, text), null, 1);
    expect(expected.match(/passed to make_optimizer\(\)/g)).toHaveLength(6);
    expect(JSON.stringify(linter.lint(uri, filePath, text).result!.messages, null, 1)).toBe(expected);
    expect(JSON.stringify(linter.lint(uri, filePath, edited).result!.messages, null, 1)).toBe(JSON.stringify(freshLint(filePath, edited), null, 1));
    expect(JSON.stringify(linter.lint(uri, filePath, text).result!.messages, null, 1)).toBe(expected);
    expect(linter.fileAnalyses).toBe(2);
  });
});

/**
 * Constructions in flows nothing joins (test functions, branches of an `if`), distributed evidence and precision
 * evidence tied to the constructions of their flow: what the flows of control decide, which an edit inside a number
 * hands on to the next analysis instead of reading again.
 */
const FLOWS_TEXT = [
  "import torch",
  "from torch.utils.data import DistributedSampler",
  "",
  "def build_a(model):",
  "    return torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)",
  "",
  "def build_b(model):",
  "    return torch.optim.Adam(model.parameters(), lr=0.001, weight_decay=0.01)",
  "",
  "def test_one(data):",
  "    model = torch.nn.Linear(4, 4).half()",
  "    opt = build_a(model)",
  "    sampler = DistributedSampler(data, num_replicas=2)",
  "",
  "def test_two(data):",
  "    model = torch.nn.Linear(8, 8).half()",
  "    opt = build_b(model)",
  "    scaler = torch.cuda.amp.GradScaler(init_scale=1024)",
  "",
  "if flag:",
  "    opt = torch.optim.SGD(params, lr=0.5)",
  "else:",
  "    opt = torch.optim.AdamW(params, lr=0.05, weight_decay=0.0)",
  "",
].join("\n");

/** A summary's facts as JSON, maps and sets written out. */
function factsJson(file: { facts: unknown }): string {
  return JSON.stringify(file.facts, (_key, value: unknown) => (value instanceof Map ? [...value] : value instanceof Set ? [...value] : value), 1);
}

/**
 * Types a `7` after each number of `base`, the last first, analyzing each text from the previous analysis with the
 * index moved (`analysisAfterNumberEdit`), and checks that its facts are a fresh analysis's. `moved` is called after
 * each analysis from the previous one, `fresh` after each fresh one; the count of such analyses is returned.
 */
function digitChain(filePath: string, base: string, hooks: { first?(analysis: AnalyzedFile): void; moved?(at: number, analysis: AnalyzedFile, text: string): void; fresh?(at: number): void } = {}): number {
  let text = base;
  let tree = parse(text);
  trackTree(tree);
  rememberTree(text, tree);
  let previous = analyzePython(text, filePath);
  hooks.first?.(previous);
  let edits = 0;
  for (const match of [...base.matchAll(/\d+(?:\.\d+)?/g)].reverse()) {
    const at = match.index + match[0].length;
    const after = `${text.slice(0, at)}7${text.slice(at)}`;
    tree = reparse(tree, text, after);
    const moved = analysisAfterNumberEdit(previous, after, tree, filePath);
    if (!moved) continue;
    edits++;
    hooks.moved?.(at, moved, after);
    forgetTree(parseTree(after));
    const fresh = analyzePython(after, filePath);
    hooks.fresh?.(at);
    expect(factsJson(moved), `after a digit typed at ${at}`).toBe(factsJson(fresh));
    rememberTree(after, tree);
    text = after;
    previous = moved;
  }
  return edits;
}

describe("the editor's reuse of the flows of control after an edit inside a number", () => {
  it("hands the flows on, and the facts they decide (exclusive pairs, scoped evidence, precision) are a fresh analysis's", () => {
    let made = 0;
    const edits = digitChain("/flows/train.py", FLOWS_TEXT, {
      first(previous) {
        // The fixture has what the flows decide: alternatives no run builds together, evidence scoped to one test's flow.
        expect(previous.facts.exclusive?.length).toBeGreaterThan(2);
        expect(previous.facts.distributed.evidence.some((e) => e.sites && e.sites.length === 1)).toBe(true);
        made = flowsMade.count;
      },
    });
    expect(edits).toBeGreaterThan(10);
    // Each fresh analysis made its own flows; the analyses after an edit made none.
    expect(flowsMade.count - made).toBe(edits);
  });
});

/**
 * A training script whose constructions are named through imports of every kind (library modules, a module alias,
 * an attribute chain, names in parentheses, a project module's function and a project module itself, a star import,
 * builtins), beside a project module whose factory it calls: the references read from names and imports are handed
 * on after an edit inside a number, and those of the project module are what tells the project pass to look into it.
 */
const IMPORTS_TEXT = [
  "import torch",
  "import torch.nn as nn",
  "from torch.optim import lr_scheduler",
  "from torch.optim import *",
  "from optim_helpers import make_optimizer",
  "import optim_helpers as helpers",
  "",
  "model = nn.Sequential(nn.Linear(16, 16), nn.LSTM(16, 32), (nn.ReLU)())",
  "first = make_optimizer(model.parameters(), 0.1, 0.01)",
  "second = helpers.make_optimizer(model.parameters(), 0.5, 0.0)",
  "sgd = (torch.optim).SGD(model.parameters(), lr=0.1, momentum=0.9)",
  "adam = Adam(model.parameters(), lr=0.001, weight_decay=0.05)",
  "scheduler = lr_scheduler.StepLR(sgd, step_size=30, gamma=0.1)",
  "steps = len(range(100))",
  "for epoch in range(10):",
  "    sgd.step()",
  "    adam.step()",
  "    scheduler.step()",
  "",
].join("\n");

const HELPERS_TEXT = ["import torch", "", "", "def make_optimizer(params, lr, decay):", "    return torch.optim.Adam(params, lr=lr, weight_decay=decay)", ""].join("\n");

describe("the editor's reuse of the references read from names and imports after an edit inside a number", () => {
  it("answers them from the previous analysis's, and finds what a fresh full lint finds, project module included", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "optim-lint-name-refs-"));
    try {
      writeFileSync(path.join(dir, "optim_helpers.py"), HELPERS_TEXT);
      const filePath = path.join(dir, "train.py");
      // The factory in the project module is judged with what each call passes: the project pass looked into it.
      expect(JSON.stringify(freshLint(filePath, IMPORTS_TEXT)).match(/passed to make_optimizer\(\)/g)?.length).toBeGreaterThan(1);
      const indexesMoved = numberEditReuse.indexesMoved;
      const served = nameRefReuse.served;
      numberChain(filePath, IMPORTS_TEXT, 401, 40);
      expect(numberEditReuse.indexesMoved).toBeGreaterThan(indexesMoved);
      expect(nameRefReuse.served).toBeGreaterThan(served);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("hands them on with the index: the analysis after a digit typed resolves none of them again", () => {
    // The counts after the first analysis and after each fresh one (the previous one for the analysis after the next digit).
    let { made, served } = nameRefReuse;
    const edits = digitChain("/name-refs/train.py", IMPORTS_TEXT, {
      first() {
        ({ made, served } = nameRefReuse);
      },
      moved(at) {
        expect(nameRefReuse.made, `after a digit typed at ${at}`).toBe(made);
        expect(nameRefReuse.served).toBeGreaterThan(served);
      },
      fresh() {
        // A fresh analysis resolves them (its resolvers share them with each other).
        expect(nameRefReuse.made).toBeGreaterThan(made);
        ({ made, served } = nameRefReuse);
      },
    });
    expect(edits).toBeGreaterThan(10);
  });
});

/**
 * Numbers beside what the lexical comment scan reacts to: trailing comments, strings holding `#` and quotes, an
 * f-string's format spec with `#`, triple-quoted strings, escapes, a line continuation, and a string nested in an
 * f-string with its own quotes, which the scan (unlike tree-sitter) reads as opening a comment. Digits stand in
 * numbers only, and the nested f-string comes first (the chain types from the last number back).
 */
const SCAN_TEXT = [
  "import torch",
  'nested = f"{"#"} {5}"',
  "model = torch.nn.Linear(16, 16)  # sixteen in, sixteen out",
  'tag = "#a" + str(2)  # a # in a string',
  "label = f'{3:#x} {model.in_features + 4}'",
  '"""A docstring # with \' quotes"""',
  "path = 'C:\\\\run\\\\' + str(7)",
  "total = 8 + \\",
  "    9",
  "opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)  # the lr",
  "sched = torch.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.5)",
  "for epoch in range(10):",
  "    opt.step()",
  "    sched.step()",
  "",
].join("\n");

describe("the editor's analysis after an edit inside a number, without scanning the text for comments again", () => {
  it("splices the typed digit into the previous blanked text and keeps the comments, as a fresh scan finds them", () => {
    const spliced = numberEditReuse.blanksSpliced;
    let checked = 0;
    const edits = digitChain("/scan/train.py", SCAN_TEXT, {
      moved(at, analysis, text) {
        expect(builtIndex(analysis)?.text, `after a digit typed at ${at}`).toBe(blankComments(text));
        expect(analysis.comments, `after a digit typed at ${at}`).toEqual(scanComments(text));
        checked++;
      },
    });
    expect(edits).toBeGreaterThan(10);
    expect(checked).toBe(edits);
    expect(numberEditReuse.blanksSpliced - spliced).toBeGreaterThan(10);
  });
});

describe("the editor's fix checks while typing", () => {
  it("parses a fix's statement once: digits typed elsewhere check the same fixes with no parse, and find what a fresh lint finds", () => {
    const filePath = path.join(SHOWCASE, "generated_train.py");
    // Statements no other test checked (the verdicts are kept by statement text for the whole process).
    const text = largeTrainingFile().replaceAll("width", "size");
    const linter = new WorkspaceLinter(path.dirname(filePath));
    const uri = uriOf(filePath);
    const parsed = statementChecks.parsed;
    expect(linter.lint(uri, filePath, text).result!.messages.some((m) => m.fix)).toBe(true);
    expect(statementChecks.parsed).toBeGreaterThan(parsed);
    const at = text.lastIndexOf("T_max=100") + "T_max=100".length;
    let current = text;
    for (let i = 0; i < 3; i++) {
      current = `${current.slice(0, at)}1${current.slice(at)}`;
      const before = statementChecks.parsed;
      const messages = linter.lint(uri, filePath, current).result!.messages;
      expect(statementChecks.parsed, `after digit ${i + 1}`).toBe(before);
      expect(JSON.stringify(messages, null, 1)).toBe(JSON.stringify(freshLint(filePath, current), null, 1));
    }
  });
});
