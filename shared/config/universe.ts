import type { VenueId } from './schema.js';

/** The default asset universe and each venue's pair name (shared by the defaults and the calibration script). */
export const UNIVERSE: readonly { symbol: string; name: string; venuePairs: Partial<Record<VenueId, string>> }[] = [
  { symbol: 'BTC', name: 'Bitcoin', venuePairs: { binance: 'BTCUSDT', coinbase: 'BTC-USD', kraken: 'XBTUSD' } },
  { symbol: 'ETH', name: 'Ether', venuePairs: { binance: 'ETHUSDT', coinbase: 'ETH-USD', kraken: 'ETHUSD' } },
  { symbol: 'SOL', name: 'Solana', venuePairs: { binance: 'SOLUSDT', coinbase: 'SOL-USD', kraken: 'SOLUSD' } },
  { symbol: 'LINK', name: 'Chainlink', venuePairs: { binance: 'LINKUSDT', coinbase: 'LINK-USD', kraken: 'LINKUSD' } },
  { symbol: 'UNI', name: 'Uniswap', venuePairs: { binance: 'UNIUSDT', coinbase: 'UNI-USD', kraken: 'UNIUSD' } },
  { symbol: 'AAVE', name: 'Aave', venuePairs: { binance: 'AAVEUSDT', coinbase: 'AAVE-USD', kraken: 'AAVEUSD' } },
  // Kraken lists Dogecoin as XDG.
  { symbol: 'DOGE', name: 'Dogecoin', venuePairs: { binance: 'DOGEUSDT', coinbase: 'DOGE-USD', kraken: 'XDGUSD' } },
  { symbol: 'CRV', name: 'Curve DAO', venuePairs: { binance: 'CRVUSDT', coinbase: 'CRV-USD', kraken: 'CRVUSD' } },
];
