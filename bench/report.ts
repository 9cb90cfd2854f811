// What every benchmark reports the same way: medians, Markdown tables that Prettier leaves alone, the
// machine they ran on, and the section of docs/benchmarks.md that `--write` rewrites.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';

/** bench/dist/bench/*.js → docs/benchmarks.md */
const DOCS_FILE = join(__dirname, '..', '..', '..', 'docs', 'benchmarks.md');

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Padded as Prettier pads a Markdown table, so that a written docs file passes `prettier --check`. */
export function table(rows: [string[], ...string[][]]): string {
  const [header, ...body] = rows;
  const widths = header.map((_, column) => Math.max(3, ...rows.map((row) => row[column].length)));
  // The first column is left-aligned (labels), the others right-aligned (figures).
  const pad = (cell: string, column: number): string =>
    column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]);
  const line = (cells: string[]): string => `| ${cells.map(pad).join(' | ')} |`;
  const rule = widths.map((width, column) => (column === 0 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`));
  return [line(header), line(rule), ...body.map(line)].join('\n');
}

export function cpuModel(): string {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  return /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown CPU';
}

/** CPU, cores, Node and the load: other processes skew absolute times (interleaving keeps ratios fair). */
export function machine(): string {
  return `${cpuModel()}, ${availableParallelism()} cores, Node ${process.version}, load average ${loadavg()[0]?.toFixed(2)}`;
}

/** Replaces the text between `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->` in docs/benchmarks.md. */
export function writeSection(name: string, section: string): void {
  const startMarker = `<!-- bench:${name}:start -->`;
  const endMarker = `<!-- bench:${name}:end -->`;
  const docs = readFileSync(DOCS_FILE, 'utf8');
  const start = docs.indexOf(startMarker);
  const end = docs.indexOf(endMarker);
  if (start === -1 || end < start) {
    throw new Error(`${DOCS_FILE} has no ${startMarker} … ${endMarker} section to rewrite.`);
  }
  writeFileSync(DOCS_FILE, `${docs.slice(0, start + startMarker.length)}\n\n${section}\n\n${docs.slice(end)}`);
  console.log(`\nwrote ${DOCS_FILE}`);
}

/**
 * Warm-up rounds of every side, then timed rounds in rotating order, so that drift (GC, CPU frequency,
 * other load) hits all sides alike. `run` makes one round of one side; `report` is told of each timed one.
 */
export async function rotatingRounds<S, R>(
  sides: readonly S[],
  counts: { readonly warmUp: number; readonly timed: number },
  run: (side: S, label: string) => Promise<R>,
  report: (side: S, round: R, index: number) => void,
): Promise<{ readonly side: S; readonly rounds: R[] }[]> {
  const results = sides.map((side) => ({ side, rounds: [] as R[] }));
  for (let i = 0; i < counts.warmUp; i++) {
    for (const side of sides) await run(side, `warm-up ${i + 1}`);
  }
  for (let i = 0; i < counts.timed; i++) {
    const order = results.map((_, k) => results[(i + k) % results.length]);
    for (const result of order) {
      const round = await run(result.side, `round ${i + 1}`);
      result.rounds.push(round);
      report(result.side, round, i);
    }
  }
  return results;
}
