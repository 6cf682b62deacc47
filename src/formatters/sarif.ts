/** SARIF 2.1.0, the format GitHub code scanning and other security dashboards ingest. */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { FileResult, LintMessage } from "../core/results.js";
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

export const sarif: Formatter = (results, context) => {
  const rules: { id: string; name: string; shortDescription: { text: string }; helpUri?: string; properties: { tags: string[] } }[] = [];
  const ruleIndex = new Map<string, number>();
  const sarifResults: object[] = [];
  for (const result of results as FileResult[]) {
    const location = artifactUri(result.filePath, context.cwd);
    const prints = fingerprints(result, context.cwd);
    for (const [index, message] of result.messages.entries()) {
      const entry: Record<string, unknown> = { level: level(message), message: { text: message.message + cellNote(message) } };
      // The region stays in the notebook's JSON text (what code scanning shows); the cell position is a property.
      if (message.cell) entry.properties = { cell: message.cell.index, cellLine: message.cell.line, cellColumn: message.cell.column };
      if (message.code && message.ruleId) {
        if (!ruleIndex.has(message.code)) {
          const meta = context.rulesMeta[message.ruleId];
          ruleIndex.set(message.code, rules.length);
          rules.push({
            id: message.code,
            name: message.ruleId,
            shortDescription: { text: meta?.docs.description ?? message.ruleId },
            ...(message.docsUrl ? { helpUri: message.docsUrl } : {}),
            properties: { tags: ["pytorch", "optimizer", meta?.type ?? "problem"] },
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
