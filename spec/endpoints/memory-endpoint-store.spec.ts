import { MemoryEndpointStore } from 'hookspec';
import { describeEndpointStoreContract } from './endpoint-store-contract';

describeEndpointStoreContract('MemoryEndpointStore', () => new MemoryEndpointStore());
