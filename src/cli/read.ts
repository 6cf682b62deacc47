/** Reading source files as UTF-8 text, turning binary, undecodable and unreadable files into error messages. */
import { readFileSync } from "node:fs";

/** The text of a file, or why it cannot be linted. */
export type SourceText = { text: string } | { error: string };

/** Decodes bytes as strict UTF-8, keeping a leading BOM (the engine strips and restores it). */
export function decodeSource(bytes: Uint8Array): SourceText {
  if (bytes.includes(0)) return { error: "Cannot lint a binary file (it contains NUL bytes)" };
  try {
    return { text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    return { error: `Cannot decode the file as UTF-8 (invalid byte sequence at byte ${firstInvalidByte(bytes)})` };
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
