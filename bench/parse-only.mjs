// The lower bound for `check`: read every *.yaml under DIR and parse it with the yaml package.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

let documents = 0;
function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (/\.ya?ml$/.test(entry.name) && entry.name !== 'kube-routes.yaml')
      documents += parseAllDocuments(readFileSync(path, 'utf8')).length;
  }
}
walk(process.argv[2]);
console.log(`${documents} documents`);
