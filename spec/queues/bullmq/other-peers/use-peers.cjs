/*
 * Runs the BullMQ specs on other versions of the peers than the ones installed, so that each major in the
 * peer ranges is tested. HOOKSPEC_BULLMQ and HOOKSPEC_IOREDIS (either or both) are package directories;
 * every require() of that package in the process and its children (hookspec's, BullMQ's, the specs'
 * worker processes) then loads it. vitest.other-peers.config.mjs does the same for the specs' imports:
 *
 *   npm install --prefix /tmp/io6 ioredis@6
 *   HOOKSPEC_IOREDIS=/tmp/io6/node_modules/ioredis \
 *   NODE_OPTIONS="--require $PWD/spec/queues/bullmq/other-peers/use-peers.cjs" \
 *   npx vitest run --config spec/queues/bullmq/other-peers/vitest.other-peers.config.mjs spec/queues/bullmq
 */
const Module = require('node:module');
const { join } = require('node:path');

const packages = { bullmq: process.env.HOOKSPEC_BULLMQ, ioredis: process.env.HOOKSPEC_IOREDIS };
const original = Module._resolveFilename;
Module._resolveFilename = function resolvePeer(request, ...rest) {
  for (const [name, root] of Object.entries(packages)) {
    if (!root) continue;
    if (request === name) return require.resolve(root);
    if (request.startsWith(`${name}/`)) return original.call(this, join(root, request.slice(name.length + 1)), ...rest);
  }
  return original.call(this, request, ...rest);
};
