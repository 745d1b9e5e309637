import type { Rule } from './rule';

// Findings of these rules are produced while reading input; the rows give them ids, docs and severities.

export const yamlSyntax: Rule = {
  id: 'yaml-syntax',
  defaultSeverity: 'error',
  summary: 'A manifest is not valid YAML.',
  help: 'The document cannot be read, so its Services are not checked. Fix the syntax at the reported position; other documents in the file are still checked.',
  needsRegions: false,
};

export const unreadableFile: Rule = {
  id: 'unreadable-file',
  defaultSeverity: 'error',
  summary: 'A file given for checking cannot be read as YAML text (binary, not UTF-8, or too large).',
  help: 'Only YAML text manifests can be checked. Exclude the file from the check, or fix its encoding.',
  needsRegions: false,
};
