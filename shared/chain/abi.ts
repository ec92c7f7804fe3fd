import { IRiskSteward_ABI } from '@aave-dao/aave-address-book/abis';
import { parseAbi } from 'viem';

/**
 * ABIs of the contracts the chain reader calls. The risk steward's comes from @aave-dao/aave-address-book.
 * The address book does not export the pool data provider's or IPool's ABI, so the two functions of each
 * we call are written from Aave's interfaces (aave-dao/aave-v3-origin,
 * src/contracts/interfaces/IPoolDataProvider.sol and src/contracts/interfaces/IPool.sol).
 */
export const RISK_STEWARD_ABI = IRiskSteward_ABI;

export const POOL_DATA_PROVIDER_ABI = parseAbi([
  'function getReserveConfigurationData(address asset) view returns (uint256 decimals, uint256 ltv, uint256 liquidationThreshold, uint256 liquidationBonus, uint256 reserveFactor, bool usageAsCollateralEnabled, bool borrowingEnabled, bool stableBorrowRateEnabled, bool isActive, bool isFrozen)',
  'function getReserveCaps(address asset) view returns (uint256 borrowCap, uint256 supplyCap)',
]);

export const POOL_ABI = parseAbi([
  'function getUserAccountData(address user) view returns (uint256 totalCollateralBase, uint256 totalDebtBase, uint256 availableBorrowsBase, uint256 currentLiquidationThreshold, uint256 ltv, uint256 healthFactor)',
]);
