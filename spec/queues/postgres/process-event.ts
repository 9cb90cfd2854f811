import { IsInt, IsString } from 'class-validator';
import { Webhook } from '../../../lib';

/** The event the process tests send: one class for the test (the producer) and the worker children. */
@Webhook('process.work')
export class ProcessEvent {
  @IsString() label!: string;
  @IsInt() n!: number;
}
