/**
 * Edits on training code: the bias-corrected form of a hand-written Adam update, and the optimizer's state added to
 * a checkpoint's load or save. Each is refused (with a reason) when the code is not in a shape it can edit safely.
 */
import type { Span, TrainingFacts } from "../../core/facts.js";
import type { AnalyzedFile, TextEdit } from "../../core/types.js";
import type { ManualAdamData } from "../manual-adam.js";
import { appendItem } from "./lists.js";
import { preferredQuote } from "./render.js";
import { ancestorOf, codeChildren, lineEnding, leadingIndent, nodeAt, type SyntaxNode } from "./syntax.js";

/** The edits a hand-written Adam update's fact carries: each moment it reads divided by 1 - beta**t. */
export function correctAdamUpdate(file: AnalyzedFile, id: string): TextEdit[] | string {
  const update = file.facts.manualAdam?.find((u) => u.id === id);
  if (!update) return `no hand-written Adam update with id ${id} in this file`;
  const data = update.adapterData as ManualAdamData | undefined;
  if (!data || data.edits.length === 0) return "the step counter or the betas of the update are not known";
  return data.edits;
}

/** The name a construction is assigned to (`optimizer`, `self.opt`). */
function holderText(root: SyntaxNode, facts: TrainingFacts, siteId: string): { holder: string; statement: SyntaxNode } | undefined {
  const site = facts.optimizers.find((s) => s.id === siteId);
  if (!site) return undefined;
  const call = nodeAt(root, site.span, ["call"]);
  const assignment = call?.parent;
  if (assignment?.type !== "assignment" || assignment.childForFieldName("right")?.id !== call!.id) return undefined;
  const left = assignment.childForFieldName("left");
  if (!left || (left.type !== "identifier" && left.type !== "attribute")) return undefined;
  return { holder: left.text, statement: assignment.parent! };
}

/**
 * Whether a construction's name can be read at a node: `self.x` in any method of the construction's class, another
 * name in the construction's own function, or anywhere when it is built at module level.
 */
function boundAt(holder: string, statement: SyntaxNode, at: SyntaxNode): boolean {
  if (holder.startsWith("self.")) {
    const cls = ancestorOf(statement, ["class_definition"]);
    return cls !== undefined && cls.id === ancestorOf(at, ["class_definition"])?.id;
  }
  const scope = ancestorOf(statement, ["function_definition", "module"]);
  return scope?.type === "module" || scope?.id === ancestorOf(at, ["function_definition", "module"])?.id;
}

/** A new statement after `statement`, on its own line at its indentation. */
function insertAfter(text: string, statement: SyntaxNode, line: string): TextEdit | string {
  const indent = leadingIndent(text, statement.startIndex);
  if (indent === undefined) return "the statement shares its line with other code";
  return { span: { start: statement.endIndex, end: statement.endIndex }, text: `${lineEnding(text)}${indent}${line}` };
}

/**
 * `optimizer.load_state_dict(checkpoint["optimizer"])` after a model load that reads a key of a loaded checkpoint
 * (`model.load_state_dict(checkpoint["model"])`), placed after the optimizer's construction when that comes later in
 * the same block.
 */
export function restoreOptimizerState(text: string, root: SyntaxNode, facts: TrainingFacts, load: Span, siteId: string): TextEdit[] | string {
  const call = nodeAt(root, load, ["call"]);
  if (!call) return "the model load is not a call";
  const [argument] = codeChildren(call.childForFieldName("arguments")!);
  if (argument?.type !== "subscript" || argument.childForFieldName("value")?.type !== "identifier") {
    return "the model's weights do not come from a key of a loaded checkpoint";
  }
  const checkpoint = argument.childForFieldName("value")!.text;
  const held = holderText(root, facts, siteId);
  if (!held) return "the optimizer is not assigned to a name";
  const loadStatement = call.parent?.type === "expression_statement" ? call.parent : undefined;
  if (!loadStatement) return "the model load is not a statement of its own";
  if (!boundAt(held.holder, held.statement, call)) return "the optimizer's name is not bound where the model loads";
  const quote = preferredQuote(root);
  const line = `${held.holder}.load_state_dict(${checkpoint}[${quote}optimizer${quote}])`;
  if (held.statement.startIndex < loadStatement.startIndex) {
    // The construction runs first: the new line goes right after the load.
    const edit = insertAfter(text, loadStatement, line);
    return typeof edit === "string" ? edit : [edit];
  }
  // The construction comes later: only in the same block, where the checkpoint is still bound.
  if (held.statement.parent?.id !== loadStatement.parent?.id) return "the optimizer is built after the load, in another block";
  const edit = insertAfter(text, held.statement, line);
  return typeof edit === "string" ? edit : [edit];
}

/** The dict literal a name was last assigned, in the statements of the save's own block before it (`state = {...}`). */
function dictAssignedBefore(name: SyntaxNode, call: SyntaxNode): SyntaxNode | undefined {
  let statement: SyntaxNode | null = call;
  while (statement && statement.parent && statement.parent.type !== "block" && statement.parent.type !== "module") statement = statement.parent;
  for (let previous = statement?.previousNamedSibling; previous; previous = previous.previousNamedSibling) {
    const assignment = previous.type === "expression_statement" ? previous.namedChildren[0] : undefined;
    const left = assignment?.type === "assignment" ? assignment.childForFieldName("left") : undefined;
    if (left?.type === "identifier" && left.text === name.text) {
      const right = assignment!.childForFieldName("right");
      return right?.type === "dictionary" ? right : undefined;
    }
    // Any other mention of the name may change the dict (`state["x"] = ...`): stop there.
    if (previous.text.includes(name.text)) return undefined;
  }
  return undefined;
}

/** `"optimizer": optimizer.state_dict()` added to the dict literal a save writes. */
export function saveOptimizerState(text: string, root: SyntaxNode, facts: TrainingFacts, save: Span, siteId: string): TextEdit[] | string {
  const call = nodeAt(root, save, ["call"]);
  if (!call) return "the save is not a call";
  const [written] = codeChildren(call.childForFieldName("arguments")!);
  const argument = written?.type === "identifier" ? dictAssignedBefore(written, call) : written;
  if (argument?.type !== "dictionary") return "what the save writes is not a dict written at the call or just before it";
  const held = holderText(root, facts, siteId);
  if (!held) return "the optimizer is not assigned to a name";
  // The save must run where the optimizer is bound: after its construction, in its function.
  const saveScope = ancestorOf(call, ["function_definition", "module"]);
  const siteScope = ancestorOf(held.statement, ["function_definition", "module"]);
  if (saveScope?.id !== siteScope?.id || held.statement.startIndex > call.startIndex) return "the optimizer is not bound where the save runs";
  const quote = preferredQuote(root);
  const pairs = codeChildren(argument).filter((c) => c.type === "pair");
  if (pairs.length !== codeChildren(argument).length) return "the saved dict unpacks other dicts";
  return appendItem(text, argument, pairs, `${quote}optimizer${quote}: ${held.holder}.state_dict()`);
}

/** The count of a `range(...)` loop as code: `n` for `range(n)`, `b` for `range(0, b)`, `n` for `range(1, n + 1)`, else `len(range(a, b))`. */
function rangeCountText(range: SyntaxNode): string | undefined {
  const args = codeChildren(range.childForFieldName("arguments")!);
  if (args.length === 1) return args[0].text;
  if (args.length !== 2) return undefined;
  const [low, high] = args;
  if (low.text === "0") return high.text;
  const plus = high.type === "binary_operator" && high.childForFieldName("operator")?.type === "+";
  if (plus && high.childForFieldName("left")!.text === low.text) return high.childForFieldName("right")!.text;
  if (low.text === "1" && plus && high.childForFieldName("right")?.text === "1") {
    return high.childForFieldName("left")!.text;
  }
  return `len(${range.text})`;
}

/** Whether a name is used anywhere in the module (a new binding of it could clash). */
function nameInUse(root: SyntaxNode, name: string): boolean {
  return root.descendantsOfType("identifier").some((id) => id.text === name);
}

/**
 * A cosine-annealing scheduler built right before the loop over the loop's count, and stepped at the end
 * of each pass of that loop (`per: "epoch"`) or right after the optimizer's step inside it (`per: "step"`). Refused
 * unless `torch` is imported as a module, the loop runs in the construction's function, and the name is free.
 */
export function addLrScheduler(text: string, root: SyntaxNode, facts: TrainingFacts, siteId: string, loop: Span, per: "epoch" | "step"): TextEdit[] | string {
  const held = holderText(root, facts, siteId);
  if (!held) return "the optimizer is not assigned to a name";
  const range = nodeAt(root, loop, ["call"]);
  const forLoop = range?.parent?.type === "for_statement" ? range.parent : undefined;
  if (!range || !forLoop) return "the training loop is not a for loop over range(...)";
  const count = rangeCountText(range);
  if (!count) return "the loop's length cannot be written";
  if (!/^import torch\s*$/m.test(text) || nameInUse(root, "CosineAnnealingLR")) return "torch is not imported as a module";
  const name = ["scheduler", "lr_scheduler", "sgd_scheduler"].find((n) => !nameInUse(root, n));
  if (!name) return "no free name for the scheduler";
  const scope = (node: SyntaxNode) => ancestorOf(node, ["function_definition", "module"])?.id;
  if (scope(forLoop) !== scope(held.statement) || forLoop.startIndex < held.statement.endIndex) return "the loop does not run after the construction in its function";
  // Built right before the loop, where every name its range reads is bound and the optimizer already exists.
  const indent = leadingIndent(text, forLoop.startIndex);
  if (indent === undefined) return "the loop shares its line with other code";
  const build: TextEdit = {
    span: { start: forLoop.startIndex, end: forLoop.startIndex },
    text: `${name} = torch.optim.lr_scheduler.CosineAnnealingLR(${held.holder}, T_max=${count})${lineEnding(text)}${indent}`,
  };
  const body = forLoop.childForFieldName("body");
  const statements = body ? codeChildren(body) : [];
  if (per === "epoch") {
    const last = statements.at(-1);
    if (!last) return "the loop has no body";
    const step = insertAfter(text, last, `${name}.step()`);
    return typeof step === "string" ? step : [build, step];
  }
  // Per optimizer step: right after the statement that steps the optimizer, directly in the loop body.
  const stepStatement = statements.find((s) => s.type === "expression_statement" && s.text === `${held.holder}.step()`);
  if (!stepStatement) return "the optimizer's step is not a statement of the loop's body";
  const step = insertAfter(text, stepStatement, `${name}.step()`);
  return typeof step === "string" ? step : [build, step];
}
