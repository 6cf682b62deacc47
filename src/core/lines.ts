/** Offset ↔ line/column conversion over UTF-16 text. */

/** Start offsets of every line of a text (`\n`, `\r\n` and lone `\r` end lines). */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }

  /** 0-based line of an offset. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** 1-based line and 1-based column of an offset, as ESLint reports them. */
  position(offset: number): { line: number; column: number } {
    const line = this.lineOf(offset);
    return { line: line + 1, column: offset - this.starts[line] + 1 };
  }

  /** The offset of a 1-based line and 1-based column (clamped to the text). */
  offsetAt(line: number, column: number): number {
    return Math.min(this.text.length, (this.starts[line - 1] ?? this.text.length) + column - 1);
  }

  get lineCount(): number {
    return this.starts.length;
  }
}
