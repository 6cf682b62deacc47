/** Reading sources: binary files, invalid UTF-8 and unreadable paths become messages; a BOM is kept. */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeSource, encodeSource, firstInvalidByte, readSource } from "../../src/cli/read.js";

describe("decoding", () => {
  it("keeps a BOM and decodes UTF-8", () => {
    expect(decodeSource(Buffer.from("\uFEFFlr = 0.1  # η\n", "utf8"))).toEqual({ text: "\uFEFFlr = 0.1  # η\n" });
  });

  it("decodes UTF-16 text with a byte-order mark, and writes fixed text back in it", () => {
    const text = "\uFEFFname: env\r\nlr: 0.1  # η\r\n";
    const le = Buffer.from(text, "utf16le");
    const be = Buffer.from(le).swap16();
    expect(decodeSource(le)).toEqual({ text, encoding: "utf-16le" });
    expect(decodeSource(be)).toEqual({ text, encoding: "utf-16be" });
    expect(encodeSource(text, "utf-16le")).toEqual(le);
    expect(encodeSource(text, "utf-16be")).toEqual(be);
    // An unpaired surrogate is not UTF-16 text.
    expect(decodeSource(Buffer.from([0xff, 0xfe, 0x00, 0xd8, 0x61, 0x00]))).toEqual({ error: expect.stringContaining("UTF-16LE") });
  });

  it("refuses binary files", () => {
    expect(decodeSource(Buffer.from([0x61, 0x00, 0x62]))).toEqual({ error: expect.stringContaining("binary") });
  });

  it("names the byte where UTF-8 breaks", () => {
    const bytes = Buffer.concat([Buffer.from("# café\n", "utf8"), Buffer.from([0xe9, 0x0a])]);
    expect(firstInvalidByte(bytes)).toBe(8);
    expect(decodeSource(bytes)).toEqual({ error: expect.stringContaining("at byte 8") });
    expect(firstInvalidByte(Buffer.from([0x61, 0xe2, 0x82]))).toBe(1);
  });

  it("turns an OS error into the message", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "optim-lint-read-"));
    try {
      expect(readSource(dir)).toEqual({ error: expect.stringContaining("EISDIR") });
      expect(readSource(path.join(dir, "missing.py"))).toEqual({ error: expect.stringContaining("ENOENT") });
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
