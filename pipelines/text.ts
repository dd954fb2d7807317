/** Text from the outside world (file contents, server replies) made safe to put in an error message. */

const UNPRINTABLE = /[^\x20-\x7e\u00a0-\u024f\u2000-\u206f€£¥×≥≤…]/gu;

/**
 * Printable and bounded: control characters and binary bytes become `\xNN` / `\u{N}` escapes, and
 * anything past `max` characters is cut with a count of what was left out.
 */
export function printable(text: string, max = 60): string {
  const escaped = text.replace(UNPRINTABLE, (c) => {
    const code = c.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
  return escaped.length <= max
    ? escaped
    : `${escaped.slice(0, max)}… (${escaped.length - max} more chars)`;
}
