import { Argument, Command } from 'commander';
import { COMMANDS } from '../command-table.ts';
import type { CliIo } from '../io.ts';

/** The shells `keyturn completion` writes a script for. */
const SHELLS = ['bash', 'zsh'] as const;

/** `keyturn completion bash|zsh`: prints a completion script of every command and its options. */
export function registerCompletion(program: Command, io: CliIo): void {
  program
    .command('completion')
    .description('print a shell completion script for bash or zsh (source it from your shell profile)')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(SHELLS))
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  source <(keyturn completion bash)              # this shell only',
        '  keyturn completion bash >> ~/.bashrc           # every new bash',
        '  keyturn completion zsh > ~/.zfunc/_keyturn        # zsh, with ~/.zfunc in fpath',
      ].join('\n'),
    )
    .action(async (shell: (typeof SHELLS)[number]) => {
      const words = await completionWords(io);
      io.out(shell === 'bash' ? bashScript(words) : zshScript(words));
    });
}

/** Each command's long and short option flags, and the program's own, read from the registered commands. */
interface CompletionWords {
  readonly commands: readonly string[];
  readonly programOptions: readonly string[];
  readonly optionsOf: ReadonlyMap<string, readonly string[]>;
}

async function completionWords(io: CliIo): Promise<CompletionWords> {
  const full = new Command('keyturn').option('--debug').version('0', '-V, --version');
  for (const entry of COMMANDS) (await entry.load())(full, io);
  const flagsOf = (command: Command): string[] => [
    ...command.options
      .filter((option) => !option.hidden)
      .flatMap((option) => [option.long, option.short].filter((flag) => flag !== undefined)),
    '--help',
  ];
  return {
    commands: full.commands.map((command) => command.name()),
    programOptions: flagsOf(full),
    optionsOf: new Map(full.commands.map((command) => [command.name(), flagsOf(command)])),
  };
}

function bashScript(words: CompletionWords): string {
  const cases = [...words.optionsOf]
    .map(([name, flags]) => `    ${name}) options="${flags.join(' ')}" ;;`)
    .join('\n');
  return `# keyturn completion for bash: source <(keyturn completion bash)
_keyturn() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" command="" options="" word
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case "$word" in -*) ;; *) command="$word"; break ;; esac
  done
  case "$command" in
    "") options="${words.programOptions.join(' ')}" ;;
${cases}
  esac
  if [[ -z "$command" && "$cur" != -* ]]; then
    COMPREPLY=($(compgen -W "${words.commands.join(' ')}" -- "$cur"))
  elif [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _keyturn keyturn
`;
}

function zshScript(words: CompletionWords): string {
  return `#compdef keyturn
# keyturn completion for zsh: keyturn completion zsh > "\${fpath[1]}/_keyturn", or source it
autoload -U +X bashcompinit && bashcompinit
${bashScript(words)}`;
}
