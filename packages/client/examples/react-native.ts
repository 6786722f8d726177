// stepwise.ts in a React Native (or Expo) app. Import it before anything else that uses the
// client, e.g. first thing in the app's entry file: the polyfills must run first.
//
//   npm install @stepwise/client rn-eventsource-reborn web-streams-polyfill \
//     @azure/core-asynciterator-polyfill
import '@azure/core-asynciterator-polyfill'; // Symbol.asyncIterator, for tRPC's SSE link
import { createStepwiseClient, type RouterOutputs } from '@stepwise/client';
import { RNEventSource } from 'rn-eventsource-reborn'; // a named export, not the default
import { ReadableStream, TransformStream } from 'web-streams-polyfill';

globalThis.ReadableStream = globalThis.ReadableStream || ReadableStream;
globalThis.TransformStream = globalThis.TransformStream || TransformStream;

/** Where the app keeps the session token. `expo-secure-store` has exactly these functions. */
export interface TokenStore {
  getItemAsync(key: string): Promise<string | null>;
  setItemAsync(key: string, value: string): Promise<void>;
  deleteItemAsync(key: string): Promise<void>;
}

const TOKEN_KEY = 'stepwise-token';

/**
 * The client with the token kept in `store`, plus sign-in and sign-out that keep it there.
 *
 * @example
 * import * as SecureStore from 'expo-secure-store';
 * // Your machine on the LAN; start the API with HOST=0.0.0.0.
 * export const stepwise = createMobileClient('http://192.168.1.20:3000', SecureStore);
 */
export function createMobileClient(url: string, store: TokenStore) {
  const client = createStepwiseClient({
    url,
    getToken: () => store.getItemAsync(TOKEN_KEY),
    // rn-eventsource-reborn streams over React Native's own networking, and reconnects after
    // the app was in the background (XMLHttpRequest-based polyfills do not).
    EventSource: RNEventSource,
  });
  return {
    client,
    async signIn(email: string, password: string): Promise<RouterOutputs['auth']['me']> {
      const { token, user } = await client.auth.signIn.mutate({ email, password });
      await store.setItemAsync(TOKEN_KEY, token);
      return user;
    },
    async signOut(): Promise<void> {
      await client.auth.signOut.mutate();
      await store.deleteItemAsync(TOKEN_KEY);
    },
  };
}
