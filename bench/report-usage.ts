/**
 * Preloaded into a measured child process (`node --import report-usage.js ...`):
 * on exit, writes the process's resource usage (peak resident memory of the
 * whole process, DuckDB's native memory included; CPU time) to the file named
 * by BENCH_USAGE_FILE. Works on any OS Node runs on, unlike /usr/bin/time -v.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_USAGE_FILE;
if (target) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(target, JSON.stringify({ maxRssKb: usage.maxRSS, userSeconds: usage.userCPUTime / 1e6, systemSeconds: usage.systemCPUTime / 1e6 }));
  });
}
