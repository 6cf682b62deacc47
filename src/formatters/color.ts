/** The few ANSI styles the human formats use, switched off entirely when color is not wanted. */

export interface Palette {
  red(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
  underline(text: string): string;
  reset(text: string): string;
}

/** A style that wraps non-empty text in an ANSI open/close pair. */
function style(open: number, close: number): (text: string) => string {
  return (text) => (text === "" ? "" : `\u001b[${open}m${text}\u001b[${close}m`);
}

const COLORED: Palette = {
  red: style(31, 39),
  yellow: style(33, 39),
  blue: style(34, 39),
  dim: style(2, 22),
  bold: style(1, 22),
  underline: style(4, 24),
  reset: style(0, 0),
};

const identity = (text: string): string => text;
const PLAIN: Palette = { red: identity, yellow: identity, blue: identity, dim: identity, bold: identity, underline: identity, reset: identity };

/** The palette for a color setting. */
export function palette(color: boolean | undefined): Palette {
  return color ? COLORED : PLAIN;
}

/** Whether to color output: FORCE_COLOR wins, then NO_COLOR, then whether the stream is a terminal. */
export function wantsColor(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !["0", "false"].includes(force.toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return isTTY;
}

/** Text without ANSI escape sequences, for measuring column widths. */
export function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, "").length;
}
