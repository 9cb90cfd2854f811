import { DeliveryQueueError } from '../../errors';

/** The two optional peers, loaded together: BullMQ needs ioredis, and the queue uses both. */
export interface BullMqModules {
  readonly bullmq: typeof import('bullmq');
  readonly ioredis: typeof import('ioredis');
}

const INSTALL = 'npm install bullmq@6 ioredis@5';

/**
 * Loads bullmq and ioredis when a BullMqQueue is made, never when hookspec is imported: they are
 * optional peer dependencies, and an application on another queue must not need them. `load` is
 * require() but for tests, which cannot uninstall a package to see the error.
 */
export function loadBullMq(load: (name: string) => unknown = requirePeer): BullMqModules {
  const missing: string[] = [];
  let failure: unknown;
  const tryLoad = <T>(name: string): T | undefined => {
    try {
      return load(name) as T;
    } catch (error) {
      failure ??= error;
      const notFound =
        (error as NodeJS.ErrnoException | undefined)?.code === 'MODULE_NOT_FOUND' &&
        String((error as Error).message).includes(`'${name}'`);
      missing.push(notFound ? name : `${name} (installed, but it failed to load: ${(error as Error).message})`);
      return undefined;
    }
  };
  const bullmq = tryLoad<typeof import('bullmq')>('bullmq');
  const ioredis = tryLoad<typeof import('ioredis')>('ioredis');
  if (bullmq && ioredis) return { bullmq, ioredis };
  throw new DeliveryQueueError(
    'missing-dependency',
    `BullMqQueue needs the packages bullmq and ioredis; missing: ${missing.join(', ')}. ` +
      `Install them with \`${INSTALL}\`.`,
    { cause: failure },
  );
}

function requirePeer(name: string): unknown {
  // require(), not import: loaded only when a BullMqQueue is made, and optional.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(name);
}
