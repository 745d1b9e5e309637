// Preloaded with --require: reports the process's peak RSS to the file BENCH_RUSAGE_FILE on exit.
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  const file = process.env.BENCH_RUSAGE_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});
