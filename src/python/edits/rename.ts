/** `rename-optimizer`: construct a different optimizer class, keeping the file's import style. */
import type { OptimizerSite } from "../../core/facts.js";
import type { TextEdit } from "../../core/types.js";
import { lastSegment } from "../../knowledge/dotted.js";
import { optimizerByName, type OptimizerInfo } from "../../knowledge/index.js";
import { appendItem, removeItem, removeStatement } from "./lists.js";
import {
  exportedByAll, importBindings, importEntries, importsSeenAt, isBoundOtherwise, nameOccurrences, sameNode, scopeEncloses, soleImport,
  type ImportBinding,
} from "./names.js";
import { codeChildren, leadingIndent, lineEnding, nextLineStart, spanOf, type SyntaxNode } from "./syntax.js";

/** The module part of a dotted path. */
function modulePart(path: string): string {
  return path.slice(0, path.lastIndexOf("."));
}

/** Every dotted path that names the class, the canonical one first. */
function classPaths(info: OptimizerInfo): string[] {
  return [info.canonical, ...info.aliases];
}

/** Whether a dotted path names the optimizer with this canonical name. */
function namesOptimizer(path: string, canonical: string): boolean {
  return optimizerByName(path)?.canonical === canonical;
}

/** The identifiers of an attribute chain `a.b.c`, or undefined when it contains anything else (calls, subscripts). */
function attributeChain(node: SyntaxNode): string[] | undefined {
  if (node.type === "identifier") return [node.text];
  if (node.type !== "attribute") return undefined;
  const head = attributeChain(node.childForFieldName("object")!);
  return head && [...head, node.childForFieldName("attribute")!.text];
}

/** The single import an attribute chain at `node` starts from, and the dotted path the chain reaches through it. */
function importedPath(root: SyntaxNode, node: SyntaxNode, chain: string[]): { binding: ImportBinding; path: string } | undefined {
  const binding = soleImport(root, importBindings(root), chain[0], node);
  return binding && { binding, path: [binding.path, ...chain.slice(1)].join(".") };
}

/** Edits that make an attribute callee (`torch.optim.Adam`, `O.Adam`, `torch.optim.adam.Adam`) name the target. */
function renameAttributeCallee(text: string, root: SyntaxNode, callee: SyntaxNode, target: OptimizerInfo, canonical: string): TextEdit[] | string {
  const chain = attributeChain(callee);
  if (!chain) return `\`${callee.text}\` is not a plain module path, so the class it names cannot be rewritten safely`;
  const imported = importedPath(root, callee, chain);
  if (!imported) return `\`${chain[0]}\` is not bound by a single import, so \`${callee.text}\` cannot be rewritten safely`;
  const { binding, path } = imported;
  if (!namesOptimizer(path, canonical)) return `\`${callee.text}\` does not resolve to ${canonical}`;
  const objectPath = modulePart(path);
  const sibling = classPaths(target).find((candidate) => modulePart(candidate) === objectPath);
  if (sibling) {
    return [{ span: spanOf(callee.childForFieldName("attribute")!), text: lastSegment(sibling) }];
  }
  const reachable = classPaths(target).find((candidate) => candidate.startsWith(`${binding.path}.`));
  if (reachable) {
    return [{ span: spanOf(callee), text: chain[0] + reachable.slice(binding.path.length) }];
  }
  if (target.canonical.split(".")[0] === binding.path.split(".")[0]) {
    return `\`${chain[0]}\` is bound to \`${binding.path}\`, which does not lead to ${target.canonical}; import it explicitly`;
  }
  // Another package (torch.optim.SGD to timm.optim.Lars): import the class by name beside the import the callee uses.
  if (binding.statement.parent?.type !== "module") return `\`${chain[0]}\` is imported inside a block, so no import can be added beside it`;
  const newName = lastSegment(target.canonical);
  const clash = nameClash(root, newName);
  if (clash) return `cannot import ${target.canonical}: ${clash}`;
  const added = importLineAfter(text, binding.statement, newName, modulePart(target.canonical));
  if (typeof added === "string") return added;
  return [{ span: spanOf(callee), text: newName }, added];
}

/** Why introducing `name` as a new module-level name would clash with something, or undefined when it is free. */
function nameClash(root: SyntaxNode, name: string): string | undefined {
  if (importBindings(root).has(name) || nameOccurrences(root, name).length > 0) {
    return `the name \`${name}\` is already used in this file for something else`;
  }
  return undefined;
}

/** The import already in the file that binds the target class and is visible at the call, if any. */
function targetImport(root: SyntaxNode, call: SyntaxNode, target: OptimizerInfo): ImportBinding | undefined {
  const bindings = importBindings(root);
  for (const [local, found] of bindings) {
    const binding = found[0];
    if (binding.kind !== "from" || !namesOptimizer(binding.path, target.canonical)) continue;
    if (soleImport(root, bindings, local, call) && found.every((b) => scopeEncloses(b.statement, call))) return binding;
  }
  return undefined;
}

/** Edits that drop an import entry, or the whole statement when it was the only entry. */
function removeImport(text: string, binding: ImportBinding): TextEdit[] | string {
  const entries = importEntries(binding.statement);
  if (entries.length > 1) return [removeItem(entries, binding.entry)];
  const removal = removeStatement(text, binding.statement);
  return typeof removal === "string" ? removal : [removal];
}

/** A `from` import statement of the target class, as one new line placed after `statement`. */
function importLineAfter(text: string, statement: SyntaxNode, entry: string, module: string): TextEdit | string {
  const indent = leadingIndent(text, statement.startIndex);
  if (indent === undefined) return `\`${statement.text}\` shares its line with other code, so no import can be added after it`;
  const nl = lineEnding(text);
  const at = nextLineStart(text, statement.endIndex);
  const line = `${indent}from ${module} import ${entry}`;
  return { span: { start: at, end: at }, text: at === text.length && !text.endsWith("\n") ? `${nl}${line}` : `${line}${nl}` };
}

/** Edits that make a bare-name callee bound by `from M import Old [as Alias]` construct the target class. */
function renameImportedName(
  text: string, root: SyntaxNode, call: SyntaxNode, callee: SyntaxNode, target: OptimizerInfo, canonical: string,
): TextEdit[] | string {
  const name = callee.text;
  const found = importsSeenAt(root, importBindings(root), name, callee);
  if (found.length !== 1 || found[0].kind !== "from" || isBoundOtherwise(root, name, callee)) {
    return `\`${name}\` is not bound by a single \`from ... import\`, so the call cannot be rewritten safely`;
  }
  const old = found[0];
  if (!namesOptimizer(old.path, canonical)) return `\`${name}\` does not resolve to ${canonical}`;
  const uses = nameOccurrences(root, name);
  // A name `__all__` lists is still used by `from module import *` and by the module's public interface.
  const lastUse = uses.length === 1 && sameNode(uses[0], callee) && !exportedByAll(root, name);
  const dropOld = (): TextEdit[] | string => (lastUse ? removeImport(text, old) : []);

  const existing = targetImport(root, call, target);
  if (existing) {
    const removal = dropOld();
    return typeof removal === "string" ? removal : [{ span: spanOf(callee), text: existing.local }, ...removal];
  }

  const module = old.statement.childForFieldName("module_name")!.text;
  const exported = classPaths(target).find((candidate) => modulePart(candidate) === module);
  const alias = old.entry.type === "aliased_import" ? old.entry.childForFieldName("alias")!.text : undefined;
  const importedName = old.entry.type === "aliased_import" ? old.entry.childForFieldName("name")! : old.entry;
  const single = importEntries(old.statement).length === 1;

  if (lastUse && alias !== undefined && exported) {
    return [{ span: spanOf(importedName), text: lastSegment(exported) }];
  }
  const targetModule = modulePart(target.canonical);
  if (lastUse && alias !== undefined) {
    const entry = `${lastSegment(target.canonical)} as ${alias}`;
    if (single) return [{ span: spanOf(old.statement), text: `from ${targetModule} import ${entry}` }];
    const added = importLineAfter(text, old.statement, entry, targetModule);
    return typeof added === "string" ? added : [removeItem(importEntries(old.statement), old.entry), added];
  }

  const newName = lastSegment(exported ?? target.canonical);
  const clash = nameClash(root, newName);
  if (clash) return `cannot import ${target.canonical}: ${clash}`;
  const callEdit: TextEdit = { span: spanOf(callee), text: newName };

  if (exported) {
    if (lastUse) return [{ span: spanOf(importedName), text: newName }, callEdit];
    return [callEdit, ...appendItem(text, old.statement, importEntries(old.statement), newName)];
  }
  const statementText = `from ${targetModule} import ${newName}`;
  if (lastUse && single) return [{ span: spanOf(old.statement), text: statementText }, callEdit];
  const added = importLineAfter(text, old.statement, newName, targetModule);
  if (typeof added === "string") return added;
  const removal = dropOld();
  if (typeof removal === "string") return removal;
  return [callEdit, ...removal, added];
}

/** Why the call's arguments would mean something else, or fail, for the target class; undefined when they carry over. */
function signatureMismatch(site: OptimizerSite, target: OptimizerInfo): string | undefined {
  const current = optimizerByName(site.canonical);
  if (!current) return `${site.canonical} is not an optimizer optim-lint knows`;
  const dropped = current.signature.filter((name) => !target.signature.includes(name));
  if (site.hasUnresolvedSpread && dropped.length > 0) {
    return `arguments come through unpacking that cannot be read and might include ${dropped.join(", ")}, which ${target.short} does not accept`;
  }
  for (const arg of site.args.values()) {
    const index = target.signature.indexOf(arg.name);
    if (index === -1) return `${target.short} does not accept the ${arg.name} argument`;
    if (arg.how === "positional" && (index !== current.signature.indexOf(arg.name) || index >= target.positional)) {
      return `${arg.name} is passed by position, which means a different argument for ${target.short}`;
    }
  }
  return undefined;
}

/**
 * The class a `LazyCall(cls)` callee wraps (`L(torch.optim.Adam)` with `from detectron2.config import LazyCall as L`):
 * its one argument, when that is a name or a dotted path and the wrapper is bound by a single import of `LazyCall`.
 */
function lazyCallClass(root: SyntaxNode, callee: SyntaxNode): SyntaxNode | undefined {
  if (callee.type !== "call") return undefined;
  const wrapper = callee.childForFieldName("function");
  const argumentList = callee.childForFieldName("arguments");
  const args = argumentList ? codeChildren(argumentList) : [];
  const chain = wrapper && attributeChain(wrapper);
  if (!chain || args.length !== 1 || (args[0].type !== "identifier" && args[0].type !== "attribute")) return undefined;
  return lastSegment(importedPath(root, wrapper, chain)?.path ?? "") === "LazyCall" ? args[0] : undefined;
}

/** Edits that make the call at `site` construct the optimizer named `to`, or why that cannot be done safely. */
export function renameOptimizer(text: string, root: SyntaxNode, call: SyntaxNode, site: OptimizerSite, to: string): TextEdit[] | string {
  const target = optimizerByName(to);
  if (!target) return `${to} is not an optimizer optim-lint knows`;
  if (target.canonical === site.canonical) return [];
  const mismatch = signatureMismatch(site, target);
  if (mismatch) return mismatch;
  const written = call.childForFieldName("function")!;
  // detectron2's `LazyCall(torch.optim.Adam)(...)` constructs the class it wraps: the wrapped class is what to rename.
  const callee = lazyCallClass(root, written) ?? written;
  if (callee.type === "attribute") return renameAttributeCallee(text, root, callee, target, site.canonical);
  if (callee.type === "identifier") return renameImportedName(text, root, call, callee, target, site.canonical);
  return `the optimizer class is reached through \`${callee.text}\`, which cannot be rewritten safely`;
}
