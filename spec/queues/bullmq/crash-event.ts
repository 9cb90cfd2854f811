import { IsInt, IsString, Min } from 'class-validator';
import { Webhook } from '../../../lib';

/** The event the BullMQ process tests send: the producer (the spec) and the worker children share it. */
@Webhook('crash.test')
export class CrashEvent {
  @IsInt() @Min(0) n!: number;
  @IsString() note!: string;
}

export function crashEvent(n: number): CrashEvent {
  return Object.assign(new CrashEvent(), { n, note: `event ${n}` });
}
