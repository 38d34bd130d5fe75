import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import { createLogger } from '../../src/lib/log.ts';

function capture(): { stream: Writable; lines: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, lines: () => chunks.join('') };
}

it('never writes a secret, whether in the message, a field or an error stack', () => {
  const out = capture();
  const logger = createLogger({ secrets: ['CG-supersecret-key'], destination: out.stream });
  logger.info('calling with key CG-supersecret-key');
  logger.warn({ url: 'https://x/?k=CG-supersecret-key', nested: { deep: ['CG-supersecret-key'] } }, 'retry');
  logger.error({ err: new Error('401 for key CG-supersecret-key') }, 'failed');
  logger.info({ apiKey: 'anything-else', headers: { 'x-cg-pro-api-key': 'other-key' } }, 'named fields');
  const text = out.lines();
  assert.ok(!text.includes('CG-supersecret-key'), text);
  assert.ok(!text.includes('anything-else'));
  assert.ok(!text.includes('other-key'));
  assert.match(text, /"msg":"calling with key \[redacted\]"/);
  assert.match(text, /"err":\{"type":"Error","message":"401 for key \[redacted\]","stack":"Error: 401 for key \[redacted\]\\n/);
  assert.equal(text.trim().split('\n').length, 4);
});
