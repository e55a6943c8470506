import type { Io } from './io.js';
import type { IngestProgress } from './ingest/ingester.js';
import { thousands } from './numbers.js';

/** A one-line progress display on stderr; silent unless stderr is a terminal. */
export function ingestProgressReporter(io: Io): ((progress: IngestProgress) => void) | undefined {
  if (!io.stderrIsTTY) return undefined;
  const started = Date.now();
  return (p) => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const rate = thousands(Math.round(p.linesRead / seconds));
    const done = p.filesDone === p.filesTotal;
    const width = 24;
    const filled = p.filesTotal === 0 ? width : Math.round((p.filesDone / p.filesTotal) * width);
    const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
    const current = done ? '' : ` ${p.currentFile.length > 40 ? '…' + p.currentFile.slice(-39) : p.currentFile}`;
    io.stderr(`\r\x1b[2K[${bar}] ${p.filesDone}/${p.filesTotal} files, ${thousands(p.linesRead)} lines, ${rate} lines/s${current}${done ? '\n' : ''}`);
  };
}
