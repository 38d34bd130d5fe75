import { once } from 'node:events';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Writable } from 'node:stream';

/** Where long output goes, a chunk of text at a time. */
export interface TextSink {
  write(text: string): Promise<void>;
  /** Flushes and closes (standard output is flushed, not closed). */
  end(): Promise<void>;
}

/**
 * A file written with blocking writes: each write returns once the kernel has the bytes, so
 * nothing piles up in memory however fast rows arrive (backpressure by construction), and no
 * chunk outlives its write.
 */
export function fileSink(path: string): TextSink {
  const fd = openSync(path, 'w');
  return {
    async write(text) {
      const bytes = Buffer.from(text, 'utf8');
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
    },
    async end() {
      closeSync(fd);
    },
  };
}

/** A stream (standard output): when its buffer is full, waits for `drain` before taking more. */
export function streamSink(stream: Writable): TextSink {
  return {
    async write(text) {
      if (!stream.write(text)) await once(stream, 'drain');
    },
    async end() {
      if (stream === process.stdout || stream === process.stderr) {
        await new Promise<void>((resolve, reject) => stream.write('', (error) => (error ? reject(error) : resolve())));
        return;
      }
      stream.end();
      await once(stream, 'finish');
    },
  };
}
