import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { encodeJsonContent, JsonSyntaxError, parseJson, rawOffset, type JsonNode } from "../../src/notebook/json.js";

const dir = join(import.meta.dirname, "..", "..", "fixtures", "notebook");

/** The plain value of a positioned node, to compare with JSON.parse. */
function plain(node: JsonNode): unknown {
  switch (node.kind) {
    case "object":
      return Object.fromEntries(node.members.map((m) => [m.key.value, plain(m.value)]));
    case "array":
      return node.items.map(plain);
    default:
      return node.value;
  }
}

function errorOffset(text: string): number | undefined {
  try {
    parseJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error.offset;
    throw error;
  }
  return undefined;
}

describe("JSON scanner", () => {
  it("reads every fixture notebook to the same value as JSON.parse", () => {
    const files = readdirSync(dir).filter((f) => f.endsWith(".ipynb"));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const file of files) {
      const text = readFileSync(join(dir, file), "utf8");
      expect(plain(parseJson(text))).toEqual(JSON.parse(text));
    }
  });

  it("maps every decoded code unit of a string to the escape or character it came from", () => {
    const text = String.raw`"a\"b\\c\u00e9\ud83d\ude00\n\/é😀"`;
    const node = parseJson(text);
    if (node.kind !== "string") throw new Error("expected a string");
    expect(node.value).toBe(JSON.parse(text));
    const raw = node.value.split("").map((_, k) => text.slice(rawOffset(node, k), rawOffset(node, k + 1)));
    expect(raw).toEqual(["a", '\\"', "b", "\\\\", "c", "\\u00e9", "\\ud83d", "\\ude00", "\\n", "\\/", "é", "\ud83d", "\ude00"]);
    expect(rawOffset(node, node.value.length)).toBe(text.length - 1);
  });

  it("maps a string without escapes one to one", () => {
    const node = parseJson('  "opt = Adam(p)"');
    if (node.kind !== "string") throw new Error("expected a string");
    expect(node.value).toBe("opt = Adam(p)");
    expect([rawOffset(node, 0), rawOffset(node, 6), rawOffset(node, node.value.length)]).toEqual([3, 9, 16]);
  });

  it("rejects what JSON.parse rejects, at the offending offset", () => {
    expect(errorOffset('{"a": [1, 2,]}')).toBe(12);
    expect(errorOffset('{"a": "line\nbreak"}')).toBe(11);
    expect(errorOffset('{"a": "open')).toBe(6);
    expect(errorOffset('{"a": 1} x')).toBe(9);
    expect(errorOffset('{"a": "\\x"}')).toBe(7);
    expect(errorOffset('{"a": 1')).toBe(7);
    expect(errorOffset('{"a": NaN, "b": -Infinity}')).toBeUndefined();
  });

  it("encodes string content that decodes back to the same text", () => {
    const samples = ['say "hi"', "back\\slash", "tab\tcr\rnl\n", "\u0001\u001f", "déjà vu 😀", ""];
    for (const sample of samples) {
      for (const asciiOnly of [false, true]) {
        const encoded = encodeJsonContent(sample, asciiOnly);
        expect(JSON.parse(`"${encoded}"`)).toBe(sample);
        if (asciiOnly) expect(encoded).toMatch(/^[\x20-\x7e]*$/);
      }
    }
    expect(encodeJsonContent("é", false)).toBe("é");
    expect(encodeJsonContent("é", true)).toBe("\\u00e9");
  });
});
