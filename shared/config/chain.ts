import { AaveV3Ethereum } from '@aave-dao/aave-address-book';
import * as z from 'zod';

/**
 * issue 16, part 2: where a lending profile's live parameters are on chain. The reader (shared/chain/read.ts)
 * calls the pool data provider and the risk steward through Multicall3, once per cycle, when
 * ADVISOR_RPC_URL is set; without it, or when the read fails, the profile's `current` values are used.
 */

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'an address is 0x and 40 hex digits');

export const lendingChainSchema = z
  .object({
    chainId: z.number().int().positive(),
    /** The Aave pool (getUserAccountData of the positions read, part 4). */
    pool: address,
    /** AaveProtocolDataProvider: getReserveConfigurationData, getReserveCaps. */
    poolDataProvider: address,
    /** The Aave risk steward: getRiskConfig, getTimelock. */
    riskSteward: address,
    /** Multicall3 (the same address on every EVM chain). */
    multicall3: address,
    /** The reserve (underlying token) of each advisor asset on this market. */
    assets: z.record(z.string(), address),
    /** Whole read (one HTTP request) timeout. */
    timeoutMs: z.number().int().positive().default(5_000),
  })
  .strict();
export type LendingChain = z.infer<typeof lendingChainSchema>;

/** mds1's Multicall3, deployed at this address on Ethereum and most EVM chains (https://www.multicall3.com). */
export const MULTICALL3_ADDRESS = '0xcA11bde05977b3631167028862bE2a173976CA11';

/** Aave v3 Ethereum (core market), from @aave-dao/aave-address-book rather than hand-copied. */
export const AAVE_V3_ETHEREUM_CHAIN: z.input<typeof lendingChainSchema> = {
  chainId: AaveV3Ethereum.CHAIN_ID,
  pool: AaveV3Ethereum.POOL,
  poolDataProvider: AaveV3Ethereum.AAVE_PROTOCOL_DATA_PROVIDER,
  riskSteward: AaveV3Ethereum.RISK_STEWARD,
  multicall3: MULTICALL3_ADDRESS,
  assets: {
    ETH: AaveV3Ethereum.ASSETS.WETH.UNDERLYING,
    BTC: AaveV3Ethereum.ASSETS.WBTC.UNDERLYING,
    LINK: AaveV3Ethereum.ASSETS.LINK.UNDERLYING,
    AAVE: AaveV3Ethereum.ASSETS.AAVE.UNDERLYING,
    UNI: AaveV3Ethereum.ASSETS.UNI.UNDERLYING,
    CRV: AaveV3Ethereum.ASSETS.CRV.UNDERLYING,
  },
  timeoutMs: 5_000,
};
