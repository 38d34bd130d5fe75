import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Writes text honouring backpressure: when the stream's buffer is full, waits for `drain`, so an
 * export of millions of rows holds only what the destination has not yet taken (constant memory).
 */
export async function writeWithBackpressure(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/** Ends a stream and waits until everything was flushed (or the stream failed). */
export async function endStream(stream: Writable): Promise<void> {
  if (stream === process.stdout || stream === process.stderr) {
    await new Promise<void>((resolve, reject) => stream.write('', (error) => (error ? reject(error) : resolve())));
    return;
  }
  stream.end();
  await once(stream, 'finish');
}
