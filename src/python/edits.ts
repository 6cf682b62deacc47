/**
 * Turns fix requests on Python facts into text edits on the file, keeping its formatting, quotes, comments,
 * line endings and import style. Anything that cannot be done safely comes back as a reason string.
 */
import type { AnalyzedFile, FixRequest, TextEdit } from "../core/types.js";
import { scaleByWorldSize, setArgument } from "./edits/arguments.js";
import { addLrScheduler, correctAdamUpdate, restoreOptimizerState, saveOptimizerState } from "./edits/training.js";
import { splitDecayGroups, swapSequenceItems } from "./edits/groups.js";
import { renameOptimizer } from "./edits/rename.js";
import { mappingEdits, swapSeparateItems } from "./edits/mapping.js";
import { configSiteData } from "../configs/recognize.js";
import { nodeAt, parseModule, type SyntaxNode } from "./edits/syntax.js";
import { parsesCleanly } from "./parser.js";
import { applyTextEdits } from "../core/text-edits.js";

/** Edits in file order without no-ops, or why they cannot be applied together. */
function settle(text: string, edits: TextEdit[] | string, parsedCleanly: boolean): TextEdit[] | string {
  if (typeof edits === "string") return edits;
  const changes = edits
    .filter((edit) => text.slice(edit.span.start, edit.span.end) !== edit.text)
    .sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  for (let i = 1; i < changes.length; i++) {
    if (changes[i].span.start < changes[i - 1].span.end) return "the edits overlap";
  }
  if (changes.length > 0 && parsedCleanly && !parsesCleanly(applyTextEdits(text, changes))) {
    return "the edit would leave a file that does not parse";
  }
  return changes;
}

/** The edits for one request on a tree of the file. */
function editsFor(file: AnalyzedFile, root: SyntaxNode, request: FixRequest): TextEdit[] | string {
  if (request.kind === "swap-sequence-items") return swapSeparateItems(file.text, request.value) ?? swapSequenceItems(root, request.value);
  if (request.kind === "correct-adam-update") return correctAdamUpdate(file, request.update);
  if (request.kind === "restore-optimizer-state") return restoreOptimizerState(file.text, root, file.facts, request.load, request.site);
  if (request.kind === "save-optimizer-state") return saveOptimizerState(file.text, root, file.facts, request.save, request.site);
  if (request.kind === "add-lr-scheduler") return addLrScheduler(file.text, root, file.facts, request.site, request.loop, request.per);
  const site = file.facts.optimizers.find((s) => s.id === request.site);
  if (!site) return `no optimizer construction with id ${request.site} in this file`;
  const config = configSiteData(site);
  if (config) return mappingEdits(file.text, root, site, config, request);
  const call = nodeAt(root, site.span, ["call"]);
  if (!call || call.hasError) return "the optimizer construction is not a well-formed call";
  switch (request.kind) {
    case "rename-optimizer":
      return renameOptimizer(file.text, root, call, site, request.to);
    case "set-argument":
      return setArgument(file.text, root, call, site, request.name, request.value, request.atCall);
    case "split-decay-groups":
      return splitDecayGroups(file.text, root, site);
    case "scale-by-world-size":
      return scaleByWorldSize(file.text, root, call, site, request.name);
  }
}

/** The module node of each analyzed file, parsed once for all the requests on it. */
const modules = new WeakMap<AnalyzedFile, SyntaxNode>();

/** The module node of an analyzed file's text. */
function moduleOf(file: AnalyzedFile): SyntaxNode {
  let root = modules.get(file);
  if (!root) modules.set(file, (root = parseModule(file.text)));
  return root;
}

/** Text edits that carry out `request` on `file.text`, or a reason why that cannot be done safely. */
export function pythonEdits(file: AnalyzedFile, request: FixRequest): TextEdit[] | string {
  const root = moduleOf(file);
  return settle(file.text, editsFor(file, root, request), !root.hasError);
}
