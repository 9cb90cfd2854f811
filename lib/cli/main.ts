#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { HookspecError } from '../errors';
import { VERSION } from '../version';
import { checkCommand } from './commands/check.command';
import { generateCommand } from './commands/generate.command';

/** Exit codes: 0 done, 1 `check` found the file stale, 2 anything went wrong (usage, loading, building). */
export async function main(argv: readonly string[], cwd = process.cwd()): Promise<number> {
  const io = {
    cwd,
    stdout: (line: string) => process.stdout.write(`${line}\n`),
    stderr: (line: string) => process.stderr.write(`${line}\n`),
  };
  let exitCode = 0;
  const program = new Command('hookspec')
    .description('Code-first OpenAPI 3.1 webhooks: document, deliver and receive them from one decorated class.')
    .version(VERSION)
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  const documentOptions = (command: Command): Command =>
    command
      .argument('<module...>', 'compiled JavaScript modules that export @Webhook classes')
      .requiredOption('-o, --out <file>', 'the document file (.json, or .yaml/.yml for YAML)')
      .option('--base <file>', 'an OpenAPI 3.1 document (JSON or YAML) to add the webhooks to')
      .option('--title <title>', "the document's info.title")
      .option('--version <version>', "the document's info.version")
      .option('--yaml', 'write YAML whatever the file extension');

  documentOptions(program.command('generate').description('write the OpenAPI document of the webhooks')).action(
    async (modules: string[], options) => {
      exitCode = await generateCommand(modules, options, io);
    },
  );
  documentOptions(
    program.command('check').description('exit 1 and show a diff when the document is stale (for CI)'),
  ).action(async (modules: string[], options) => {
    exitCode = await checkCommand(modules, options, io);
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof HookspecError) {
      io.stderr(`hookspec: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`hookspec: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
