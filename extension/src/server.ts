import { main } from '../../server/dist/src/lsp/main.js';

// The language server as the extension ships it (bundled into dist/server.js): the same start
// as server/bin/kube-routes-language-server. The client starts it with --node-ipc.
main(process.argv.slice(2))
  .then((code) => {
    if (code !== undefined) process.exit(code);
  })
  .catch((e: unknown) => {
    process.stderr.write(`error: internal error: ${e instanceof Error ? e.message : String(e)} (please report this)\n`);
    process.exit(3);
  });
