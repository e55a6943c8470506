/**
 * Preloaded into a measured child process (`node --import report-usage.js ...`):
 * on exit, writes the process's resource usage (peak resident memory of the
 * whole process, DuckDB's native memory included; CPU time) to the file named
 * by BENCH_USAGE_FILE. Works on any OS Node runs on, unlike /usr/bin/time -v.
 *
 * On Linux the peak is VmHWM from /proc/self/status: getrusage's ru_maxrss
 * carries the forking parent's high-water mark across exec, so a small child of
 * a big bench runner would report the runner's size. Elsewhere, maxRSS.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const target = process.env.BENCH_USAGE_FILE;
if (target) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(target, JSON.stringify({ maxRssKb: peakRssKb() ?? usage.maxRSS, userSeconds: usage.userCPUTime / 1e6, systemSeconds: usage.systemCPUTime / 1e6 }));
  });
}

function peakRssKb(): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}
