import { describe, expect, it } from 'vitest';
import { OutboxRouter } from '../../lib/client/outbox-router';
import type { DeliveryQueue, OutboxQueue } from '../../lib/delivery';

/**
 * An outbox as PostgresQueue keeps one, in memory: a pass claims the messages no other pass holds (as
 * `FOR UPDATE SKIP LOCKED` does), and a pass can be held open at a gate, as a slow routing transaction is.
 */
function heldOutbox() {
  let pending: string[] = [];
  const claimed = new Set<string>();
  const routed: string[] = [];
  let notify: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  let open = () => {};
  let onNextPass: (() => void) | undefined;
  const queue = {
    watch(onWork: () => void) {
      notify = onWork;
      return () => (notify = undefined);
    },
    async routeOutbox() {
      const hook = onNextPass;
      onNextPass = undefined;
      hook?.();
      await Promise.resolve();
      const mine = pending.filter((id) => !claimed.has(id));
      for (const id of mine) claimed.add(id);
      if (mine.length > 0 && gate) await gate;
      pending = pending.filter((id) => !mine.includes(id));
      routed.push(...mine);
      return mine.length;
    },
  } as unknown as DeliveryQueue & OutboxQueue;
  return {
    queue,
    routed,
    commit: (id: string) => pending.push(id),
    notify: () => notify?.(),
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release: () => open(),
    /** Runs `hook` at the start of the next pass, before it claims anything. */
    beforeNextPass: (hook: () => void) => (onNextPass = hook),
  };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('OutboxRouter.flush(), which drain() awaits', () => {
  it('waits for a wake-up pass that started beside it and holds a message it skipped', async () => {
    const outbox = heldOutbox();
    const router = new OutboxRouter(
      outbox.queue,
      async () => [],
      () => {},
      () => {},
    );
    router.start();
    await settled();
    outbox.commit('msg_1');
    outbox.hold();
    // The commit's notification arrives as flush()'s own pass begins: the wake-up's pass claims the message.
    outbox.beforeNextPass(() => outbox.notify());
    let flushed = false;
    const flushing = router.flush().then(() => (flushed = true));
    await settled();
    expect(flushed).toBe(false);
    outbox.release();
    await flushing;
    expect(outbox.routed).toEqual(['msg_1']);
    await router.stop();
  });

  it('routes what was committed before it when no pass is running', async () => {
    const outbox = heldOutbox();
    const router = new OutboxRouter(
      outbox.queue,
      async () => [],
      () => {},
      () => {},
    );
    router.start();
    await settled();
    outbox.commit('msg_1');
    outbox.commit('msg_2');
    await router.flush();
    expect(outbox.routed).toEqual(['msg_1', 'msg_2']);
    await router.stop();
  });
});
