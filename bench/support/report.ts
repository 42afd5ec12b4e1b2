import { writeFileSync } from 'node:fs';

/** One row of the benchmark table: our figure against a baseline measured in the same run. */
export interface Figure {
  figure: string;
  ours: number;
  baseline: number | null;
  unit: string;
  /** ours / baseline, or null when the figure is absolute. */
  ratio: number | null;
  goal: string;
  met: boolean;
  notes?: string;
}

export function figure(row: Omit<Figure, 'ratio'> & { ratio?: number | null }): Figure {
  const ratio = row.ratio !== undefined ? row.ratio : row.baseline ? row.ours / row.baseline : null;
  return { ...row, ratio };
}

const fmt = (n: number | null): string => {
  if (n === null) return '-';
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3);
};

export function printTable(rows: Figure[]): string {
  const header = ['figure', 'ours', 'baseline', 'unit', 'ratio', 'goal', 'met'];
  const cells = rows.map((r) => [
    r.figure,
    fmt(r.ours),
    fmt(r.baseline),
    r.unit,
    r.ratio === null ? '-' : `${fmt(r.ratio)}x`,
    r.goal,
    r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function writeResults(path: string, rows: Figure[], meta: Record<string, unknown>): void {
  writeFileSync(path, `${JSON.stringify({ ...meta, figures: rows }, null, 2)}\n`);
}
