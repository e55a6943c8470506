/** Worker thread of generate.ts: renders the chunks it is sent. */
import { parentPort } from 'node:worker_threads';
import { renderChunk, transferables, type ChunkRequest } from './chunk.js';

parentPort!.on('message', (request: ChunkRequest) => {
  const result = renderChunk(request);
  parentPort!.postMessage(result, transferables(result));
});
