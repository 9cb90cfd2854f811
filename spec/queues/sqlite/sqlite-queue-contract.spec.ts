import { afterAll } from 'vitest';
import { SqliteQueue } from '../../../lib/queues/sqlite';
import { describeHistoryContract } from '../../delivery/history-contract';
import { describeQueueContract } from '../../delivery/queue-contract';
import { tempDirectory } from './temp-files';

const temp = tempDirectory('contract');
afterAll(() => temp.remove());

describeQueueContract('SqliteQueue', () => new SqliteQueue({ path: temp.file() }));
describeHistoryContract('SqliteQueue', () => new SqliteQueue({ path: temp.file() }));
