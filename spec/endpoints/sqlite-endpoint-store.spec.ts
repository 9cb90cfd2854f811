import { afterAll } from 'vitest';
import { SqliteEndpointStore } from '../../lib/queues/sqlite';
import { tempDirectory } from '../queues/sqlite/temp-files';
import { describeEndpointStoreContract } from './endpoint-store-contract';

const temp = tempDirectory('endpoints');
afterAll(() => temp.remove());

describeEndpointStoreContract('SqliteEndpointStore', () => new SqliteEndpointStore({ path: temp.file() }));
