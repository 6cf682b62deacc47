/**
 * YAML documents → the neutral config tree (`mapping` / `sequence` / scalar ResolvedValues) with exact
 * UTF-16 spans. Nothing is constructed: a node with a tag outside the YAML core set is unknown.
 *
 * Scalars are typed as the YAML 1.2 core schema reads them, so `1e-3` is the number 0.001 (OmegaConf, which
 * Hydra uses, reads it the same way; plain PyYAML would read a string and the optimizer would fail at run
 * time). Plain scalars that YAML 1.1 readers such as PyYAML type differently from YAML 1.2 (`yes`, `off`,
 * `0755`, `1_000`, `1:30`, `.5e3`…) are unknown, so no finding rests on a reading the program may not share.
 * Hydra's `${...}` interpolations and OmegaConf's `???` (a value given at run time) are unknown too; their
 * text is kept in the value's origin description, and an interpolation's as a reference the Hydra joiner and
 * src/configs/references.ts resolve where they can.
 *
 * A HyperPyYAML document (SpeechBrain's hyperparameter files: one with a `!name:`, `!new:` or `!ref` tag) is read
 * further: a mapping tagged `!name:<path>` or `!new:<path>` keeps its tag as `constructs` (the recognizer decides
 * whether the path is an optimizer or scheduler), and `!ref <key>` reads the value of a top-level key of the same
 * document. An alias of such a mapping (`*opt`, or a `<<` merge that holds one) is the same object, built once where
 * its anchor is: it reads as unknown, so one optimizer is not two constructions. Anything else its loader computes (arithmetic in a reference, `!apply:`, `!include:`, `!PLACEHOLDER`,
 * a nested `<a[b]>` or attribute `<a.b>` reference) stays unknown. Its loader finally reads the text with PyYAML,
 * so a number written in a form PyYAML reads as a string (`1e-3`) is unknown there.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, visit, type Alias, type Document, type Node, type Pair, type Scalar } from "yaml";
import type { ConstructTag, MappingEntry, ResolvedValue, Span, Value } from "../core/facts.js";

/** Tags that only say what a plain node already is; any other tag means a constructed object or a conversion. */
const CORE_TAGS = new Set(["str", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`));

/** Plain scalars a YAML 1.1 reader (PyYAML) types differently from YAML 1.2 core. */
const YAML11_BOOL = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;
const YAML11_NUMBERISH = /^[-+]?(?:[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|[0-9][0-9_]*_[0-9_]*(?:\.[0-9_]*)?|0[0-7]+|0b[01_]+|\.[0-9]+[eE][-+]?[0-9]+)$/;

/** HyperPyYAML's tags that mark a document as one of its files. */
const HYPERPYYAML_TAG = /^!(?:(?:name|new):[A-Za-z_][\w.]*|ref)$/;
/** A tag that constructs its mapping: `!name:` (a partial) or `!new:` (an instance) with a dotted path. */
const CONSTRUCT_TAG = /^!(name|new):([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)$/;
/** Numbers as PyYAML writes them (YAML 1.1: a float has a dot, an exponent has a sign). */
const PYYAML_NUMBER = /^[-+]?(?:0|[1-9][0-9]*|[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?|\.[0-9]+(?:[eE][-+][0-9]+)?)$/;
/** One whole reference `<key>` to a top-level key (no nested `[sub]` keys, no `.attribute`). */
const WHOLE_REFERENCE = /^<([^<>[\].]+)>$/;
/** References inside a string (`<output_folder>/save`). */
const REFERENCES = /<([^<>]*)>/g;

/** Whether a plain scalar's text is read differently by YAML 1.1 and YAML 1.2 core readers (besides `1e-3`). */
function ambiguousPlain(source: string): boolean {
  return YAML11_BOOL.test(source) || YAML11_NUMBERISH.test(source);
}

function spanOf(node: { range?: [number, number, number] | null }): Span {
  const range = node.range ?? [0, 0, 0];
  return { start: range[0], end: range[1] };
}

function known(value: Value, span: Span, literal: boolean): ResolvedValue {
  return { value, span, ...(literal ? { literalSpan: span } : {}), dependsOn: [] };
}

function unknownAt(span: Span, description?: string): ResolvedValue {
  return { value: { kind: "unknown" }, span, ...(description ? { origin: { span, description, overridable: true } } : {}), dependsOn: [] };
}

/** Builds the tree of one document, resolving aliases to their anchors' values. */
class TreeBuilder {
  /** Nodes that aliases may still copy: a document of nested aliases (a "billion laughs") stops expanding and reads unknown. */
  private aliasBudget = 20_000;
  /** How many alias expansions the builder is inside. */
  private inAlias = 0;

  /** Anchored nodes by name, in document order (an anchor name may be defined again further down). */
  private readonly anchors = new Map<string, Node[]>();

  /** Set for a HyperPyYAML document: its top-level values by key (the last one wins). */
  private readonly topLevel?: Map<string, Node | null>;
  /** The top-level keys whose `!ref` is being read, against cycles. */
  private readonly reading = new Set<string>();

  constructor(doc: Document, private readonly text: string) {
    let hyper = false;
    visit(doc, (_key, node) => {
      // A key with no value (`{tag}`, `? key`) is visited as null.
      const anchor = (node as Node | null)?.anchor;
      if (anchor && !isAlias(node)) this.anchors.set(anchor, [...(this.anchors.get(anchor) ?? []), node as Node]);
      const tag = (node as Node | null)?.tag;
      if (tag && HYPERPYYAML_TAG.test(tag)) hyper = true;
    });
    if (hyper && isMap(doc.contents)) {
      this.topLevel = new Map();
      for (const pair of doc.contents.items) {
        if (isScalar(pair.key) && typeof pair.key.value === "string") this.topLevel.set(pair.key.value, pair.value as Node | null);
      }
    }
  }

  /** The node an alias refers to: the last node with its anchor before it. */
  private resolve(alias: Alias): Node | undefined {
    if (this.aliasBudget <= 0) return undefined;
    const at = alias.range?.[0] ?? 0;
    return this.anchors.get(alias.source)?.filter((n) => (n.range?.[0] ?? 0) < at).pop();
  }


  value(node: unknown, at: Span): ResolvedValue {
    if (node === null || node === undefined) return known({ kind: "none" }, at, false);
    if (isAlias(node)) return this.alias(node);
    const n = node as Node;
    if (this.inAlias > 0 && this.aliasBudget-- <= 0) return unknownAt(spanOf(n));
    if (n.tag && !CORE_TAGS.has(n.tag)) {
      return (this.topLevel && this.hyperPyYaml(n)) || unknownAt(spanOf(n), `YAML tag ${n.tag}, not constructed`);
    }
    if (isScalar(n)) return this.scalar(n);
    if (isMap(n)) {
      const entries = this.entries(n.items as Pair[]);
      return { value: { kind: "mapping", entries }, span: spanOf(n), dependsOn: [] };
    }
    if (isSeq(n)) {
      const items = n.items.map((item) => this.value(item, spanOf(item as Node)));
      return { value: { kind: "sequence", items }, span: spanOf(n), literalSpan: spanOf(n), dependsOn: [] };
    }
    return unknownAt(spanOf(n));
  }

  private scalar(node: Scalar): ResolvedValue {
    const span = spanOf(node);
    const v = node.value;
    const plain = node.type === "PLAIN";
    if (typeof v === "string") {
      if (v.includes("${")) return { ...unknownAt(span, `interpolation ${v}`), value: { kind: "unknown", reference: { scheme: "interpolation", text: v } } };
      if (plain && v === "???") return unknownAt(span, "missing value ???, given at run time");
      if (plain && ambiguousPlain(v)) return unknownAt(span);
      return known({ kind: "string", value: v }, span, true);
    }
    if (typeof v === "number") {
      if (plain && /^0[0-9]/.test(node.source ?? "")) return unknownAt(span);
      if (this.topLevel && !(plain && PYYAML_NUMBER.test(node.source ?? ""))) return unknownAt(span);
      return known({ kind: "number", value: v }, span, true);
    }
    if (typeof v === "boolean") return known({ kind: "bool", value: v }, span, true);
    if (v === null) return known({ kind: "none" }, span, true);
    return unknownAt(span);
  }

  /**
   * Where a node's tag is written: the nearest text of the tag before the node with only spaces, comments or an
   * anchor between, not itself in a comment (a comment may quote the tag).
   */
  private tagSpan(node: Node, tag: string): Span | undefined {
    const start = spanOf(node).start;
    for (let at = this.text.lastIndexOf(tag, start); at >= 0; at = this.text.lastIndexOf(tag, at - 1)) {
      if (!/^(?:\s|#[^\n]*|&[^\s,[\]{}]+)*$/.test(this.text.slice(at + tag.length, start))) continue;
      const lineStart = this.text.lastIndexOf("\n", at - 1) + 1;
      if (!/(?:^|\s)#/.test(this.text.slice(lineStart, at))) return { start: at, end: at + tag.length };
    }
    return undefined;
  }

  /** A HyperPyYAML construction or reference, or undefined when this tag is read as unknown. */
  private hyperPyYaml(node: Node): ResolvedValue | undefined {
    const tag = node.tag!;
    const construct = CONSTRUCT_TAG.exec(tag);
    // Through an alias or a merge, a node the loader constructs is the object built once at its anchor (PyYAML builds
    // each node once, and HyperPyYAML's ruamel pass keeps the alias): no second construction here.
    if (construct && this.inAlias > 0) return unknownAt(spanOf(node));
    // A mapping holds the keywords; a tag with nothing after it (`opt_class: !name:torch.optim.SGD`) passes none.
    const empty = isScalar(node) && node.source === "" && (node.value === null || node.value === "");
    if (construct && (isMap(node) || empty)) {
      const at = this.tagSpan(node, tag);
      if (!at) return undefined;
      const constructs: ConstructTag = { kind: construct[1] as "name" | "new", path: construct[2], span: { start: at.start + construct[1].length + 2, end: at.end } };
      const pairs = isMap(node) ? (node.items as Pair[]) : [];
      // A `<<` merge of something the tree does not read (`<<: !include:base.yaml`) may add keywords: the mapping is open.
      const readable = (v: unknown): boolean => (isAlias(v) || isMap(v)) && !(v as Node).tag;
      const open = pairs.some((p) => isScalar(p.key) && p.key.value === "<<" && !(readable(p.value) || (isSeq(p.value) && p.value.items.every(readable))));
      // The mapping's span is its own (a key added to a flow mapping goes inside its braces); the tag is before it.
      return {
        value: { kind: "mapping", entries: this.entries(pairs), constructs, ...(open ? { open } : {}) },
        span: isMap(node) ? spanOf(node) : { start: at.end, end: at.end },
        dependsOn: [],
      };
    }
    if (tag === "!ref" && isScalar(node) && typeof node.value === "string") {
      const at = this.tagSpan(node, tag);
      return at ? this.reference(node.value, { start: at.start, end: spanOf(node).end }) : undefined;
    }
    return undefined;
  }

  /**
   * A `!ref`: a whole `<key>` takes the top-level value with its type; references inside text (`<folder>/save`) give
   * the text with each replaced, when every one is a string and the result is no arithmetic. Anything else is unknown.
   */
  private reference(written: string, span: Span): ResolvedValue {
    const whole = WHOLE_REFERENCE.exec(written.trim());
    if (whole) {
      const target = this.topLevelValue(whole[1]);
      if (!target) return unknownAt(span, `!ref ${written}`);
      return {
        value: target.value,
        span,
        // A run may override a top-level key from the command line.
        origin: target.origin ?? { span: target.span, description: `top-level key read by !ref <${whole[1]}>`, overridable: true },
        // A value edit goes where the value is written, as for an argparse default: every reader of the key agrees.
        ...(target.literalSpan ? { literalSpan: target.literalSpan } : {}),
        dependsOn: [],
      };
    }
    let known = true;
    // A string `topLevelValue` gives holds no reference of its own (it refuses those).
    const text = written.replace(REFERENCES, (_m, key: string) => {
      const v = WHOLE_REFERENCE.test(`<${key}>`) ? this.topLevelValue(key)?.value : undefined;
      if (v?.kind !== "string") {
        known = false;
        return "";
      }
      return v.value;
    });
    // The loader evaluates the result as arithmetic when it can: only a text with a name in it stays a string.
    const named = /[A-Za-z_]/.test(text.replace(/\b(?:\d[\w.]*|True|False|None)\b/g, ""));
    return known && named ? { value: { kind: "string", value: text }, span, dependsOn: [] } : unknownAt(span, `!ref ${written}`);
  }

  /** The value of a top-level key a reference reads, or undefined when it is not known (missing, a cycle, unknown). */
  private topLevelValue(key: string): ResolvedValue | undefined {
    const node = this.topLevel?.get(key);
    if (node === undefined || this.reading.has(key)) return undefined;
    this.reading.add(key);
    const at = node ? spanOf(node) : { start: 0, end: 0 };
    const value = this.value(node, at);
    this.reading.delete(key);
    // A mapping read twice would be two constructions: only plain values (and lists of them) are copied.
    const plainValue = (v: Value): boolean => v.kind === "number" || v.kind === "bool" || v.kind === "none" || (v.kind === "string" && !/<[^<>]*>/.test(v.value));
    const copied = value.value;
    if (!plainValue(copied) && !(copied.kind === "sequence" && copied.items.every((item) => plainValue(item.value)))) return undefined;
    return value;
  }

  /** An alias takes its anchor's value; the anchor is where it was defined. */
  private alias(node: Alias): ResolvedValue {
    const span = spanOf(node);
    const target = this.resolve(node);
    if (!target) return unknownAt(span);
    this.inAlias++;
    const inner = this.value(target, spanOf(target));
    this.inAlias--;
    // The anchor may be shared by other aliases: fixes never edit it through this use.
    return {
      value: inner.value,
      span,
      origin: inner.origin ?? { span: spanOf(target), description: `anchor &${node.source}`, overridable: false },
      dependsOn: [],
    };
  }

  /**
   * The entries of a mapping; `<<` merge keys add the merged mappings' entries that the mapping does not set itself.
   * Of several `<<` keys in one mapping, a later one wins over an earlier one, as PyYAML merges them.
   */
  private entries(pairs: Pair[]): MappingEntry[] {
    const own: MappingEntry[] = [];
    let merged: MappingEntry[] = [];
    for (const pair of pairs) {
      if (!isPair(pair)) continue;
      const key = pair.key as Node | null;
      const keySpan = key ? spanOf(key) : { start: 0, end: 0 };
      const keyText = key && isScalar(key) ? key.value : undefined;
      if (keyText === "<<" && (key as Scalar).type === "PLAIN") {
        const later = this.mergedEntries(pair.value);
        const laterKeys = new Set(later.map((e) => e.key));
        merged = [...merged.filter((e) => !laterKeys.has(e.key)), ...later];
        continue;
      }
      const valueNode = pair.value as Node | null;
      // An empty value (`key:`) sits right after the key's colon.
      const at = valueNode ? spanOf(valueNode) : { start: keySpan.end, end: keySpan.end };
      const value = this.value(valueNode, at);
      const name = typeof keyText === "string" || typeof keyText === "number" || typeof keyText === "boolean" ? String(keyText) : undefined;
      if (name === undefined) continue;
      own.push({ key: name, keySpan, value, span: { start: keySpan.start, end: Math.max(keySpan.end, value.span.end) } });
    }
    const ownKeys = new Set(own.map((e) => e.key));
    return [...merged.filter((e) => !ownKeys.has(e.key)), ...own];
  }

  private mergedEntries(source: unknown): MappingEntry[] {
    const sources = isSeq(source) ? source.items : [source];
    const out: MappingEntry[] = [];
    const seen = new Set<string>();
    // Earlier sources win over later ones, as in YAML's merge key.
    for (const item of sources) {
      const target = isAlias(item) ? this.resolve(item) : item;
      if (!isMap(target)) continue;
      this.inAlias++;
      for (const entry of this.entries(target.items as Pair[])) {
        if (!seen.has(entry.key)) out.push(entry);
        seen.add(entry.key);
      }
      this.inAlias--;
    }
    return out;
  }
}

/** The tree of a document's root, or undefined for an empty document. */
export function documentTree(doc: Document, text: string): ResolvedValue | undefined {
  if (doc.contents === null) return undefined;
  return new TreeBuilder(doc, text).value(doc.contents, spanOf(doc.contents as Node));
}
