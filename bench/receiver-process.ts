// The parent's side of bench/receiver.ts: forks it, resets and reads its counters over IPC, and stops it.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { ReceiverMessage, ReceiverReport } from './receiver';

// Compiled to bench/dist/bench/; the receiver sits beside this file.
const RECEIVER_FILE = join(__dirname, 'receiver.js');
/** How long the receiver may take to start or to answer: it answers at once unless something is wrong. */
const ANSWER_TIMEOUT_MS = 10_000;

export class ReceiverProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(): Promise<ReceiverProcess> {
    // No inherited execArgv: under `node --cpu-prof` only the sender is profiled.
    const child = fork(RECEIVER_FILE, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    try {
      const listening = await reply(child, 'listening');
      return new ReceiverProcess(child, `http://127.0.0.1:${listening.port}/webhook`);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** The child's process id, for cleaning up after a crash. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  async reset(): Promise<void> {
    const answer = reply(this.child, 'reset');
    this.child.send({ type: 'reset' });
    await answer;
  }

  async report(): Promise<ReceiverReport> {
    const answer = reply(this.child, 'report');
    this.child.send({ type: 'report' });
    return answer;
  }

  /** Closing the IPC channel makes the child close its server and exit; a kill is the fallback. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2_000);
    await exited;
    clearTimeout(timer);
  }

  /** For an exit handler, where nothing can be awaited. */
  killNow(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** The child's next message of one type; rejects if it exits first or does not answer in time. */
function reply<T extends ReceiverMessage['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<ReceiverMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ReceiverMessage): void => {
      if (message.type !== type) return;
      cleanup();
      resolve(message as Extract<ReceiverMessage, { type: T }>);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`the receiver exited (code ${code}) before answering '${type}'`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`the receiver did not answer '${type}' within ${ANSWER_TIMEOUT_MS / 1000} s`));
    }, ANSWER_TIMEOUT_MS);
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/**
 * What a round left on the receiving side must be: exactly `events` well-formed requests with distinct
 * ids and the expected body bytes, and a first request whose signature verifies (standardwebhooks, the
 * reference library). A side that lost or duplicated a message fails the run.
 */
export function checkDeliveries(
  report: ReceiverReport,
  expected: { readonly side: string; readonly events: number; readonly bodyBytes: number; readonly secret: string },
): void {
  const problems = [
    report.requests !== expected.events && `${report.requests} requests arrived`,
    report.distinctIds !== expected.events && `${report.distinctIds} distinct webhook-ids`,
    report.malformed !== 0 && `${report.malformed} malformed requests`,
    report.bodyBytes !== expected.bodyBytes && `${report.bodyBytes} body bytes instead of ${expected.bodyBytes}`,
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new Error(`${expected.side}: expected ${expected.events} deliveries; ${problems.join(', ')}`);
  }
  if (!report.sample) throw new Error(`${expected.side}: the receiver kept no sample request`);
  new StandardWebhook(expected.secret).verify(report.sample.body, report.sample.headers);
}
