const THINK_BLOCK = /<(think|thinking|reasoning)>[\s\S]*?<\/\1>/gi;
const UNCLOSED_THINK = /<(think|thinking|reasoning)>[\s\S]*$/i;
const ORPHAN_THINK_END = /^[\s\S]*?<\/(think|thinking|reasoning)>/i;

/**
 * Removes reasoning blocks (`<think>…</think>`, also `<thinking>` / `<reasoning>`) that some
 * models write into `content`. An unclosed block runs to the end of the text; a closing tag
 * without an opening one (templates that open the block in the prompt) drops everything before it.
 */
export function stripThinkBlocks(text: string): string {
  return text.replace(THINK_BLOCK, '').replace(UNCLOSED_THINK, '').replace(ORPHAN_THINK_END, '');
}

/** Where a JSON value found in model output starts and whether its brackets close. */
export interface ExtractedJson {
  /** The JSON text (from its first `{` to the matching `}`, or to the end when unbalanced). */
  json: string;
  /** `false` when the text ended before every `{`/`[` was closed: the output was cut off. */
  balanced: boolean;
}

/** The index just past the `}` closing the object opening at `start`, or -1 if it never closes. */
function findObjectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '{' || char === '[') {
      depth++;
    } else if (char === '}' || char === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

const MAX_CANDIDATES = 20;

/**
 * Finds the JSON object in a model's answer: reasoning blocks, code fences and prose before or
 * after it are ignored. Top-level `{…}` spans are candidates (objects nested in a span are not):
 * the first that parses wins, else the longest one (to be repaired). An unclosed span is returned
 * as unbalanced (a truncated answer), since the JSON comes after any prose. Returns `null` when there is no `{`.
 *
 * @example
 * extractJson('Sure!\n```json\n{"a":1}\n```'); // { json: '{"a":1}', balanced: true }
 * extractJson('{"a":[1,2'); // { json: '{"a":[1,2', balanced: false }
 */
export function extractJson(text: string): ExtractedJson | null {
  const visible = stripThinkBlocks(text);
  let longest: ExtractedJson | null = null;
  let from = visible.indexOf('{');
  for (let count = 0; from !== -1 && count < MAX_CANDIDATES; count++) {
    const end = findObjectEnd(visible, from);
    if (end === -1) return { json: visible.slice(from), balanced: false };
    const json = visible.slice(from, end);
    if (parses(json)) return { json, balanced: true };
    if (!longest || json.length > longest.json.length) longest = { json, balanced: true };
    from = visible.indexOf('{', end);
  }
  return longest;
}

function parses(json: string): boolean {
  try {
    JSON.parse(json);
    return true;
  } catch {
    return false;
  }
}
