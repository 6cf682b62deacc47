/**
 * Reading source files as text: UTF-8, UTF-16 with a byte-order mark, or the encoding a PEP 263 declaration names; binary, undecodable
 * and unreadable files become error messages. Fixed text is written back in the encoding it was read in.
 */
import { readFileSync, type Dirent } from "node:fs";

/** The text of a file (with the encoding it was declared in, when that is not UTF-8), or why it cannot be linted. */
export type SourceText = { text: string; encoding?: string } | { error: string };

/** A PEP 263 declaration (`# -*- coding: latin-1 -*-`) on one of the first two lines, lower-cased; the second line counts only after a comment or blank line. */
export function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 400)).toString("latin1").replace(/^\uFEFF|^\u00ef\u00bb\u00bf/, "");
  const lines = head.split(/\r\n|\r|\n/).slice(0, 2);
  for (const [i, line] of lines.entries()) {
    const match = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/.exec(line);
    if (match) return match[1].toLowerCase();
    if (i === 0 && !/^[ \t\f]*(#.*)?$/.test(line)) return undefined;
  }
  return undefined;
}

/** Python's names for ISO-8859-1, which WHATWG decoders treat as windows-1252 and so must be decoded by hand. */
const LATIN_1 = new Set(["latin-1", "latin1", "latin_1", "iso-8859-1", "iso8859-1", "iso_8859_1", "8859", "cp819", "l1", "iso-latin-1"]);
const UTF_8 = new Set(["utf-8", "utf8", "utf_8", "u8", "utf", "cp65001", "utf-8-sig", "utf_8_sig"]);

/** Decodes bytes in a declared encoding other than UTF-8, or explains why it cannot. */
function decodeDeclared(bytes: Uint8Array, encoding: string): SourceText {
  if (LATIN_1.has(encoding)) return { text: Buffer.from(bytes).toString("latin1"), encoding: "latin-1" };
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding.replace(/_/g, "-"), { fatal: true });
  } catch {
    return { error: `Cannot decode the file: unknown encoding "${encoding}" in its coding declaration` };
  }
  try {
    return { text: decoder.decode(bytes), encoding };
  } catch {
    return { error: `Cannot decode the file as ${encoding}, the encoding its coding declaration names` };
  }
}

/** Encodes fixed text back into the encoding a file was read in; undefined when a character has no byte there. */
export function encodeSource(text: string, encoding: string | undefined): Buffer | undefined {
  if (encoding === undefined) return Buffer.from(text, "utf8");
  if (encoding === "utf-16le") return Buffer.from(text, "utf16le");
  if (encoding === "utf-16be") return Buffer.from(text, "utf16le").swap16();
  if (encoding === "latin-1") return [...text].some((c) => c.charCodeAt(0) > 0xff) ? undefined : Buffer.from(text, "latin1");
  // A single-byte encoding is inverted from its decoding of all 256 bytes; others cannot be written back.
  let table: string;
  try {
    table = new TextDecoder(encoding.replace(/_/g, "-")).decode(Uint8Array.from({ length: 256 }, (_, i) => i));
  } catch {
    return undefined;
  }
  if (table.length !== 256) return undefined;
  const byteOf = new Map<string, number>();
  for (let i = 255; i >= 0; i--) byteOf.set(table[i], i);
  const out = Buffer.alloc(text.length);
  for (let i = 0; i < text.length; i++) {
    const byte = byteOf.get(text[i]);
    if (byte === undefined) return undefined;
    out[i] = byte;
  }
  return out;
}

/** One strict decoder for every file: creating one costs more than decoding a small file. */
const UTF8_STRICT = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes bytes as strict UTF-8 (or a declared PEP 263 encoding), keeping a leading BOM (the engine strips and restores it). */
export function decodeSource(bytes: Uint8Array): SourceText {
  const utf16 = utf16Encoding(bytes);
  if (utf16) return decodeUtf16(bytes, utf16);
  if (bytes.includes(0)) return { error: "Cannot lint a binary file (it contains NUL bytes)" };
  const declared = declaredEncoding(bytes);
  if (declared !== undefined && !UTF_8.has(declared)) return decodeDeclared(bytes, declared);
  try {
    return { text: UTF8_STRICT.decode(bytes) };
  } catch {
    return { error: `Cannot decode the file as UTF-8 (invalid byte sequence at byte ${firstInvalidByte(bytes)})` };
  }
}

/**
 * The UTF-16 byte order a file's byte-order mark names. Windows tools save YAML and JSON files (a conda
 * `environment.yml`, for one) as UTF-16, whose ASCII characters hold NUL bytes: the mark tells such text from binary.
 */
function utf16Encoding(bytes: Uint8Array): "utf-16le" | "utf-16be" | undefined {
  if (bytes.length < 2) return undefined;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  return undefined;
}

/** Decodes UTF-16 text, keeping its BOM (as U+FEFF) like a UTF-8 one. */
function decodeUtf16(bytes: Uint8Array, encoding: "utf-16le" | "utf-16be"): SourceText {
  try {
    return { text: new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes), encoding };
  } catch {
    return { error: `Cannot decode the file as ${encoding.toUpperCase()}, the encoding its byte-order mark names` };
  }
}

/** The offset where the first invalid UTF-8 sequence starts (for the error message). */
export function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i];
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead < 0xe0 ? 2 : lead >= 0xe0 && lead < 0xf0 ? 3 : lead >= 0xf0 && lead < 0xf5 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(i, i + length));
    } catch {
      return i;
    }
    i += length;
  }
  return i;
}

/** Reads a file's text; OS errors become the error message. */
export function readSource(file: string): SourceText {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    return { error: `Cannot read the file: ${(error as Error).message}` };
  }
  return decodeSource(bytes);
}

/** A folder's entries: each name, and whether it is a plain file (false: a folder; undefined: a symbolic link). */
export type Listing = ReadonlyMap<string, boolean | undefined>;

/** A folder's entries (`readdirSync` with file types) as a listing. */
export function listingOf(entries: readonly Dirent[]): Listing {
  return new Map(entries.map((e) => [e.name, e.isSymbolicLink() ? undefined : e.isFile()]));
}
