/**
 * Names in Redis. A BullMQ job id may not contain ':' (and is one delivery: message × endpoint), so both
 * ids are percent-encoded, which also encodes the '|' that joins them.
 */
export function deliveryJobId(messageId: string, endpointId: string): string {
  return `${encodeURIComponent(messageId)}|${encodeURIComponent(endpointId)}`;
}

/** The endpoint of a delivery job, read from its id without a round trip. */
export function endpointOfJob(jobId: string): string {
  return decodeURIComponent(jobId.slice(jobId.indexOf('|') + 1));
}

/**
 * The keys hookspec keeps beside BullMQ's, under the queue's own prefix (`<prefix>:<name>:hookspec:`), so
 * a Redis Cluster hash tag in the prefix keeps them in the queue's slot.
 */
export class HookspecKeys {
  /** Deliveries not yet delivered, exhausted or disabled (a counter). */
  readonly pending: string;
  /** Finished messages by the time they finished (a sorted set), for retention. */
  readonly finished: string;
  /** Where producers announce new work to the workers (pub/sub). */
  readonly channel: string;
  /** The history's index of every message (named as history-lua.ts names it). */
  readonly allIndex: string;

  /** `base`: the prefix of every key here; the Lua scripts build the history's index keys from it. */
  constructor(readonly base: string) {
    this.pending = `${base}pending`;
    this.finished = `${base}finished`;
    this.channel = `${base}work`;
    this.allIndex = `${base}ix:all`;
  }

  /** A hash: the message and each delivery's url, status, scheduleBase, nextAttemptAt (layout: message-hash.ts). */
  message(messageId: string): string {
    return `${this.base}m:${encodeURIComponent(messageId)}`;
  }

  /** A list: one delivery's attempt log, one JSON attempt per entry. */
  attempts(jobId: string): string {
    return `${this.base}a:${jobId}`;
  }
}
