// Preloaded with --require: reports the process's peak RSS (KiB) to the file BENCH_RUSAGE_FILE on
// exit, and its CPU time (user + system, seconds) to BENCH_CPU_FILE when set.
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  const usage = process.resourceUsage();
  const file = process.env.BENCH_RUSAGE_FILE;
  if (file) writeFileSync(file, String(usage.maxRSS));
  const cpu = process.env.BENCH_CPU_FILE;
  if (cpu) writeFileSync(cpu, String((usage.userCPUTime + usage.systemCPUTime) / 1e6));
});
