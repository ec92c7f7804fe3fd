import { AaveV3Ethereum } from '@aave-dao/aave-address-book';
import { IRiskSteward_ABI } from '@aave-dao/aave-address-book/abis';
import { describe, expect, it } from 'vitest';
import { AAVE_V3_ETHEREUM_STEWARD } from '../../../shared/config/steward.js';

/** The default steward block's addresses are the address book's (they are written out to keep the Lambda bundles small). */
describe('Aave v3 Ethereum steward addresses', () => {
  it('steward, chain and every reserve token equal @aave-dao/aave-address-book', () => {
    expect(AAVE_V3_ETHEREUM_STEWARD.chainId).toBe(AaveV3Ethereum.CHAIN_ID);
    expect(AAVE_V3_ETHEREUM_STEWARD.address).toBe(AaveV3Ethereum.RISK_STEWARD);
    for (const token of Object.values(AAVE_V3_ETHEREUM_STEWARD.tokens)) {
      const asset = AaveV3Ethereum.ASSETS[token.symbol as keyof typeof AaveV3Ethereum.ASSETS];
      expect(asset, token.symbol).toBeDefined();
      expect(token.address).toBe(asset.UNDERLYING);
      expect(token.decimals).toBe(asset.decimals);
    }
  });

  it("the ABI's updateCollateralSide and updateCaps take the structs the encoder fills", () => {
    const fn = (name: string) => IRiskSteward_ABI.find((f) => f.type === 'function' && f.name === name) as unknown as { inputs: { components: { name: string }[] }[] };
    expect(fn('updateCollateralSide').inputs[0]!.components.map((c) => c.name)).toEqual(['asset', 'ltv', 'liqThreshold', 'liqBonus', 'debtCeiling', 'liqProtocolFee']);
    expect(fn('updateCaps').inputs[0]!.components.map((c) => c.name)).toEqual(['asset', 'supplyCap', 'borrowCap']);
  });
});
