#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { HookspecError } from '../errors';
import { VERSION } from '../version';
import { checkCommand } from './commands/check.command';
import { generateCommand } from './commands/generate.command';
import { documentRequest } from './document-request';
import type { DocumentFlags } from './document-request';
import { collect, listenCommand, parsePort, parseSeconds } from './commands/listen.command';

/**
 * Exit codes: 0 done (or `listen` stopped by SIGINT/SIGTERM), 1 `check` found the file stale, 2 anything went
 * wrong (usage, loading, building, a malformed key, a port in use).
 */
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
      .argument('[module...]', 'compiled JavaScript modules that export @Webhook classes (or "modules" in the config)')
      .option(
        '-c, --config <file>',
        'a JSON config file; default: hookspec.config.json, else the "hookspec" key of package.json, in this directory',
      )
      .option('-o, --out <file>', 'the document file (.json, or .yaml/.yml for YAML)')
      .option('--base <file>', 'an OpenAPI 3.1 document (JSON or YAML) to add the webhooks to')
      .option('--title <title>', "the document's info.title")
      .option('--version <version>', "the document's info.version")
      .option('--yaml', 'write YAML whatever the file extension')
      .addOption(
        new Option(
          '--envelope <mode>',
          "document bodies as the client's envelope option sends them (default: none)",
        ).choices(['none', 'standard']),
      );

  documentOptions(program.command('generate').description('write the OpenAPI document of the webhooks')).action(
    async (modules: string[], flags: DocumentFlags) => {
      exitCode = await generateCommand(documentRequest('generate', modules, flags, cwd), io);
    },
  );
  documentOptions(
    program.command('check').description('exit 1 and show a diff when the document is stale (for CI)'),
  ).action(async (modules: string[], flags: DocumentFlags) => {
    exitCode = await checkCommand(documentRequest('check', modules, flags, cwd), io);
  });

  program
    .command('listen')
    .description('a local receiver for development: verifies, validates and prints every webhook posted to it')
    .option('-p, --port <port>', 'the port to listen on; 0 takes a free one', parsePort, 4000)
    .option('--host <host>', 'the address to listen on; the default accepts this machine only', '127.0.0.1')
    .option('--path <path>', 'the request path that receives webhooks', '/')
    .addOption(
      new Option('--secret <secret>', "the endpoint's whsec_ secret; repeat it during a rotation")
        .argParser(collect)
        // From the environment, a secret stays out of `ps` and the shell's history.
        .env('HOOKSPEC_SECRET'),
    )
    .addOption(new Option('--public-key <key>', 'a whpk_ ed25519 public key; repeatable').argParser(collect))
    .addOption(
      new Option(
        '-m, --module <module>',
        'a compiled module whose @Webhook classes validate the bodies; repeatable',
      ).argParser(collect),
    )
    .option('--tolerance <seconds>', 'how far webhook-timestamp may be from this clock', parseSeconds, 300)
    .action(async (options) => {
      exitCode = await listenCommand(options, io);
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
