/**
 * Fix requests on optimizers configured by Python dicts and keyword arguments (mmengine `dict(type='Adam', ...)`,
 * `TrainingArguments(optim=...)`, `create_optimizer_v2(opt=...)`): rename the written name keeping its quotes,
 * set a key as `key=value` in a call or `'key': value` in a dict display, and swap two values written apart.
 */
import type { OptimizerSite, ResolvedValue, Span } from "../../core/facts.js";
import type { FixRequest, LiteralValue, TextEdit } from "../../core/types.js";
import { argumentMapping, entryOf, type ConfigSiteData } from "../../configs/recognize.js";
import { appendItem } from "./lists.js";
import { preferredQuote, renderLiteral, type Quote } from "./render.js";
import { codeChildren, nodeAt, type SyntaxNode } from "./syntax.js";

/** The quote a string literal is written with, if the span holds a plain one. */
function quoteOf(text: string): Quote | undefined {
  const m = /^([rRuU]?)(["'])(?!\2\2)/.exec(text);
  return m && text.endsWith(m[2]) ? (m[2] as Quote) : undefined;
}

/** `type='Adam'` → `type='AdamW'`: the written name replaced in its own quotes. */
export function renameInMapping(text: string, site: OptimizerSite, data: ConfigSiteData, to: string): TextEdit[] | string {
  const name = data.nameFor(to);
  if (!name) return `this config has no name for ${to}`;
  const written = text.slice(site.nameSpan.start, site.nameSpan.end);
  const quote = quoteOf(written);
  if (!quote) return "the optimizer's name is not written as a plain string here";
  return [{ span: site.nameSpan, text: renderLiteral(name, quote) }];
}

/** A key set to a literal in the arguments' mapping: its value replaced, or a new entry in the file's style. */
export function setInMapping(text: string, root: SyntaxNode, data: ConfigSiteData, argument: string, value: LiteralValue): TextEdit[] | string {
  const quote = () => preferredQuote(root);
  const rendered = renderLiteral(value, quote);
  const args = argumentMapping(data, argument);
  if ("missing" in args) return `the arguments' ${args.missing} mapping does not exist yet`;
  const key = data.keyFor(argument);
  const entry = entryOf(args, key);
  if (entry) return [{ span: entry.value.span, text: rendered }];
  if (args.value.kind === "mapping" && args.value.open) {
    return `keys also come through unpacking that cannot be read, so adding ${key} could set it twice`;
  }
  const container = nodeAt(root, args.span, ["dictionary", "call"]);
  if (!container || container.hasError) return "the arguments are not a dict or a call that can be edited";
  if (container.type === "dictionary") {
    const items = codeChildren(container);
    const keyQuote = items.map((item) => item.childForFieldName("key")?.text).map((k) => (k ? quoteOf(k) : undefined)).find(Boolean) ?? quote();
    return appendItem(text, container, items, `${renderLiteral(key, keyQuote)}: ${rendered}`);
  }
  const list = container.childForFieldName("arguments");
  if (list?.type !== "argument_list") return "the call's arguments cannot be edited";
  return appendItem(text, list, codeChildren(list), `${key}=${rendered}`);
}

/** Two values written apart (HF's `adam_beta1` and `adam_beta2`) exchanged where each is written; undefined when the value is not such a pair. */
export function swapSeparateItems(text: string, value: ResolvedValue): TextEdit[] | undefined {
  const items = value.value.kind === "sequence" && !value.literalSpan ? value.value.items : [];
  const spans = items.map((item) => item.literalSpan).filter((s): s is Span => s !== undefined && s.file === undefined);
  if (items.length !== 2 || spans.length !== 2) return undefined;
  const [a, b] = spans;
  return [
    { span: a, text: text.slice(b.start, b.end) },
    { span: b, text: text.slice(a.start, a.end) },
  ];
}

/** The edits for a request on a site read from a config mapping. */
export function mappingEdits(text: string, root: SyntaxNode, site: OptimizerSite, data: ConfigSiteData, request: FixRequest): TextEdit[] | string {
  switch (request.kind) {
    case "rename-optimizer":
      return renameInMapping(text, site, data, request.to);
    case "set-argument":
      return setInMapping(text, root, data, request.name, request.value);
    default:
      return "this change cannot be written in a config";
  }
}
