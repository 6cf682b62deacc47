/** `split-decay-groups` and `swap-sequence-items`: rewrites of the parameters expression and of sequence literals. */
import type { OptimizerSite, ResolvedValue } from "../../core/facts.js";
import type { TextEdit } from "../../core/types.js";
import { preferredQuote } from "./render.js";
import { codeChildren, leadingIndent, lineEnding, nodeAt, spanOf, type SyntaxNode } from "./syntax.js";

/** Whether an expression is a plain name or attribute chain (`model`, `self.model.module`), safe to evaluate twice. */
function isPlainReference(node: SyntaxNode): boolean {
  if (node.type === "identifier") return true;
  return node.type === "attribute" && isPlainReference(node.childForFieldName("object")!);
}

/**
 * Edits that replace `model.parameters()` (or a filter of its trainable parameters, whose test both groups keep) with two groups: tensors with 2+ dimensions (matrices, conv kernels,
 * embeddings) keep the call's weight decay; vectors and scalars (biases, norm weights) get none. When the parameters
 * start their own line, each group gets its own line too.
 */
export function splitDecayGroups(text: string, root: SyntaxNode, site: OptimizerSite): TextEdit[] | string {
  if (site.params.kind !== "whole-model") return "the optimizer is not given a whole model's parameters";
  const trainable = site.params.trainable;
  const params = nodeAt(root, site.params.span, trainable ? ["call", "list_comprehension", "generator_expression"] : ["call"]);
  // A filter keeping the trainable parameters: the groups keep its test beside their own; `trainable` is the
  // `.parameters()` or `.named_parameters()` call it reads, which the facts found.
  const call = trainable ? nodeAt(root, trainable, ["call"]) : params;
  const method = call?.childForFieldName("function");
  const receiver = method?.type === "attribute" ? method.childForFieldName("object") : null;
  if (!params || !call || !receiver || (!trainable && method!.childForFieldName("attribute")!.text !== "parameters")) {
    return "the parameters are not passed as `<model>.parameters()`";
  }
  if (codeChildren(call.childForFieldName("arguments")!).length > 0) {
    return `\`${call.text}\` has arguments, so it is not rewritten`;
  }
  if (!isPlainReference(receiver)) return `\`${receiver.text}\` would be evaluated twice, so the groups are not written inline`;
  const q = preferredQuote(root);
  const v = receiver.text.split(".")[0] === "p" ? "param" : "p";
  const all = `${receiver.text}.parameters()`;
  const kept = trainable ? `${v}.requires_grad and ` : "";
  const decayed = `{${q}params${q}: [${v} for ${v} in ${all} if ${kept}${v}.ndim >= 2]}`;
  const undecayed = `{${q}params${q}: [${v} for ${v} in ${all} if ${kept}${v}.ndim < 2], ${q}weight_decay${q}: 0.0}`;
  const indent = leadingIndent(text, params.startIndex);
  if (indent === undefined) return [{ span: spanOf(params), text: `[${decayed}, ${undecayed}]` }];
  const item = `${lineEnding(text)}${indent}${indent.includes("\t") ? "\t" : "    "}`;
  return [{ span: spanOf(params), text: `[${item}${decayed},${item}${undecayed},${lineEnding(text)}${indent}]` }];
}

/** Sequence displays whose two items can be swapped in place. */
const SEQUENCE_LITERALS = ["tuple", "list", "expression_list"];

/** Edits that swap the two items of the tuple or list literal a value came from. */
export function swapSequenceItems(root: SyntaxNode, value: ResolvedValue): TextEdit[] | string {
  if (!value.literalSpan) return "the value does not come from a single literal, so its items cannot be swapped in place";
  const literal = nodeAt(root, value.literalSpan, SEQUENCE_LITERALS);
  if (!literal) return "the value's literal is not a tuple or list display";
  const items = codeChildren(literal);
  if (items.length !== 2 || items.some((item) => item.type.includes("splat"))) {
    return `\`${literal.text}\` does not have exactly two items`;
  }
  const [first, second] = items;
  return [
    { span: spanOf(first), text: second.text },
    { span: spanOf(second), text: first.text },
  ];
}
