import { describe, expect, it } from "vitest";
import { readSuppressions } from "../../src/core/suppress.js";
import { LineIndex } from "../../src/core/lines.js";
import type { SourceComment } from "../../src/core/types.js";

const at = (line: number, text: string, ownLine = false): SourceComment => ({ line, text, ownLine });

describe("suppression directives", () => {
  it("bare noqa silences every rule on its line only", () => {
    const s = readSuppressions([at(3, "# noqa")]);
    expect(s.isSuppressed("OPT001", "adam-weight-decay", 3, 3)).toBe(true);
    expect(s.isSuppressed("OPT002", "sgd-missing-nesterov", 3, 3)).toBe(true);
    expect(s.isSuppressed("OPT001", "adam-weight-decay", 4, 4)).toBe(false);
  });

  it("noqa with codes silences only those codes, case-insensitively, with commas or spaces", () => {
    const s = readSuppressions([at(0, "#NOQA:opt001, OPT009"), at(1, "# noqa: F401 OPT002")]);
    expect(s.isSuppressed("OPT001", "adam-weight-decay", 0, 0)).toBe(true);
    expect(s.isSuppressed("OPT009", "invalid-hyperparameter", 0, 0)).toBe(true);
    expect(s.isSuppressed("OPT002", "sgd-missing-nesterov", 0, 0)).toBe(false);
    expect(s.isSuppressed("OPT002", "sgd-missing-nesterov", 1, 1)).toBe(true);
  });

  it("a directive anywhere inside a multi-line finding silences it", () => {
    const s = readSuppressions([at(7, "# noqa: OPT001")]);
    expect(s.isSuppressed("OPT001", "adam-weight-decay", 5, 7)).toBe(true);
    expect(s.isSuppressed("OPT001", "adam-weight-decay", 8, 9)).toBe(false);
  });

  it("optim-lint: disable takes rule names or codes for its own line", () => {
    const s = readSuppressions([at(2, "# optim-lint: disable=adam-weight-decay")]);
    expect(s.isSuppressed("OPT001", "adam-weight-decay", 2, 2)).toBe(true);
    expect(s.isSuppressed("OPT002", "sgd-missing-nesterov", 2, 2)).toBe(false);
  });

  it("disable-next-line applies to the following line", () => {
    const s = readSuppressions([at(4, "# optim-lint: disable-next-line=OPT002", true)]);
    expect(s.isSuppressed("OPT002", "sgd-missing-nesterov", 5, 5)).toBe(true);
    expect(s.isSuppressed("OPT002", "sgd-missing-nesterov", 4, 4)).toBe(false);
  });

  it("disable-file silences the whole file, for all rules or the listed ones", () => {
    expect(readSuppressions([at(0, "# optim-lint: disable-file", true)]).isSuppressed("OPT003", "lr-out-of-range", 90, 90)).toBe(true);
    const listed = readSuppressions([at(0, "# optim-lint: disable-file=OPT003", true)]);
    expect(listed.isSuppressed("OPT003", "lr-out-of-range", 90, 90)).toBe(true);
    expect(listed.isSuppressed("OPT001", "adam-weight-decay", 90, 90)).toBe(false);
  });

  it("ordinary comments suppress nothing", () => {
    const s = readSuppressions([at(1, "# the knowledge table lists noqa codes elsewhere"), at(2, "# TODO: tune lr")]);
    expect(s.isSuppressed("OPT001", "adam-weight-decay", 1, 2)).toBe(false);
  });
});

describe("line index", () => {
  it("maps UTF-16 offsets to 1-based lines and columns across LF, CRLF and CR", () => {
    const text = "a\r\nbé😀c\nd\re";
    const idx = new LineIndex(text);
    expect(idx.position(0)).toEqual({ line: 1, column: 1 });
    expect(idx.position(text.indexOf("c"))).toEqual({ line: 2, column: 5 });
    expect(idx.position(text.indexOf("d"))).toEqual({ line: 3, column: 1 });
    expect(idx.position(text.indexOf("e"))).toEqual({ line: 4, column: 1 });
    expect(idx.lineCount).toBe(4);
  });
});
