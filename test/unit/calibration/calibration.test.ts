import { describe, expect, it } from 'vitest';
import { bookSides, bookTarget, classifyBook, parseBookFileName } from '../../../shared/calibration/books.js';
import { pct, signedPct, textTable, usd } from '../../../shared/calibration/format.js';
import { hourlyHistory } from '../../../shared/calibration/history.js';
import { excessKurtosis, median } from '../../../shared/calibration/moments.js';
import { tailDofFromHourlyKurtosis } from '../../../shared/calibration/returns.js';
import { table } from '../../../shared/governance/markdown.js';

const KNOWN = new Set(['BTC', 'ETH', 'UNI', 'CRV']);

describe('calibration: order-book files', () => {
  it('reads the snapshot time and pair off the file name', () => {
    expect(parseBookFileName('bitstamp_btcusd_20210417T164136Z.json')).toEqual({
      exchange: 'bitstamp',
      pair: 'btcusd',
      recordedMs: Date.UTC(2021, 3, 17, 16, 41, 36),
    });
    expect(parseBookFileName('README.md')).toBeNull();
  });

  it('keeps USD/USDT spot books and coin-margined perps of known assets, drops the rest', () => {
    expect(classifyBook('binanceus', 'CRVUSDT', KNOWN)).toEqual({ asset: 'CRV', kind: 'spot' });
    expect(classifyBook('okx', 'UNI-USD-SWAP', KNOWN)).toEqual({ asset: 'UNI', kind: 'perp', contractUsd: 10 });
    expect(classifyBook('binance-coinm', 'BTCUSD-PERP', KNOWN)).toEqual({ asset: 'BTC', kind: 'perp', contractUsd: 100 });
    expect(classifyBook('binance', 'AAVEUPUSDT', KNOWN)).toBeNull();
    expect(classifyBook('binanceus', 'ETHBUSD', KNOWN)).toBeNull();
    expect(classifyBook('okx', 'BTC-USD-220527', KNOWN)).toBeNull();
    expect(bookTarget('bitstamp_linkbtc_20210417T164137Z.json', KNOWN)).toBeNull();
  });

  it('turns contracts into base quantity at the level price; a payload that is not a book is null', () => {
    const book = bookSides({ bids: [['10', '3']], asks: [['11', '1']] }, 'test', 10);
    expect(book?.bids).toEqual([{ price: 10, quantity: 3 }]);
    expect(book?.asks[0]!.quantity).toBeCloseTo(10 / 11, 12);
    expect(bookSides({ something: 'else' }, 'test')).toBeNull();
    expect(bookSides({ bids: [], asks: [['11', '1']] }, 'test')).toBeNull();
  });
});

describe('calibration: candles and statistics', () => {
  it('drops bad-print bars and reports what q99.9 they would have given', () => {
    const hour = 3_600_000;
    const rows = Array.from({ length: 10 }, (_, i) => `${i * hour},100,101,99,100,5`);
    rows[4] = `${4 * hour},100,101,0.0001,100,5`;
    const history = hourlyHistory('X-USDT-1h.csv', ['ts,open,high,low,close,volume', ...rows].join('\n'));
    expect(history.droppedBadPrints.map((b) => b.openTimeMs)).toEqual([4 * hour]);
    expect(history.segments).toHaveLength(2);
    expect(history.q999WithBadPrints).not.toBeNull();
  });

  it('median, kurtosis and the tail degrees of freedom of the 5-minute innovations', () => {
    expect(median([3, 1, 2, 10])).toBe(2.5);
    expect(excessKurtosis([1, -1, 1, -1])).toBe(-2);
    expect(tailDofFromHourlyKurtosis(0.5)).toBe(5);
    expect(tailDofFromHourlyKurtosis(-1)).toBe(30);
    expect(tailDofFromHourlyKurtosis(1e6)).toBeCloseTo(4, 5);
  });
});

describe('calibration: report formatting', () => {
  it('formats compactly and right-aligns figures', () => {
    expect([pct(0.1534), signedPct(-0.012), usd(29_400_000), usd(9_600_000), usd(517_000)]).toEqual(['15.3%', '-1.2%', '$29M', '$9.6M', '$517k']);
    expect(textTable(['asset', 'q'], [['BTC', '7.3%']])).toBe('asset     q\n-----  ----\nBTC    7.3%');
    expect(table(['asset', 'q'], [['BTC', '7.3%']], ['left', 'right'])).toBe('| asset | q |\n| --- | ---: |\n| BTC | 7.3% |');
  });
});
