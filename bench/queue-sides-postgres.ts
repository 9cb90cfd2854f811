// The sides of bench/queues-postgres.ts: WebhookClient on PostgresQueue, and pg-boss 12 as a user would
// write the same deliveries by hand. Each round gets a database of its own, created (and its schema
// migrated) before the clock starts and dropped after it stops.
import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { performance } from 'node:perf_hooks';
import axios from 'axios';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { PostgresQueue } from '../lib/queues/postgres';
import { VERSION } from '../lib/version';
import {
  CLOSE_TIMEOUT_MS,
  CONCURRENCY,
  clientRound,
  inParallel,
  memorySide,
  PRODUCERS,
  startClock,
  within,
} from './queue-sides';
import type { Round, RoundContext } from './queue-sides';
import type { PostgresProcess } from './postgres-process';

/** Connections each side's pool may open: PostgresQueue's default, and pg-boss's (`max`). */
export const POOL_SIZE = 10;
const PGBOSS_QUEUE = 'bench-pgboss';

export type PostgresSideName = 'memory' | 'postgres' | 'pgboss' | 'pgboss-notify';

export interface PostgresRoundContext extends RoundContext {
  readonly postgres: PostgresProcess;
  /** The round's database, created for it: every side starts from empty tables. */
  readonly connectionString: string;
  /** The bytes hookspec sends for each event, for the hand-written side to send the same. */
  readonly bodies: readonly string[];
}

export interface PostgresSide {
  readonly name: PostgresSideName;
  readonly label: string;
  /** Whether the round needs a database (and counts the server's CPU time). */
  readonly needsDatabase: boolean;
  run(context: PostgresRoundContext): Promise<Round>;
}

const memory: PostgresSide = {
  name: 'memory',
  label: memorySide.label,
  needsDatabase: false,
  run: (context) => memorySide.run(context),
};

const postgres: PostgresSide = {
  name: 'postgres',
  label: 'WebhookClient + `PostgresQueue`',
  needsDatabase: true,
  async run(context) {
    const queue = new PostgresQueue({ connectionString: context.connectionString, poolSize: POOL_SIZE });
    try {
      // Creates the schema before the clock starts, as pg-boss's start() does on its side.
      await queue.countPending();
    } catch (error) {
      await queue.close();
      throw error;
    }
    return clientRound('postgres', queue, context);
  },
};

interface PgBossJob {
  /** The webhook-id, made by the producer: the same on every retry, as Standard Webhooks wants. */
  readonly id: string;
  readonly body: string;
}

/**
 * What a user would write with pg-boss 12 instead: `send()` of each event's body and id, one job per
 * delivery, and one `work()` fetching batches of CONCURRENCY jobs whose handler signs each with the
 * `standardwebhooks` package and POSTs it with axios on a keep-alive agent, all the batch's POSTs at once;
 * a failed POST fails the round. The worker fetches again at once while batches come back full, and
 * otherwise polls every 0.5 s (pg-boss's shortest) or, with `notify`, is woken by LISTEN/NOTIFY (pg-boss's
 * opt-in: each send then NOTIFYs in its transaction).
 */
function pgBossSide(notify: boolean): PostgresSide {
  return {
    name: notify ? 'pgboss-notify' : 'pgboss',
    label: `pg-boss 12 \`send\` + \`work\` (batch${notify ? ', notify' : ''}) + standardwebhooks + axios`,
    needsDatabase: true,
    async run(context) {
      const { PgBoss } = await import('pg-boss');
      const { bodies } = context;
      const total = bodies.length;
      const signer = new StandardWebhook(context.secret);
      const agent = new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY });
      const http = axios.create({ httpAgent: agent, maxRedirects: 0, proxy: false });
      const boss = new PgBoss({
        connectionString: context.connectionString,
        max: POOL_SIZE,
        useListenNotify: notify,
        // Neither cron nor maintenance runs during a round of seconds.
        schedule: false,
        supervise: false,
      });
      const failures: string[] = [];
      boss.on('error', (error) => failures.push(`pg-boss: ${error.message}`));
      await boss.start();
      try {
        await boss.createQueue(PGBOSS_QUEUE, { notify, retryLimit: 0 });
        let handled = 0;
        let allHandled: () => void = () => {};
        const handledPromise = new Promise<void>((resolve) => (allHandled = resolve));
        const post = async (job: { data: PgBossJob }): Promise<void> => {
          const { id, body } = job.data;
          const signature = signer.sign(id, new Date(), body);
          const response = await http.post(context.receiverUrl, body, {
            headers: {
              'content-type': 'application/json',
              'user-agent': `hookspec/${VERSION}`,
              'webhook-id': id,
              'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
              'webhook-signature': signature,
            },
            transformRequest: [(data: string) => data],
          });
          if (response.status !== 204) throw new Error(`HTTP ${response.status}`);
        };
        await boss.work<PgBossJob>(
          PGBOSS_QUEUE,
          { batchSize: CONCURRENCY, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 },
          async (jobs) => {
            try {
              await Promise.all(jobs.map(post));
            } catch (error) {
              failures.push((error as Error).message);
              throw error;
            }
            handled += jobs.length;
            if (handled >= total) allHandled();
          },
        );
        const stop = startClock(context.server);
        const start = performance.now();
        let acceptedMs = 0;
        const work = async (): Promise<void> => {
          await inParallel(bodies, PRODUCERS, (body) =>
            boss.send(PGBOSS_QUEUE, { id: `msg_${randomUUID()}`, body } satisfies PgBossJob),
          );
          acceptedMs = performance.now() - start;
          await handledPromise;
          // The last batch's completion is committed when its worker stops waiting for it.
          await boss.offWork(PGBOSS_QUEUE, { wait: true });
        };
        await within(
          work(),
          context.deadlineMs,
          () =>
            `${notify ? 'pgboss-notify' : 'pgboss'}, ${context.round}: not done within the ${context.deadlineMs / 1000} s deadline; ` +
            `${handled} of ${total} delivered (${failures.slice(0, 3).join('; ')}).`,
        );
        const round = stop();
        if (failures.length > 0)
          throw new Error(`pgboss: ${failures.length} failed (${failures.slice(0, 3).join('; ')})`);
        return { ...round, acceptedMs };
      } finally {
        await within(
          boss.stop({ graceful: false, close: true }),
          CLOSE_TIMEOUT_MS,
          () => 'pgboss: stop() did not finish',
        );
        agent.destroy();
      }
    },
  };
}

export const POSTGRES_SIDES: readonly PostgresSide[] = [memory, postgres, pgBossSide(false), pgBossSide(true)];
