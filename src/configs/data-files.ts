/**
 * YAML and JSON files that fail to parse: a training config with a typo, or a file that was never meant to be
 * read as plain YAML or JSON (a Jinja or Helm template, a DeepSpeed `*_TEMPLATE.json` with placeholders that a
 * script substitutes, JSON Lines saved as `.json`, a multi-document log with tags for its own loader). The
 * adapters name the kind from the text; a file found by walking a folder that is data or a template is skipped
 * (its language's `mayMatter` says no), so it neither fails the run nor yields findings, while a config that does
 * not parse keeps its fatal parsing error. A file named on the command line is always analyzed: the error stays,
 * with the kind in its words.
 */
/**
 * What a text that fails to parse is: `template` (placeholders or template tags stand where values go),
 * `data` (records, or documents for another tool's loader), or `config` (a training config we would read,
 * broken).
 */
export type UnparsedKind = "config" | "data" | "template";

/** Quoted strings on one line (JSON's and YAML's double quotes, YAML's single quotes). */
const QUOTED = /"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\r\n]|'')*'/g;

/**
 * Jinja, Helm and Go template tags (`{{ ... }}`, `{% ... %}`) on a line that is not a comment, outside quoted strings.
 * A tag in a comment or a string is valid YAML or JSON and does not explain why the file fails to parse
 * (`# lr: {{_base_.lr}}`, `"run_name": "{{date}}"`).
 */
export function hasTemplateTags(text: string, commentStart: string): boolean {
  if (!text.includes("{{") && !text.includes("{%")) return false;
  return text.split(/\r\n|\r|\n/).some((line) => lineHasTemplateTag(line, commentStart));
}

/** Whether one line holds a template tag outside quoted strings, the line not being a comment (see `hasTemplateTags`). */
export function lineHasTemplateTag(line: string, commentStart: string): boolean {
  if (!line.includes("{") || line.trimStart().startsWith(commentStart)) return false;
  return /\{\{.*\}\}|\{%.*%\}/.test(line.replace(QUOTED, '""'));
}

/** Words for a fatal parsing error, by kind: what the file looks like, so the user knows why it is not read. */
export function unparsedHint(kind: UnparsedKind): string {
  switch (kind) {
    case "template":
      return "; it looks like a template: lint the rendered file";
    case "data":
      return "; it looks like data, not a training config";
    case "config":
      return "";
  }
}
