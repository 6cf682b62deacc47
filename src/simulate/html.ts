/** A self-contained HTML report of simulations: loss curves as inline SVG, the numbers and the code around each finding. */
import type { LossPoint, ProblemComparison, RunSummary } from "./runner.js";
import { CAVEAT, formatChange, formatLoss } from "./report.js";
import type { FindingSimulation } from "./simulate.js";

const BEFORE_COLOR = "#c2410c";
const AFTER_COLOR = "#1d4ed8";

/** Chart geometry in SVG user units. */
const CHART = { width: 520, height: 300, left: 64, right: 16, top: 36, bottom: 40 };

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** A coordinate rounded for compact SVG. */
function coord(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** The points of a curve that a log axis can show. */
function plottable(curve: LossPoint[]): LossPoint[] {
  return curve.filter((p) => Number.isFinite(p.loss) && p.loss > 0);
}

/** The decades a log axis spans for some losses, widened to at least one decade. */
function logRange(losses: number[]): { low: number; high: number } {
  let low = Math.floor(Math.log10(Math.min(...losses)));
  let high = Math.ceil(Math.log10(Math.max(...losses)));
  if (high <= low) high = low + 1;
  if (high - low > 12) low = high - 12;
  return { low, high };
}

/** Tick values for a linear step axis from 0 to `max`. */
function stepTicks(max: number): number[] {
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const unit = [1, 2, 5, 10].map((m) => m * magnitude).find((u) => u >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = 0; t <= max + 1e-9; t += unit) ticks.push(t);
  return ticks;
}

/** An exponent as a superscript label, e.g. 10⁻³. */
function powerLabel(exponent: number): string {
  const superscripts: Record<string, string> = { "-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹" };
  return `10${String(exponent).split("").map((c) => superscripts[c] ?? c).join("")}`;
}

/** SVG path data of a curve on the chart's scales. */
function pathData(points: LossPoint[], x: (step: number) => number, y: (loss: number) => number): string {
  return points.map((p, i) => `${i === 0 ? "M" : "L"}${coord(x(p.step))},${coord(y(p.loss))}`).join("");
}

/** A cross marking where a run diverged. */
function divergenceMark(point: LossPoint, color: string, x: (step: number) => number, y: (loss: number) => number): string {
  const cx = x(point.step);
  const cy = y(point.loss);
  return `<path class="diverged" d="M${coord(cx - 5)},${coord(cy - 5)}L${coord(cx + 5)},${coord(cy + 5)}M${coord(cx - 5)},${coord(cy + 5)}L${coord(cx + 5)},${coord(cy - 5)}" stroke="${color}" stroke-width="2"/>`;
}

/** Loss curves before and after on one problem, log-scale loss against step, with axes, target and legend. */
function lossChart(comparison: ProblemComparison): string {
  const { problem } = comparison;
  const before = plottable(comparison.before.curve);
  const after = plottable(comparison.after.curve);
  const losses = [...before, ...after].map((p) => p.loss);
  if (losses.length === 0) return `<p class="empty">No finite loss to plot.</p>`;
  if (problem.targetLoss > 0) losses.push(problem.targetLoss);
  const { low, high } = logRange(losses);
  const plotWidth = CHART.width - CHART.left - CHART.right;
  const plotHeight = CHART.height - CHART.top - CHART.bottom;
  const x = (step: number): number => CHART.left + (step / problem.steps) * plotWidth;
  const y = (loss: number): number => {
    const clamped = Math.min(Math.max(Math.log10(loss), low), high);
    return CHART.top + ((high - clamped) / (high - low)) * plotHeight;
  };
  const parts: string[] = [];
  const bottom = CHART.top + plotHeight;
  const decadeStride = Math.ceil((high - low) / 8);
  for (let e = low; e <= high; e += decadeStride) {
    const ty = y(10 ** e);
    parts.push(`<line class="grid" x1="${CHART.left}" x2="${CHART.left + plotWidth}" y1="${coord(ty)}" y2="${coord(ty)}"/>`);
    parts.push(`<text class="tick" x="${CHART.left - 6}" y="${coord(ty + 4)}" text-anchor="end">${powerLabel(e)}</text>`);
  }
  for (const t of stepTicks(problem.steps)) {
    const tx = x(t);
    parts.push(`<line class="axis" x1="${coord(tx)}" x2="${coord(tx)}" y1="${bottom}" y2="${bottom + 4}"/>`);
    parts.push(`<text class="tick" x="${coord(tx)}" y="${bottom + 16}" text-anchor="middle">${t}</text>`);
  }
  parts.push(`<line class="axis" x1="${CHART.left}" x2="${CHART.left}" y1="${CHART.top}" y2="${bottom}"/>`);
  parts.push(`<line class="axis" x1="${CHART.left}" x2="${CHART.left + plotWidth}" y1="${bottom}" y2="${bottom}"/>`);
  parts.push(`<text class="label" x="${CHART.left + plotWidth / 2}" y="${CHART.height - 6}" text-anchor="middle">step</text>`);
  parts.push(`<text class="label" transform="translate(14 ${CHART.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">loss (log scale)</text>`);
  if (problem.targetLoss > 0) {
    const ty = y(problem.targetLoss);
    parts.push(`<line class="target" x1="${CHART.left}" x2="${CHART.left + plotWidth}" y1="${coord(ty)}" y2="${coord(ty)}"/>`);
    parts.push(`<text class="tick" x="${CHART.left + plotWidth - 4}" y="${coord(ty - 4)}" text-anchor="end">target</text>`);
  }
  const series: [string, LossPoint[], RunSummary, string][] = [
    ["before", before, comparison.before.summary, BEFORE_COLOR],
    ["after", after, comparison.after.summary, AFTER_COLOR],
  ];
  for (const [name, points, summary, color] of series) {
    if (points.length === 0) continue;
    parts.push(`<path class="curve ${name}" d="${pathData(points, x, y)}" fill="none" stroke="${color}" stroke-width="2"${name === "after" ? ' stroke-dasharray="6 3"' : ""}/>`);
    if (summary.diverged) parts.push(divergenceMark(points[points.length - 1], color, x, y));
  }
  series.forEach(([name, , summary, color], i) => {
    const lx = CHART.left + i * 170;
    const ly = 16;
    const status = summary.rejected ? " (rejected)" : summary.diverged ? " (diverged)" : "";
    parts.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${name === "after" ? ' stroke-dasharray="6 3"' : ""}/>`);
    parts.push(`<text class="legend" x="${lx + 30}" y="${ly}">${name}${status}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${CHART.width} ${CHART.height}" width="${CHART.width}" height="${CHART.height}" role="img" aria-label="Loss curves on ${escapeHtml(problem.name)}">${parts.join("")}</svg>`;
}

/** The final-loss cell text. */
function finalText(summary: RunSummary): string {
  if (summary.rejected) return `rejected: ${summary.rejected}`;
  return summary.diverged ? "diverged" : formatLoss(summary.finalLoss);
}

/** The numbers of one comparison as a table. */
function numbersTable(comparison: ProblemComparison): string {
  const row = (label: string, cell: (s: RunSummary) => string): string =>
    `<tr><th>${label}</th><td>${escapeHtml(cell(comparison.before.summary))}</td><td>${escapeHtml(cell(comparison.after.summary))}</td></tr>`;
  const rows = [
    row("final loss", finalText),
    row("best loss", (s) => formatLoss(s.bestLoss)),
    row("steps to target", (s) => (s.rejected ? "—" : s.stepsToTarget === null ? "never" : String(s.stepsToTarget))),
  ];
  if (comparison.before.summary.weightNorm !== undefined) rows.push(row("final weight norm", (s) => (s.weightNorm === undefined ? "—" : s.weightNorm.toPrecision(4))));
  const shrinkage = comparison.before.summary.shrinkage ?? comparison.after.summary.shrinkage;
  shrinkage?.forEach((q, i) =>
    rows.push(row(`shrinkage of ${escapeHtml(q.label)}`, (s) => (s.shrinkage ? `${(s.shrinkage[i].value * 100).toFixed(1)}%` : "—"))),
  );
  return `<table class="numbers"><thead><tr><th></th><th class="before">before</th><th class="after">after</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** The lines around a finding, numbered, with the finding's line marked. */
export function codeExcerpt(source: string | undefined, line: number, context = 4): string {
  if (source === undefined) return "";
  const lines = source.split(/\r\n|\r|\n/);
  const first = Math.max(1, line - context);
  const last = Math.min(lines.length, line + context);
  const width = String(last).length;
  const rows: string[] = [];
  for (let n = first; n <= last; n++) {
    const text = escapeHtml(lines[n - 1] ?? "");
    rows.push(`<span class="${n === line ? "line hit" : "line"}"><span class="ln">${String(n).padStart(width)}</span> ${text}</span>`);
  }
  return `<pre class="code">${rows.join("")}</pre>`;
}

/** The section of one finding. */
function findingSection(simulation: FindingSimulation, index: number): string {
  const change = formatChange(simulation.before, simulation.after, simulation.labels);
  const label = simulation.code ? `${simulation.ruleId} (${simulation.code})` : String(simulation.ruleId);
  const problems = simulation.comparisons
    .map(
      (c) => `<div class="problem"><h3>${escapeHtml(c.problem.name)}</h3><p class="desc">${escapeHtml(c.problem.description)}</p>` +
        `<div class="figure">${lossChart(c)}${numbersTable(c)}</div></div>`,
    )
    .join("");
  const notes = simulation.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join("");
  return `<section class="finding" id="finding-${index + 1}"><h2>${escapeHtml(label)} <span class="where">${escapeHtml(simulation.filePath)}:${simulation.line}:${simulation.column}</span></h2>` +
    `<p class="message">${escapeHtml(simulation.message)}</p>${codeExcerpt(simulation.source, simulation.line)}` +
    `<p class="change"><span class="before">before</span> <code>${escapeHtml(change.before)}</code><br><span class="after">after</span> <code>${escapeHtml(change.after)}</code></p>` +
    `${notes}${problems}</section>`;
}

const STYLE = `
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2937; margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; margin-top: 36px; }
h3 { font-size: 16px; margin: 18px 0 2px; } .where { font-weight: normal; color: #6b7280; font-size: 14px; }
.caveat { background: #fef9c3; border: 1px solid #fde047; padding: 8px 12px; border-radius: 6px; }
.desc, .note { color: #4b5563; margin: 2px 0 8px; } .message { margin: 4px 0; }
pre.code { background: #f8fafc; border: 1px solid #e2e8f0; padding: 8px 0; overflow-x: auto; font-size: 13px; }
pre.code .line { display: block; padding: 0 12px; } pre.code .hit { background: #fee2e2; } pre.code .ln { color: #94a3b8; }
code { font-size: 13px; } .change .before, th.before { color: ${BEFORE_COLOR}; font-weight: 600; } .change .after, th.after { color: ${AFTER_COLOR}; font-weight: 600; }
.figure { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
table.numbers { border-collapse: collapse; font-size: 14px; margin-top: 8px; } table.numbers th, table.numbers td { padding: 3px 10px; border-bottom: 1px solid #e5e7eb; text-align: right; }
table.numbers tbody th { text-align: left; font-weight: normal; color: #4b5563; }
svg .grid { stroke: #e5e7eb; } svg .axis { stroke: #6b7280; } svg .target { stroke: #16a34a; stroke-dasharray: 2 3; }
svg text { font: 11px system-ui, sans-serif; fill: #374151; } svg .label { font-size: 12px; } svg .legend { font-size: 12px; }
`;

/** The whole HTML page. */
export function renderHtml(simulations: readonly FindingSimulation[], title = "optim-lint simulation report"): string {
  const body =
    simulations.length === 0
      ? "<p>No finding with a settings change to simulate.</p>"
      : simulations.map((s, i) => findingSection(s, i)).join("");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1><p class="caveat">${escapeHtml(CAVEAT)}</p>
<p>${simulations.length} finding${simulations.length === 1 ? "" : "s"} simulated. Each chart shows the loss before (solid) and after (dashed) the suggested change; the green dotted line is the problem's target loss.</p>
${body}</body></html>
`;
}
