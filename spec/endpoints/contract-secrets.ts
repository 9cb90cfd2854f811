import { describe, expect, it } from 'vitest';
import { MAX_SECRET_GRACE_MS } from '../../lib/endpoints';
import { generateSecret, sign, verifySignature } from '../../lib/signing';
import { expectRefusal, T0, useStore, type MakeEndpointStore } from './contract-harness';

const HOUR = 60 * 60 * 1000;

/** rotateSecret(): the new secret signs at once, the old one keeps signing through its grace, then stops. */
export function describeSecretsContract(makeStore: MakeEndpointStore): void {
  const store = useStore(makeStore);
  const url = 'https://hooks.example.com/in';
  const message = { id: 'msg_1', timestamp: Math.floor(T0 / 1000), body: '{"paid":true}' };

  /** The signature header the client would send now, with every secret the store answers. */
  const signedNow = async (id: string): Promise<string> =>
    sign(message, (await store().endpointById(id))?.secrets as readonly string[]);

  // Rotations are made at times around the real clock, because endpointsFor/endpointById read it: a
  // rotation made two hours ago with one hour of grace is over, without waiting.
  describe('rotateSecret', () => {
    it('makes a new secret current, and the old one keeps signing during the grace', async () => {
      const { secret: old } = await store().create({ id: 'e1', url }, { now: T0 });
      const now = Date.now();
      const rotated = await store().rotateSecret('e1', { now, graceMs: HOUR });
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(old);
      expect(rotated.endpoint).toEqual({ id: 'e1', url, enabled: true, createdAt: T0, updatedAt: now });
      expect((await store().endpointById('e1'))?.secrets).toEqual([rotated.secret, old]);
      expect((await store().endpointsFor('order.paid'))[0]?.secrets).toEqual([rotated.secret, old]);
      // A receiver that still has the old secret, and one that has the new one, both verify.
      const header = await signedNow('e1');
      expect(verifySignature(message, header, old)).toBe(true);
      expect(verifySignature(message, header, rotated.secret)).toBe(true);
    });

    it('stops signing with the old secret once its grace is over', async () => {
      const { secret: old } = await store().create({ id: 'e1', url }, { now: T0 });
      const rotated = await store().rotateSecret('e1', { now: Date.now() - 2 * HOUR, graceMs: HOUR });
      expect((await store().endpointById('e1'))?.secrets).toEqual([rotated.secret]);
      expect((await store().endpointsFor('order.paid'))[0]?.secrets).toEqual([rotated.secret]);
      const header = await signedNow('e1');
      expect(verifySignature(message, header, old)).toBe(false);
      expect(verifySignature(message, header, rotated.secret)).toBe(true);
    });

    it('drops the old secret at once with a grace of 0', async () => {
      await store().create({ id: 'e1', url }, { now: T0 });
      const rotated = await store().rotateSecret('e1', { now: Date.now(), graceMs: 0 });
      expect((await store().endpointById('e1'))?.secrets).toEqual([rotated.secret]);
    });

    it('lets each previous secret keep its own expiry, the latest rotated out first after the current one', async () => {
      const now = Date.now();
      const { secret: s0 } = await store().create({ id: 'e1', url }, { now: T0 });
      // s0 is rotated out with 5 hours of grace (until now + 2 h), s1 with 1 hour (over an hour ago), s2 with 7 days.
      const { secret: s1 } = await store().rotateSecret('e1', { now: now - 3 * HOUR, graceMs: 5 * HOUR });
      const { secret: s2 } = await store().rotateSecret('e1', { now: now - 2 * HOUR, graceMs: HOUR });
      const { secret: s3 } = await store().rotateSecret('e1', { now: now - HOUR, graceMs: 7 * 24 * HOUR });
      expect((await store().endpointById('e1'))?.secrets).toEqual([s3, s2, s0]);
      expect((await store().endpointById('e1'))?.secrets).not.toContain(s1);
      // A rotation made after s0's grace drops it, and keeps s2 (7 days) beside the one rotated out now.
      const { secret: s4 } = await store().rotateSecret('e1', { now: now + 3 * HOUR, graceMs: HOUR });
      expect((await store().endpointById('e1'))?.secrets).toEqual([s4, s3, s2]);
    });

    it('uses a whsec_ secret it is given', async () => {
      await store().create({ id: 'e1', url }, { now: T0 });
      const secret = generateSecret();
      const rotated = await store().rotateSecret('e1', { now: Date.now(), graceMs: 0, secret });
      expect(rotated.secret).toBe(secret);
      expect((await store().endpointById('e1'))?.secrets).toEqual([secret]);
    });

    it('refuses a given secret that cannot sign, or that the endpoint has already, never showing it', async () => {
      const { secret: current } = await store().create({ id: 'e1', url }, { now: T0 });
      const short = `whsec_${Buffer.alloc(10, 3).toString('base64')}`;
      await expectRefusal(
        store().rotateSecret('e1', { now: T0, graceMs: 0, secret: short }),
        'invalid-endpoint',
        /secret is not a usable webhook secret .*decodes to 10 bytes/,
        [short, short.slice(6)],
      );
      await expectRefusal(
        store().rotateSecret('e1', { now: T0, graceMs: 0, secret: current }),
        'invalid-endpoint',
        /secret is already one of this endpoint's secrets/,
        [current.slice(6)],
      );
      expect((await store().endpointById('e1'))?.secrets).toEqual([current]);
    });

    it.each([
      ['a negative grace', -1],
      ['more than 7 days', MAX_SECRET_GRACE_MS + 1],
      ['a fractional grace', 1.5],
      ['no grace', undefined],
    ])('refuses %s with invalid-option', async (_, graceMs) => {
      const { secret } = await store().create({ id: 'e1', url }, { now: T0 });
      await expectRefusal(
        store().rotateSecret('e1', { now: T0, graceMs } as never),
        'invalid-option',
        /graceMs must be a whole number of milliseconds from 0 .* to 604800000 \(7 days\)/,
      );
      expect((await store().endpointById('e1'))?.secrets).toEqual([secret]);
    });

    it('accepts the longest grace', async () => {
      const { secret: old } = await store().create({ id: 'e1', url }, { now: T0 });
      const rotated = await store().rotateSecret('e1', { now: Date.now(), graceMs: MAX_SECRET_GRACE_MS });
      expect((await store().endpointById('e1'))?.secrets).toEqual([rotated.secret, old]);
    });

    it('rejects an unknown id with unknown-endpoint', async () => {
      await expectRefusal(
        store().rotateSecret('nobody', { now: T0, graceMs: 0 }),
        'unknown-endpoint',
        /rotateSecret\('nobody'\): no endpoint has the id 'nobody'/,
      );
    });
  });
}
