/**
 * Which HF Trainer a training script runs, when its class is not the library's. A script that builds
 * `TrainingArguments(...)` judges the optimizer `optim` names only while the Trainer that reads them builds it: a
 * Trainer subclass that overrides `create_optimizer` (LLaVA's `LLaVATrainer`, kept in another module of the project)
 * builds its own. The file's analysis sees overrides in the file itself (configs.ts); this joiner follows each
 * `...Trainer(...)` call of a file with HF optimizer sites to the class it names, through project imports and base
 * classes, and drops those sites when a class of the chain overrides a Trainer method that builds the optimizer.
 *
 * A chain that ends in a class the project does not hold, other than the library Trainers known to build the
 * optimizer from `optim` (transformers' and trl's), may override those methods too (unsloth's `UnslothTrainer` does):
 * the optimizer is then unknown as well. Judging it anyway could report an optimizer that never trains, and precision
 * comes first. A project class named `...Trainer` whose chain is fully read and reaches no HF Trainer is the project's
 * own and is left alone.
 */
import type { ProjectJoiner } from "../core/types.js";
import { replaceModelFacts } from "../configs/recognize.js";
import { keptIndex } from "./analyze.js";
import { methodsOf } from "./calls.js";
import { TRAINER_OPTIMIZER_METHODS } from "./configs.js";
import { OPAQUE, ProjectClasses, type ClassIn } from "./inherited.js";
import { fieldChild, namedChildren, type PyNode } from "./parser.js";
import { lastName, type Resolver } from "./values.js";

/** Library Trainers that build their optimizer from TrainingArguments (none of them overrides `create_optimizer`). */
const LIBRARY_TRAINER =
  /^(?:transformers(?:\.trainer(?:_seq2seq)?)?\.(?:Seq2Seq)?Trainer|trl(?:\.trainer(?:\.\w+)?)?\.(?:SFT|DPO|ORPO|KTO|CPO|Reward|GRPO|GKD)Trainer)$/;

/** What a class chain says about the optimizer: built by a class of it, by a library Trainer, unknown, or no HF Trainer at all. */
type Verdict = "own" | "unknown" | "library" | "none";

/** How deep base classes are followed. */
const MAX_DEPTH = 8;

export const trainerClassJoiner: ProjectJoiner = {
  name: "python-trainer-classes",
  join(project) {
    let classes: ProjectClasses | undefined;
    for (const file of project.files) {
      if (file.adapter.name !== "python") continue;
      const facts = file.analyzed.facts;
      const hf = facts.optimizers.filter((s) => s.dialect === "transformers" && s.span.file === undefined);
      if (hf.length === 0 || !/Trainer\s*\(/.test(file.text)) continue;
      classes ??= new ProjectClasses(project);
      const resolver = classes.resolver(file.path, keptIndex(file.analyzed));
      if (!resolver) continue;
      const read = new Set<string>();
      const own = runsOwnOptimizer(classes, resolver, read);
      // The verdict, whichever it is, depends on the modules the chain was read from: a change to one of them (an
      // override added to a base class) lints this file again.
      const links = (file.analyzed.links ??= new Map());
      for (const other of read) if (other !== file.path && !links.has(other)) links.set(other, hf[0].span);
      if (!own) continue;
      const dropped = new Set(hf.map((s) => s.id));
      facts.optimizers = facts.optimizers.filter((s) => !dropped.has(s.id));
      replaceModelFacts(facts, dropped, { kinds: [], precision: [] });
    }
  },
};

/** Whether a `...Trainer(...)` call of the file runs a Trainer whose optimizer is its own or cannot be known. */
function runsOwnOptimizer(classes: ProjectClasses, resolver: Resolver, read: Set<string>): boolean {
  for (const call of resolver.index.calls) {
    const callee = fieldChild(call, "function");
    const last = callee && lastName(callee, resolver.text);
    if (!callee || !last?.endsWith("Trainer")) continue;
    const verdict = baseVerdict(classes, resolver, callee, 0, read, new Set());
    if (verdict === "own" || verdict === "unknown") return true;
  }
  return false;
}

/** The verdict of a class expression (a callee or a base): a library Trainer, a project class's chain, or unknown. */
function baseVerdict(classes: ProjectClasses, resolver: Resolver, node: PyNode, depth: number, read: Set<string>, seen: Set<PyNode>): Verdict {
  const path = resolver.pathOf(node);
  if (path && LIBRARY_TRAINER.test(path)) return "library";
  const cls = classes.baseClass(resolver, node, depth);
  if (cls === undefined) return "none";
  if (cls === OPAQUE) return "unknown";
  return chainVerdict(classes, cls, depth + 1, read, seen);
}

/** A class's verdict: a Trainer optimizer method it defines, else what its bases say (an own override first, then unknown). */
function chainVerdict(classes: ProjectClasses, cls: ClassIn, depth: number, read: Set<string>, seen: Set<PyNode>): Verdict {
  if (seen.has(cls.node)) return "none";
  seen.add(cls.node);
  read.add(cls.resolver.filePath);
  for (const [name] of methodsOf(cls.resolver, cls.node)) if (TRAINER_OPTIMIZER_METHODS.has(name)) return "own";
  if (depth >= MAX_DEPTH) return "unknown";
  const superclasses = fieldChild(cls.node, "superclasses");
  const bases = superclasses ? namedChildren(superclasses).filter((b) => b.type !== "keyword_argument" && b.type !== "comment") : [];
  const verdicts = bases.map((b) => baseVerdict(classes, cls.resolver, b, depth, read, seen));
  for (const v of ["own", "unknown", "library"] as const) if (verdicts.includes(v)) return v;
  return "none";
}
