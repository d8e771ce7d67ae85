/**
 * Splits a file's bytes, fed in arbitrary chunks, into complete lines. A partial last line is kept
 * until the next chunk; a line longer than `maxLine` bytes is skipped without being held (a transcript
 * line can be a multi-megabyte tool result, and nothing we need is ever in one).
 */

export const MAX_LINE_BYTES = 1024 * 1024;
const NL = 0x0a;

export class LineSplitter {
  private rest: Buffer[] = [];
  private restBytes = 0;
  /** Inside a line too long to keep (or one we started reading mid-way): drop bytes until a newline. */
  private skipping = false;

  constructor(private readonly maxLine = MAX_LINE_BYTES) {}

  /** Start mid-line (a read from the middle of a file): the bytes before the next newline are dropped. */
  startMidLine(): void {
    this.rest = [];
    this.restBytes = 0;
    this.skipping = true;
  }

  /** The complete lines in `chunk` (with what was kept from before), as strings without the newline. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NL); nl !== -1; nl = chunk.indexOf(NL, start)) {
      if (this.skipping) this.skipping = false;
      else if (this.restBytes + nl - start <= this.maxLine) lines.push(this.take(chunk.subarray(start, nl)));
      this.clear();
      start = nl + 1;
    }
    this.keep(chunk.subarray(start));
    return lines.filter((l) => l.trim() !== '');
  }

  private take(tail: Buffer): string {
    if (this.restBytes === 0) return tail.toString('utf8');
    return Buffer.concat([...this.rest, tail]).toString('utf8');
  }

  private keep(tail: Buffer): void {
    if (this.skipping || tail.length === 0) return;
    if (this.restBytes + tail.length > this.maxLine) {
      this.clear();
      this.skipping = true;
      return;
    }
    // Copy: the caller reuses its read buffer.
    this.rest.push(Buffer.from(tail));
    this.restBytes += tail.length;
  }

  private clear(): void {
    this.rest = [];
    this.restBytes = 0;
  }
}
