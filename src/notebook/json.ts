/**
 * A small exact JSON reader that keeps source positions: every string knows which characters of the file
 * each of its decoded UTF-16 code units came from, so offsets into a decoded string map back to the file.
 */

/** A JSON string: its decoded value and where each decoded code unit starts in the file text. */
export interface JsonString {
  kind: "string";
  value: string;
  /** Offset of the opening quote. */
  start: number;
  /** Offset just past the closing quote. */
  end: number;
  /** Offsets of each decoded unit and then of the closing quote; absent when the string has no escape (unit k is at `start + 1 + k`). */
  rawStarts?: number[];
}

/** The file offset of decoded unit `k` of a string (`k = value.length` gives the closing quote). */
export function rawOffset(node: JsonString, k: number): number {
  return node.rawStarts ? node.rawStarts[k] : node.start + 1 + k;
}

export type JsonNode =
  | JsonString
  | { kind: "object"; start: number; end: number; members: { key: JsonString; value: JsonNode }[] }
  | { kind: "array"; start: number; end: number; items: JsonNode[] }
  | { kind: "number"; start: number; end: number; value: number }
  | { kind: "literal"; start: number; end: number; value: boolean | null };

/** Why a text is not JSON, and where. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|NaN|-?Infinity/y;
const WHITESPACE = /[ \t\n\r]*/y;
/**
 * A run of string characters that need no decoding (control characters, rare in text, take the slow path). The
 * control characters are spelled out (they are all of `\p{Cc}`): a property class costs V8 a Unicode table lookup
 * when the pattern is made, at every start of the CLI.
 */
// eslint-disable-next-line no-control-regex -- the control characters are what the run stops at
const PLAIN_RUN = /[^"\\\u0000-\u001f\u007f-\u009f]*/uy;

/** Parses a whole JSON text (Python's `json` extensions NaN and Infinity included), or throws JsonSyntaxError. */
export function parseJson(text: string): JsonNode {
  const reader = new Reader(text);
  reader.skipWhitespace();
  const value = reader.value(0);
  reader.skipWhitespace();
  if (reader.at < text.length) throw new JsonSyntaxError("unexpected text after the JSON value", reader.at);
  return value;
}

/** The member of an object node with this key (the last one, as JSON.parse does with duplicates). */
export function member(node: JsonNode | undefined, key: string): JsonNode | undefined {
  if (node?.kind !== "object") return undefined;
  for (let i = node.members.length - 1; i >= 0; i--) if (node.members[i].key.value === key) return node.members[i].value;
  return undefined;
}

/** The value of a string node, or undefined for any other node. */
export function stringValue(node: JsonNode | undefined): string | undefined {
  return node?.kind === "string" ? node.value : undefined;
}

const MAX_DEPTH = 512;

class Reader {
  at = 0;

  constructor(private readonly text: string) {}

  skipWhitespace(): void {
    WHITESPACE.lastIndex = this.at;
    WHITESPACE.exec(this.text);
    this.at = WHITESPACE.lastIndex;
  }

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) throw new JsonSyntaxError("nesting is too deep", this.at);
    const c = this.text[this.at];
    if (c === "{") return this.object(depth);
    if (c === "[") return this.array(depth);
    if (c === '"') return this.string();
    for (const [word, value] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.text.startsWith(word, this.at)) {
        const start = this.at;
        this.at += word.length;
        return { kind: "literal", start, end: this.at, value };
      }
    }
    NUMBER.lastIndex = this.at;
    const number = NUMBER.exec(this.text);
    if (number) {
      const start = this.at;
      this.at = NUMBER.lastIndex;
      return { kind: "number", start, end: this.at, value: Number(number[0]) };
    }
    throw new JsonSyntaxError(c === undefined ? "unexpected end of input" : `unexpected character ${JSON.stringify(c)}`, this.at);
  }

  private expect(c: string): void {
    if (this.text[this.at] !== c) {
      const found = this.text[this.at];
      throw new JsonSyntaxError(found === undefined ? `expected '${c}' before the end of input` : `expected '${c}'`, this.at);
    }
    this.at++;
  }

  private object(depth: number): JsonNode {
    const start = this.at++;
    const members: { key: JsonString; value: JsonNode }[] = [];
    this.skipWhitespace();
    if (this.text[this.at] === "}") {
      this.at++;
      return { kind: "object", start, end: this.at, members };
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.at] !== '"') throw new JsonSyntaxError("expected a string key", this.at);
      const key = this.string();
      this.skipWhitespace();
      this.expect(":");
      this.skipWhitespace();
      members.push({ key, value: this.value(depth + 1) });
      this.skipWhitespace();
      if (this.text[this.at] === ",") {
        this.at++;
        continue;
      }
      this.expect("}");
      return { kind: "object", start, end: this.at, members };
    }
  }

  private array(depth: number): JsonNode {
    const start = this.at++;
    const items: JsonNode[] = [];
    this.skipWhitespace();
    if (this.text[this.at] === "]") {
      this.at++;
      return { kind: "array", start, end: this.at, items };
    }
    for (;;) {
      this.skipWhitespace();
      items.push(this.value(depth + 1));
      this.skipWhitespace();
      if (this.text[this.at] === ",") {
        this.at++;
        continue;
      }
      this.expect("]");
      return { kind: "array", start, end: this.at, items };
    }
  }

  private string(): JsonString {
    const { text } = this;
    const start = this.at++;
    PLAIN_RUN.lastIndex = this.at;
    PLAIN_RUN.exec(text);
    if (text.charCodeAt(PLAIN_RUN.lastIndex) === 0x22) {
      this.at = PLAIN_RUN.lastIndex + 1;
      return { kind: "string", value: text.slice(start + 1, PLAIN_RUN.lastIndex), start, end: this.at };
    }
    const rawStarts: number[] = [];
    let value = "";
    for (;;) {
      const at = this.at;
      const code = text.charCodeAt(at);
      if (at >= text.length) throw new JsonSyntaxError("unterminated string", start);
      if (code === 0x22) {
        rawStarts.push(at);
        this.at++;
        return { kind: "string", value, start, end: this.at, rawStarts };
      }
      if (code < 0x20) throw new JsonSyntaxError("control character in a string", at);
      if (code !== 0x5c) {
        value += text[at];
        rawStarts.push(at);
        this.at++;
        continue;
      }
      const escape = text[at + 1];
      if (escape === "u") {
        const hex = text.slice(at + 2, at + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonSyntaxError("invalid \\u escape", at);
        value += String.fromCharCode(parseInt(hex, 16));
        rawStarts.push(at);
        this.at += 6;
      } else if (escape !== undefined && escape in ESCAPES) {
        value += ESCAPES[escape];
        rawStarts.push(at);
        this.at += 2;
      } else {
        throw new JsonSyntaxError("invalid escape in a string", at);
      }
    }
  }
}

/** JSON string content for a text (no quotes); non-ASCII characters become `\uXXXX` when `asciiOnly`. */
export function encodeJsonContent(text: string, asciiOnly: boolean): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const code = text.charCodeAt(i);
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (code < 0x20) out += SHORT_ESCAPES[ch] ?? `\\u${code.toString(16).padStart(4, "0")}`;
    else if (asciiOnly && code > 0x7e) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out;
}

const SHORT_ESCAPES: Record<string, string> = { "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t" };
