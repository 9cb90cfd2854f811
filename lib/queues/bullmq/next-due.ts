import { dueFromDelayedScore } from './bullmq-internals';
import { endpointOfJob } from './redis-keys';

/** The peek script's reply: pending count, whether it saw everything, then waiting, delayed, active. */
export type PeekReply = [number, number, string[], string[], string[], number[]];

/**
 * When the next delivery for an endpoint with room becomes due, from the peek script's reply: now if one
 * is waiting, else the earliest delayed one's due time, or the end of an active lease if that comes
 * first. Capped at now + pollMs; undefined when nothing pending could be leased by this worker.
 */
export function nextDueFrom(
  reply: PeekReply | [number],
  hasRoom: (endpointId: string) => boolean,
  now: number,
  pollMs: number,
): number | undefined {
  if (Number(reply[0]) <= 0) return undefined;
  const [, more, waiting, delayed, active, ttls] = reply as PeekReply;
  const roomFor = (jobId: string): boolean => hasRoom(endpointOfJob(jobId));
  let next: number | undefined;
  if (waiting.some(roomFor)) next = now;
  for (let i = 0; next === undefined && i < delayed.length; i += 2) {
    if (roomFor(delayed[i] as string)) next = dueFromDelayedScore(delayed[i + 1] as string);
  }
  for (const [i, jobId] of active.entries()) {
    const ttl = Number(ttls[i]);
    if (ttl > 0 && roomFor(jobId)) next = Math.min(next ?? Number.POSITIVE_INFINITY, now + ttl);
  }
  // Nothing seen has room, but the peek did not see everything: look again later.
  if (next === undefined) return Number(more) ? now + pollMs : undefined;
  return Math.min(next, now + pollMs);
}
