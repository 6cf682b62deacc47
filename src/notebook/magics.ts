/**
 * IPython syntax in a code cell, hidden from the Python parser without moving anything: each magic or shell
 * line becomes a same-length placeholder so offsets within every line stay 1:1 with the cell's source.
 */

/** Cell magics whose body is ordinary Python run in the kernel (the `%%` line alone is hidden). */
const PYTHON_BODY_CELL_MAGICS = new Set(["time", "timeit", "capture", "prun"]);
/** `%time statement`: line magics that run the Python statement after them (without options). */
const PYTHON_STATEMENT_MAGIC = /^(\s*)%(?:time|timeit|prun)(?=[ \t]+[^\s-])/;

/** A cell's Python view and the original text of the IPython lines hidden from it. */
export interface MaskedCell {
  python: string;
  /** Magic, shell and help lines that were replaced: they may still name Python objects at run time. */
  hidden: string[];
  /** True when the cell starts with a `%%` cell magic. */
  cellMagic: boolean;
  /** A `%%writefile` cell whose path ends in `.py`: the Python file it writes. */
  written?: WrittenFile;
}

/**
 * The Python file a `%%writefile [-a|--append] PATH` cell writes: its body, as it is, is a module run apart from the
 * kernel (by `!python PATH`, an import).
 */
export interface WrittenFile {
  /** PATH as written, quotes removed. */
  path: string;
  /** False when PATH holds `{expr}` or `$name`, which IPython expands from the kernel's values. */
  known: boolean;
  /** `-a` / `--append`: the body is added to the file an earlier cell wrote. */
  append: boolean;
  /** The cell's source with the `%%writefile` line (and any blank lines before it) replaced by spaces: the body at its place. */
  body: string;
}

/** `%%writefile` followed by its arguments. */
const WRITEFILE = /^\s*%%writefile(?=\s|$)(.*)$/;

/** `name = %magic ...` / `a, b = !cmd ...`: IPython assigns a magic's or a command's output. */
const ASSIGNED_ESCAPE = /^(\s*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*)[%!]/;
/** `%magic`, `!cmd`, `?name` at the start of a logical line. */
const LEADING_ESCAPE = /^(\s*)[%!?]/;
/**
 * `pip install x`, `matplotlib inline`, `cd data`: line magics and shell aliases IPython runs without the `%` (its
 * automagic, on by default), written as a name followed by a word, which Python would reject (a name followed by an
 * operator or keyword, `cat = 1` or `cat if a else b`, stays Python).
 */
const AUTOMAGIC = /^(\s*)(?:pip|conda|mamba|micromamba|cd|ls|mkdir|rm|cp|mv|cat|load_ext|matplotlib)[ \t]+(?!(?:and|or|in|is|not|if|else|for)\b)[\w\-./~"'$]/;
/** `name?` / `name??`: IPython's help syntax. */
const TRAILING_HELP = /^(\s*)[\w.*]+\?{1,2}\s*$/;

/** The cell's source with IPython-only lines replaced by same-length Python that defines and uses nothing. */
export function maskIPython(source: string): MaskedCell {
  const lines = source.split("\n");
  const first = lines.findIndex((line) => line.trim() !== "");
  if (first >= 0 && /^\s*%%/.test(lines[first])) {
    const name = /^\s*%%(\w+)/.exec(lines[first])?.[1] ?? "";
    if (!PYTHON_BODY_CELL_MAGICS.has(name)) {
      const written = writtenFile(lines, first);
      return { python: blank(source), hidden: [], cellMagic: true, ...(written ? { written } : {}) };
    }
    const magic = lines[first];
    lines[first] = placeholder(magic, magic.indexOf("%"));
    const rest = maskLines(lines, first + 1);
    return { python: rest.python, hidden: [magic, ...rest.hidden], cellMagic: true };
  }
  return maskLines(lines, 0);
}

/** The `.py` file a `%%writefile` cell whose magic line is `lines[first]` writes, or undefined for any other cell or path. */
function writtenFile(lines: string[], first: number): WrittenFile | undefined {
  const args = WRITEFILE.exec(lines[first].replace(/\r$/, ""))?.[1];
  if (args === undefined) return undefined;
  const words = args.trim().split(/\s+/).filter((w) => w !== "");
  const rest = words.filter((w) => w !== "-a" && w !== "--append");
  // One PATH, possibly quoted as a whole; anything else (another option, words IPython would reject) is not read.
  const quoted = /^(["'])(.*)\1$/.exec(args.trim().replace(/^(?:(?:-a|--append)\s+)+/, ""));
  // A quoted PATH is read only after the flags, and an `-a` inside its quotes is part of the name.
  const append = quoted ? /^\s*(?:-a|--append)\s/.test(args) : words.some((w) => w === "-a" || w === "--append");
  const path = quoted ? quoted[2] : rest.length === 1 && !rest[0].startsWith("-") && !/["']/.test(rest[0]) ? rest[0] : undefined;
  if (path === undefined || !/\.py$/.test(path)) return undefined;
  const body = [...lines.slice(0, first + 1).map(blank), ...lines.slice(first + 1)].join("\n");
  return { path, known: !/[{$]/.test(path), append, body };
}

/** Masks the line magics, shell escapes and help requests of lines `from..` that begin a logical line. */
function maskLines(lines: string[], from: number): MaskedCell {
  const scanner = new LogicalLines();
  const hidden: string[] = [];
  let continuesMagic = false;
  for (let i = from; i < lines.length; i++) {
    const line = lines[i];
    if (continuesMagic) {
      hidden.push(line);
      lines[i] = blank(line);
      continuesMagic = /\\\r?$/.test(line);
      continue;
    }
    if (scanner.atLineStart) {
      const statement = PYTHON_STATEMENT_MAGIC.exec(line);
      if (statement) {
        const magicEnd = line.indexOf("%") + /^%\w+/.exec(line.slice(statement[1].length))![0].length;
        lines[i] = line.slice(0, statement[1].length) + "_;" + " ".repeat(magicEnd - statement[1].length - 2) + line.slice(magicEnd);
        scanner.scan(lines[i]);
        continue;
      }
      const at = escapeAt(line);
      if (at >= 0) {
        hidden.push(line);
        lines[i] = placeholder(line, at);
        continuesMagic = /\\\r?$/.test(line);
        continue;
      }
    }
    scanner.scan(line);
  }
  return { python: lines.join("\n"), hidden, cellMagic: false };
}

/** Where the IPython part of a line starts, or -1 for a Python line. */
function escapeAt(line: string): number {
  const assigned = ASSIGNED_ESCAPE.exec(line);
  if (assigned) return assigned[1].length;
  const leading = LEADING_ESCAPE.exec(line);
  if (leading) return leading[1].length;
  const automagic = AUTOMAGIC.exec(line);
  if (automagic) return automagic[1].length;
  const help = TRAILING_HELP.exec(line);
  if (help) return help[1].length;
  return -1;
}

/** The line with everything from `at` replaced by `_` and spaces (a carriage return is kept). */
function placeholder(line: string, at: number): string {
  const body = line.endsWith("\r") ? line.slice(0, -1) : line;
  return body.slice(0, at) + "_" + " ".repeat(Math.max(0, body.length - at - 1)) + line.slice(body.length);
}

/** Spaces in place of every character but line breaks. */
export function blank(text: string): string {
  return text.replace(/[^\r\n]/g, " ");
}

/**
 * Tracks, line by line, whether the next line begins a Python logical line: not inside brackets, a
 * triple-quoted string, or after a backslash continuation.
 */
class LogicalLines {
  private depth = 0;
  private triple: string | undefined;
  private continued = false;

  get atLineStart(): boolean {
    return this.depth === 0 && this.triple === undefined && !this.continued;
  }

  scan(line: string): void {
    this.continued = false;
    let i = 0;
    while (i < line.length) {
      if (this.triple) {
        const close = findUnescaped(line, this.triple, i);
        if (close < 0) return;
        i = close + 3;
        this.triple = undefined;
        continue;
      }
      const ch = line[i];
      if (ch === "#") return;
      if (ch === "'" || ch === '"') {
        if (line.startsWith(ch.repeat(3), i)) {
          this.triple = ch.repeat(3);
          i += 3;
          continue;
        }
        const close = findUnescaped(line, ch, i + 1);
        if (close < 0) return;
        i = close + 1;
        continue;
      }
      if (ch === "\\" && line.slice(i + 1).trim() === "") {
        this.continued = true;
        return;
      }
      if ("([{".includes(ch)) this.depth++;
      else if (")]}".includes(ch)) this.depth = Math.max(0, this.depth - 1);
      i++;
    }
  }
}

/** The index of `quote` at or after `from` that no backslash escapes, or -1. */
function findUnescaped(line: string, quote: string, from: number): number {
  for (let i = from; i < line.length; i++) {
    if (line[i] === "\\") i++;
    else if (line.startsWith(quote, i)) return i;
  }
  return -1;
}
