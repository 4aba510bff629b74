import { Command, CommanderError } from 'commander';
import { version } from '../package.json';
import { backtestCommand } from './commands/backtest';
import { configCommand } from './commands/config';
import { dataInfoCommand } from './commands/data-info';
import { downloadCommand } from './commands/download';
import { importCommand } from './commands/import';
import { replayCommand } from './commands/replay';
import { optimizeCommand } from './commands/optimize';
import { featuresCommand } from './commands/features';
import { topicsCommand } from './commands/topics';
import { paperCommand } from './commands/paper';
import { liveCommand } from './commands/live';
import { auditCommand } from './commands/audit';
import { CliError, EXIT, type CliIo } from './io';

/** The `atp` command line (`npm run cli -- <verb>`): one file per verb under ./commands. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('atp')
    .description('Automated crypto trading platform: operations from the command line')
    .version(version)
    .showHelpAfterError('(add --help for usage)')
    .addCommand(topicsCommand(io))
    .addCommand(configCommand(io))
    .addCommand(backtestCommand(io))
    .addCommand(optimizeCommand(io))
    .addCommand(featuresCommand(io))
    .addCommand(downloadCommand(io))
    .addCommand(importCommand(io))
    .addCommand(dataInfoCommand(io))
    .addCommand(replayCommand(io))
    .addCommand(paperCommand(io))
    .addCommand(liveCommand(io))
    .addCommand(auditCommand(io));
  const configure = (c: Command) => {
    c.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
    c.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/** Runs one command line; resolves to the exit code (never calls process.exit). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version "exit" with 0; a verb group without a verb shows its help.
      if (e.exitCode === 0 || e.code === 'commander.help' || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return EXIT.usage;
    }
    if (e instanceof CliError) {
      io.err(`error: ${e.message}\n`);
      return e.exitCode;
    }
    io.err(`error: ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT.failure;
  }
}
