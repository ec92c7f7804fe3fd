import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Where the real market data lives and which of its files the real-data tests read. The list is JSON so
 * that `.ci/run` can check it with plain node before `npm ci`. No gate here: the loopback venue servers
 * read recorded payloads from it when present, in tests that do not need it.
 */
interface RealDataList {
  dir: string;
  files: string[];
}
const LIST = JSON.parse(readFileSync(resolve(import.meta.dirname, 'real-data-files.json'), 'utf8')) as RealDataList;

/** `../shared/data` as written in the docs (relative to the repository root). */
export const REAL_DATA_DIR_AS_DOCUMENTED = LIST.dir;
export const REAL_DATA_DIR = resolve(import.meta.dirname, '../..', LIST.dir);
export const REAL_DATA_FILES: readonly string[] = LIST.files;

/** The files of `files` that are not under `dir`, in list order. */
export function missingRealData(dir: string, files: readonly string[]): string[] {
  return files.filter((file) => !existsSync(resolve(dir, file)));
}
