/** SARIF 2.1.0, the format GitHub code scanning and other security dashboards ingest. */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { appliesFix, type FileResult, type LintMessage } from "../core/results.js";
import { cellNote, severityOf } from "./stylish.js";
import { FINGERPRINT_KEY, fingerprints } from "./fingerprint.js";
import type { Formatter } from "./types.js";

/** The SARIF level of a message. */
function level(message: LintMessage): "error" | "warning" | "note" {
  return ({ error: "error", warning: "warning", info: "note" } as const)[severityOf(message)];
}

/** A repository-relative URI with forward slashes (absolute paths outside the folder stay file:// URIs). */
function artifactUri(filePath: string, root: string): { uri: string; uriBaseId?: string } {
  if (!path.isAbsolute(filePath)) return { uri: filePath.split(path.sep).join("/"), uriBaseId: "%SRCROOT%" };
  const relative = path.relative(root, filePath);
  if (relative.startsWith("..") || path.isAbsolute(relative)) return { uri: pathToFileURL(filePath).href };
  return { uri: relative.split(path.sep).join("/"), uriBaseId: "%SRCROOT%" };
}

/**
 * A SARIF fix for a message, only when `--fix` would apply it in this run (a safe fix, or an unsafe one with
 * `--unsafe-fixes`): tools that apply SARIF fixes should not make a change the user has to re-tune for. Offsets
 * count UTF-16 code units from the start of the file, a leading BOM included.
 */
function sarifFix(message: LintMessage, result: FileResult, location: object): object[] | undefined {
  if (!message.fix || !appliesFix(message, result.unsafeFixes)) return undefined;
  const bom = result.source?.charCodeAt(0) === 0xfeff ? 1 : 0;
  const [start, end] = message.fix.range;
  return [
    {
      description: { text: `${message.code ?? message.ruleId}: ${message.fix.applicability} fix` },
      artifactChanges: [
        {
          artifactLocation: location,
          replacements: [{ deletedRegion: { charOffset: start + bom, charLength: end - start }, insertedContent: { text: message.fix.text } }],
        },
      ],
    },
  ];
}

export const sarif: Formatter = (results, context) => {
  const rules: { id: string; name: string; shortDescription: { text: string }; helpUri?: string; properties: Record<string, unknown> }[] = [];
  const ruleIndex = new Map<string, number>();
  const sarifResults: object[] = [];
  for (const result of results as FileResult[]) {
    const location = artifactUri(result.filePath, context.cwd);
    const prints = fingerprints(result, context.cwd);
    for (const [index, message] of result.messages.entries()) {
      const entry: Record<string, unknown> = { level: level(message), message: { text: message.message + cellNote(message) } };
      // The region stays in the notebook's JSON text (what code scanning shows); the cell position is a property.
      const properties: Record<string, unknown> = {};
      if (message.cell) Object.assign(properties, { cell: message.cell.index, cellLine: message.cell.line, cellColumn: message.cell.column });
      if (message.priority) properties.priority = message.priority;
      if (message.fix) properties.fixApplicability = message.fix.applicability;
      if (Object.keys(properties).length > 0) entry.properties = properties;
      if (message.code && message.ruleId) {
        if (!ruleIndex.has(message.code)) {
          const meta = context.rulesMeta[message.ruleId];
          ruleIndex.set(message.code, rules.length);
          rules.push({
            id: message.code,
            name: message.ruleId,
            shortDescription: { text: meta?.docs.description ?? message.ruleId },
            ...(message.docsUrl ? { helpUri: message.docsUrl } : {}),
            properties: { tags: ["pytorch", "optimizer", meta?.type ?? "problem"], ...(meta?.priority ? { priority: meta.priority } : {}) },
          });
        }
        entry.ruleId = message.code;
        entry.ruleIndex = ruleIndex.get(message.code);
      }
      const region: Record<string, number> = { startLine: Math.max(1, message.line), startColumn: Math.max(1, message.column) };
      if (message.endLine !== undefined) region.endLine = message.endLine;
      if (message.endColumn !== undefined) region.endColumn = message.endColumn;
      // The baseline's fingerprint, so code scanning matches findings across moved lines.
      if (prints[index]) entry.partialFingerprints = { [FINGERPRINT_KEY]: prints[index] };
      // Every result needs a location: GitHub rejects a whole upload otherwise.
      entry.locations = [{ physicalLocation: { artifactLocation: location, region } }];
      if (message.related?.length) {
        entry.relatedLocations = message.related.map((r, id) => ({
          id,
          message: { text: r.message },
          physicalLocation: { artifactLocation: location, region: { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: r.endColumn } },
        }));
      }
      const fixes = sarifFix(message, result, location);
      if (fixes) entry.fixes = fixes;
      sarifResults.push(entry);
    }
  }
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "optim-lint", informationUri: "https://github.com/optim-lint/optim-lint", ...(context.version ? { version: context.version } : {}), rules } },
        originalUriBaseIds: { "%SRCROOT%": { uri: pathToFileURL(context.cwd + path.sep).href } },
        columnKind: "utf16CodeUnits",
        results: sarifResults,
      },
    ],
  };
  return JSON.stringify(log);
};
