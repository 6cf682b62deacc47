/** The one place a leading byte-order mark is taken off a text and put back. */

const BOM = "\uFEFF";

/** A text without its leading BOM, and whether it had one. */
export function splitBom(text: string): { body: string; bom: boolean } {
  return text.startsWith(BOM) ? { body: text.slice(1), bom: true } : { body: text, bom: false };
}

/** The text without a leading BOM. */
export function stripBom(text: string): string {
  return splitBom(text).body;
}

/** The body with the BOM put back when the original had one. */
export function restoreBom(body: string, bom: boolean): string {
  return bom ? BOM + body : body;
}
