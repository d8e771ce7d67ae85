/**
 * Paging through records newest first, day by day and segment by segment, with an opaque cursor
 * (day, segment, index) and an optional filter applied while paging, so a filter never loads the
 * whole history and a rare one answers in bounded time (`maxScan`).
 */
import type { SegmentData } from './segments.js';
import type { ListOptions, RecordPage, RequestRecord } from './types.js';

export interface PageSource {
  days(): Promise<string[]>;
  seqsOf(day: string): Promise<number[]>;
  records(day: string, seq: number): Promise<SegmentData> | SegmentData;
}

interface Cursor {
  day: string;
  seq: number;
  index: number;
}

export async function listRecords(
  src: PageSource,
  { cursor, limit, filter, maxScan = Infinity }: ListOptions,
): Promise<RecordPage> {
  const start = cursor ? decodeCursor(cursor) : undefined;
  const out: RequestRecord[] = [];
  let scanned = 0;
  for (const day of (await src.days()).reverse()) {
    if (start && day > start.day) continue;
    for (const seq of (await src.seqsOf(day)).reverse()) {
      if (start && day === start.day && seq > start.seq) continue;
      const records = (await src.records(day, seq)).records;
      let i = start && day === start.day && seq === start.seq ? start.index : records.length - 1;
      for (; i >= 0; i--) {
        if (out.length === limit || scanned === maxScan)
          return { data: out, nextCursor: encodeCursor({ day, seq, index: i }) };
        scanned++;
        if (!filter || filter(records[i]!)) out.push(records[i]!);
      }
    }
  }
  return { data: out };
}

const encodeCursor = (c: Cursor): string => Buffer.from(`${c.day}:${c.seq}:${c.index}`).toString('base64url');

function decodeCursor(s: string): Cursor {
  const [day = '', seq = '', index = ''] = Buffer.from(s, 'base64url').toString().split(':');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !/^\d+$/.test(seq) || !/^\d+$/.test(index)) {
    throw new RangeError('invalid cursor');
  }
  return { day, seq: Number(seq), index: Number(index) };
}
