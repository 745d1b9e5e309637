// npm install: builds the addon with npm's own node-gyp against the local Node headers. A machine
// without a compiler still installs; only TCP-MD5 passwords then fail, with one clear line.
const { spawnSync } = require('node:child_process');

const run = spawnSync('node-gyp', ['rebuild'], { stdio: 'inherit', shell: process.platform === 'win32' });
if (run.status !== 0) {
  process.stderr.write(
    '@kube-routes/tcp-md5: the native addon did not build (needs make, g++, python3 and Node headers); ' +
      'kube-routes-speaker works without it, except TCP-MD5 passwords. Rebuild: npm rebuild @kube-routes/tcp-md5\n',
  );
}
