import type { IncomingMessage } from 'node:http';

const maxBodyBytes = 2 * 1024 * 1024;

/** Reads the raw request body: WeCom endpoints take JSON, the people page takes a form; neither needs a parser middleware. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBodyBytes) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
