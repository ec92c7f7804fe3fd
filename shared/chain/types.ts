import type { ChainReserve } from '../model/chain.js';

export type ChainReserveCore = Omit<ChainReserve, 'lastUpdatedMs'>;
export type ChainLastUpdatedSchemaOut = NonNullable<ChainReserve['lastUpdatedMs']>;
