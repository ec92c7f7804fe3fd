import type { AssetConfig, CandleInterval, VenueId } from '../config/schema.js';

/** One OHLCV bar. `openTimeMs` is the bar's open time (UTC epoch ms); volume is in base-asset units. */
export interface Candle {
  openTimeMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** One price level: price in the venue's quote currency, quantity in base-asset units. */
export interface BookLevel {
  price: number;
  quantity: number;
}

export interface OrderBook {
  asset: string;
  venue: VenueId;
  pair: string;
  fetchedAtMs: number;
  /** Best bid first (descending price). */
  bids: BookLevel[];
  /** Best ask first (ascending price). */
  asks: BookLevel[];
}

export interface CandleRequest {
  asset: AssetConfig;
  venue: VenueId;
  interval: CandleInterval;
  /** Inclusive start and exclusive end of bar open times, epoch ms. */
  startMs: number;
  endMs: number;
}

export interface OrderBookRequest {
  asset: AssetConfig;
  venue: VenueId;
  /** Point in time of the snapshot; live sources ignore it and return the current book. */
  atMs: number;
}

export type MarketSourceKind = 'sim' | 'live' | 'replay';

/** Where market data comes from: the simulator, live venues or recorded files. */
export interface MarketSource {
  readonly kind: MarketSourceKind;
  /** True when the data is not the real market: every output must then say SIMULATED. */
  readonly simulated: boolean;
  /** True for recorded history (replay): real data, but not today's market; outputs say HISTORICAL. */
  readonly historical?: boolean;
  getCandles(request: CandleRequest): Promise<Candle[]>;
  getOrderBook(request: OrderBookRequest): Promise<OrderBook>;
}
