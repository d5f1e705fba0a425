import type { ByteStream } from "./types.ts";

/** Adapts a web ReadableStream (Bun's and Deno's child pipes) to `ByteStream`. */
export function webReadableToByteStream(stream: ReadableStream<Uint8Array>): ByteStream {
  const reader = stream.getReader();
  return {
    read: async () => {
      const { done, value } = await reader.read();
      return done ? null : value;
    },
    close: () => {
      reader.cancel().catch(() => {});
    },
  };
}
