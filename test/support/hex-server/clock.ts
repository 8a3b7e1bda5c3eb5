// The server's controllable clock: real time plus an offset that tests move forward.

export class Clock {
  private offset = 0;

  now(): number {
    return Date.now() + this.offset;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError("advanceClock takes a non-negative number of milliseconds");
    this.offset += ms;
  }
}

/** ISO-8601 UTC with microseconds, as hex.pm renders `utc_datetime_usec` fields. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
