// The project's vitest config, with the specs' imports of bullmq and ioredis resolved to HOOKSPEC_BULLMQ
// and HOOKSPEC_IOREDIS when set (see use-peers.cjs).
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import { mergeConfig } from 'vitest/config';
import base from '../../../../vitest.config.mts';

const alias = {};
if (process.env.HOOKSPEC_BULLMQ) alias.bullmq = process.env.HOOKSPEC_BULLMQ;
if (process.env.HOOKSPEC_IOREDIS) alias.ioredis = process.env.HOOKSPEC_IOREDIS;

export default mergeConfig(base, {
  root: fileURLToPath(new URL('../../../../', import.meta.url)),
  resolve: { alias },
});
