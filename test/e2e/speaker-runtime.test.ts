import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { SpeakerProcess, repoRoot, tempDir } from '@kube-routes/test/support';

// The speaker's memory settings, read only at process start (addresses 127.0.47.x, this file
// only): the bin script's #! line gives them to every start from PATH (npm's bin link, as the
// tests and the benchmarks run it), and the release executable gets the same V8 flags.

const bin = join(repoRoot, 'server/bin/kube-routes-speaker');

/** The #! line of the bin: environment assignments and Node flags. */
function shebang(): { env: string[]; flags: string[] } {
  const words = (readFileSync(bin, 'utf8').split('\n')[0] ?? '').replace(/^#!\/usr\/bin\/env -S /, '').split(' ');
  const node = words.indexOf('node');
  assert.ok(node >= 0, `the #! line runs node: ${words.join(' ')}`);
  return { env: words.slice(0, node), flags: words.slice(node + 1) };
}

test('a speaker started from its bin runs with the #! line flags and environment', async () => {
  const speaker = new SpeakerProcess({
    dir: join(tempDir('kube-routes-runtime-'), 'speaker'),
    address: '127.0.47.1',
    peers: [],
  });
  await speaker.start();
  after(() => speaker.stop('SIGKILL'));
  const pid = speaker.pid;
  assert.ok(pid !== undefined);
  // `env -S` execs node in place: the pid is node's, its argv holds the flags.
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  const { env, flags } = shebang();
  assert.deepEqual(flags, [
    '--max-semi-space-size=1',
    '--memory-saver-mode',
    '--no-maglev',
    '--max-inlined-bytecode-size-cumulative=230',
  ]);
  assert.deepEqual(env, ['MALLOC_ARENA_MAX=2', 'MALLOC_MMAP_THRESHOLD_=32768']);
  for (const flag of flags) assert.ok(argv.includes(flag), `${flag} in ${argv.join(' ')}`);
  for (const setting of env) assert.ok(environ.includes(setting), `${setting} in the environment`);
  assert.equal((await speaker.get('/healthz')).status, 200);
});

test('the release executable gets the same V8 flags (scripts/bundle.mjs execArgv)', async () => {
  const { programs } = (await import(pathToFileURL(join(repoRoot, 'scripts/bundle.mjs')).href)) as {
    programs: { name: string; execArgv?: string[] }[];
  };
  const speaker = programs.find((p) => p.name === 'kube-routes-speaker');
  assert.deepEqual(speaker?.execArgv, shebang().flags);
  const image = readFileSync(join(repoRoot, 'scripts/build-image'), 'utf8');
  for (const setting of shebang().env) assert.match(image, new RegExp(`--env ${setting} `), 'the image environment');
});
