import { Help, type Command, type Option } from 'commander';

/** Text a command shows in its help, beyond what commander knows. */
export interface CommandDocs {
  readonly long: string;
  readonly examples: readonly { readonly comment: string; readonly command: string }[];
  readonly usage: string;
}

const docsByCommand = new WeakMap<Command, CommandDocs>();

export function documentCommand(command: Command, docs: CommandDocs): Command {
  docsByCommand.set(command, docs);
  return command;
}

function defaultText(option: Option): string {
  if (option.isBoolean()) return option.negate ? 'true' : 'false';
  const value = option.defaultValueDescription ?? option.defaultValue;
  if (Array.isArray(option.defaultValue)) return `[${option.defaultValue.join(',')}]`; // as kubectl shows a repeatable flag
  return value === undefined ? "''" : `'${String(value)}'`;
}

/** Help in kubectl's layout: description, Examples, Options (flag=default, text below), Usage. */
export class KubectlHelp extends Help {
  override formatHelp(cmd: Command, helper: Help): string {
    const docs = docsByCommand.get(cmd);
    const out: string[] = [docs?.long ?? cmd.description(), ''];
    if (docs && docs.examples.length > 0) {
      out.push('Examples:');
      for (const e of docs.examples) out.push(`  # ${e.comment}`, `  ${e.command}`, '');
    }
    const subcommands = helper.visibleCommands(cmd).filter((c) => c.name() !== 'help');
    if (subcommands.length > 0) {
      out.push('Available Commands:');
      const width = Math.max(...subcommands.map((c) => c.name().length));
      for (const c of subcommands)
        out.push(`  ${c.name().padEnd(width)}   ${c.summary() || c.description().split('\n')[0]}`);
      out.push('');
    }
    const options = helper.visibleOptions(cmd);
    if (options.length > 0) {
      out.push('Options:');
      for (const o of options) {
        const flags = o.short ? `${o.short}, ${o.long}` : `${o.long}`;
        out.push(`    ${flags}=${defaultText(o)}:`, `\t${o.description}`, '');
      }
    }
    out.push('Usage:', `  ${docs?.usage ?? `${commandPath(cmd)} [flags]`}`, '');
    if (subcommands.length > 0)
      out.push(`Use "${commandPath(cmd)} <command> --help" for more information about a given command.`, '');
    return out.join('\n');
  }
}

export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
