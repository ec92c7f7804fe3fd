import * as z from 'zod';

/**
 * issue 16 (3): where a lending profile's bounded steps go on chain. The Aave risk steward (aave-dao/aave-v3-risk-stewards,
 * RiskSteward.sol) takes `updateCollateralSide` and `updateCaps` from its risk council (a Safe); this block names the
 * contract, the Safe, the protocol's token for each of our symbols, the steward's own risk config (what
 * `getRiskConfig()` returns) and how long a governance vote takes. A lending profile without it gets no payload.
 */

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'an address is 0x and 40 hex digits');

/** One `RiskParamConfig` of the steward: minimum days between two updates and the largest change per update. */
export const stewardParamConfigSchema = z
  .object({
    minDelayDays: z.number().min(0),
    /** In bps: absolute (LTV, LT, bonus: 50 = ±0.5 pp) or relative to the current value (caps: 10,000 = ±100 %), as the contract. */
    maxPercentChange: z.number().int().min(0),
  })
  .strict();
export type StewardParamConfig = z.infer<typeof stewardParamConfigSchema>;

export const stewardTokenSchema = z.object({ symbol: z.string().min(1), address, decimals: z.number().int().min(0).max(36) }).strict();
export type StewardToken = z.infer<typeof stewardTokenSchema>;

export const stewardSchema = z
  .object({
    chainId: z.number().int().positive(),
    /** The RiskSteward contract the calls are sent to. */
    address,
    /** The Safe holding the steward's risk-council role, named in the batch's meta; null when not known. */
    safeAddress: address.nullable(),
    /** Our asset symbol -> the protocol's reserve token (BTC -> WBTC, ETH -> WETH). An asset absent here gets no call. */
    tokens: z.record(z.string(), stewardTokenSchema),
    /** The steward's bounds (RiskSteward.getRiskConfig().collateralConfig / capConfig). */
    riskConfig: z
      .object({
        ltv: stewardParamConfigSchema,
        liquidationThreshold: stewardParamConfigSchema,
        liquidationBonus: stewardParamConfigSchema,
        supplyCap: stewardParamConfigSchema,
        borrowCap: stewardParamConfigSchema,
      })
      .strict(),
    /** End-to-end days of a governance vote: a steward path slower than this is said to need a vote to arrive in time. */
    governanceVoteDays: z.number().positive(),
  })
  .strict();
export type StewardConfig = z.infer<typeof stewardSchema>;

/**
 * Aave v3 Ethereum's risk steward: address and reserve tokens as @aave-dao/aave-address-book 4.68.1 gives them
 * (AaveV3Ethereum.RISK_STEWARD, ASSETS.<symbol>.UNDERLYING and decimals; written out here because importing the book's
 * market object adds 48 KB to every Lambda bundle, and test/unit/config/steward-addresses.test.ts checks each against
 * the book); bounds as deployed (aave-v3-risk-stewards scripts/deploy/DeployStewards.s.sol: LTV, LT and bonus 50 bps
 * absolute, caps 100 % relative, every parameter 3 days apart); the vote is Aave Governance v3 level 1 (1 day
 * cooling-off, 3 days voting, 1 day execution delay: 5 days). SOL and DOGE are not listed there. The risk council's
 * Safe is not in the address book.
 */
export const AAVE_V3_ETHEREUM_STEWARD: StewardConfig = {
  chainId: 1,
  address: '0x13a9CC64344b02bACC5AD9Cf38B5711F1B9ec3d4',
  safeAddress: null,
  tokens: {
    BTC: { symbol: 'WBTC', address: '0x2260FAC5E5542a773Aa44fBCfeDf7C193bc2C599', decimals: 8 },
    ETH: { symbol: 'WETH', address: '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2', decimals: 18 },
    LINK: { symbol: 'LINK', address: '0x514910771AF9Ca656af840dff83E8264EcF986CA', decimals: 18 },
    AAVE: { symbol: 'AAVE', address: '0x7Fc66500c84A76Ad7e9c93437bFc5Ac33E2DDaE9', decimals: 18 },
    UNI: { symbol: 'UNI', address: '0x1f9840a85d5aF5bf1D1762F925BDADdC4201F984', decimals: 18 },
    CRV: { symbol: 'CRV', address: '0xD533a949740bb3306d119CC777fa900bA034cd52', decimals: 18 },
  },
  riskConfig: {
    ltv: { minDelayDays: 3, maxPercentChange: 50 },
    liquidationThreshold: { minDelayDays: 3, maxPercentChange: 50 },
    liquidationBonus: { minDelayDays: 3, maxPercentChange: 50 },
    supplyCap: { minDelayDays: 3, maxPercentChange: 10_000 },
    borrowCap: { minDelayDays: 3, maxPercentChange: 10_000 },
  },
  governanceVoteDays: 5,
};
