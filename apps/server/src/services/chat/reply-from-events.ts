import type { StreamEventRow } from '@stepwise/db';

export type MessagePart =
  | { type: 'text'; text: string }
  | { type: 'tool_call'; id: string; name: string; args: unknown }
  | { type: 'tool_result'; id: string; name: string; result?: unknown; error?: string };

/**
 * A reply's text and parts, rebuilt from its event log up to its end: what is stored is
 * exactly what subscribers were sent, also when the reply was stopped half-way.
 */
export function replyFromEvents(events: StreamEventRow[]): {
  content: string;
  parts: MessagePart[];
} {
  const parts: MessagePart[] = [];
  let content = '';
  for (const event of events) {
    if (event.type === 'end' || event.type === 'error') break;
    const data = event.data as Record<string, unknown>;
    if (event.type === 'delta') {
      const text = String(data.text ?? '');
      content += text;
      const last = parts.at(-1);
      if (last?.type === 'text') last.text += text;
      else parts.push({ type: 'text', text });
    } else if (event.type === 'tool_call') {
      parts.push({
        type: 'tool_call',
        id: String(data.id),
        name: String(data.name),
        args: data.args,
      });
    } else if (event.type === 'tool_result') {
      parts.push({
        type: 'tool_result',
        id: String(data.id),
        name: String(data.name),
        ...(data.error !== undefined ? { error: String(data.error) } : { result: data.result }),
      });
    }
  }
  return { content, parts };
}
