import type { Command } from 'commander';

/**
 * The flags among `names` (commander attribute names, e.g. `rotationId`, `follow`) that the command line
 * gave, spelled as typed (`--rotation-id`, `--no-follow`); options left at their defaults do not count.
 */
export function givenFlags(command: Command, names: readonly string[]): string[] {
  return names
    .filter((name) => command.getOptionValueSource(name) === 'cli')
    .map((name) => command.options.find((option) => option.attributeName() === name)?.long ?? `--${name}`);
}
