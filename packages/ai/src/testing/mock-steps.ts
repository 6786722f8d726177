/** Usage the mock reports, in the wire format; `total_tokens` is computed. */
export interface MockUsage {
  prompt_tokens: number;
  completion_tokens: number;
  /** OpenRouter-style cost in USD. */
  cost?: number;
}

/**
 * One scripted answer of the mock server; each request consumes one step.
 *
 * - `text`: a whole answer (sent as one SSE chunk when the request streams);
 * - `stream`: content in chunks (joined when the request does not stream); `finishReason: null`
 *   ends the stream without a finish reason;
 * - `tool_calls`: the assistant calls tools (streamed when `stream` is not false and the
 *   request streams), optionally after some `content` text, in one answer;
 * - `status`: an error status, e.g. 429 with `retryAfter` seconds, or 500;
 * - `hang`: accepts the request and never sends headers, or with `afterChunks` sends headers and
 *   those chunks, then goes silent without closing;
 * - `truncate`: streams `chunks`, then destroys the socket mid-stream;
 * - `malformed_sse`: sends headers and an SSE event whose data is not JSON;
 * - `reject_response_format`: 400 saying `response_format` is unsupported.
 */
export type MockStep =
  | { kind: 'text'; content: string; finishReason?: 'stop' | 'length'; usage?: MockUsage }
  | {
      kind: 'stream';
      chunks: string[];
      delayMs?: number;
      finishReason?: 'stop' | 'length' | 'content_filter' | null;
      usage?: MockUsage;
    }
  | {
      kind: 'tool_calls';
      /** `id` defaults to `call_mock_<index>`. */
      calls: { name: string; arguments: string; id?: string }[];
      stream?: boolean;
      /** Text the assistant writes before its tool calls, in one chunk per element. */
      content?: string[];
      usage?: MockUsage;
    }
  | { kind: 'status'; status: number; retryAfter?: number; message?: string }
  | { kind: 'hang'; afterChunks?: string[] }
  | { kind: 'truncate'; chunks: string[] }
  | { kind: 'malformed_sse' }
  | { kind: 'reject_response_format' };
