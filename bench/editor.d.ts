/** Types of bench/editor.js for the tests that reuse its generated file. */
export function largeTrainingFile(): string;
export function runEditorBench(runs?: number): Promise<Record<string, number>>;
