// files.exclude-style globs, matched against paths relative to a workspace folder with "/"
// separators: "**" spans folders, "*" and "?" stay within one name, "{a,b}" alternates, "[...]"
// is a character class. A folder that matches excludes everything below it, as in VS Code.

function globToRegExpSource(glob: string): string {
  let out = '';
  let i = 0;
  let braces = 0;
  while (i < glob.length) {
    const c = glob[i] ?? '';
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // "**/" matches zero or more folders; a trailing "**" matches anything.
        const slash = glob[i + 2] === '/';
        out += slash ? '(?:.*/)?' : '.*';
        i += slash ? 3 : 2;
        continue;
      }
      out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) out += '|';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) out += '\\[';
      else {
        const body = glob
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        out += `[${body}]`;
        i = close;
      }
    } else out += c.replace(/[.+^$()|\\]/g, '\\$&');
    i++;
  }
  return out + ')'.repeat(braces);
}

export class GlobSet {
  private readonly patterns: readonly RegExp[];

  constructor(globs: readonly string[]) {
    const patterns: RegExp[] = [];
    for (const glob of globs) {
      try {
        patterns.push(new RegExp(`^${globToRegExpSource(glob.replace(/^\.\//, '').replace(/\/$/, ''))}$`));
      } catch {
        // A glob that does not translate is ignored rather than failing the whole setting.
      }
    }
    this.patterns = patterns;
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** True when the relative path or one of its parent folders matches. */
  excludes(relativePath: string): boolean {
    if (this.patterns.length === 0) return false;
    const parts = relativePath.split('/');
    for (let n = parts.length; n > 0; n--) {
      const prefix = parts.slice(0, n).join('/');
      if (this.patterns.some((p) => p.test(prefix))) return true;
    }
    return false;
  }
}
