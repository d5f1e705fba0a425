/**
 * Pure: the one `.env` parser, so an env file reads the same under Bun, Deno,
 * Node and the binary. Lines are `KEY=VALUE` or `export KEY=VALUE`; blank
 * lines and `#` comments are skipped. A value is taken as written: unquoted
 * (trimmed, ended by ` #` comment), in single quotes (literal, may span
 * lines) or in double quotes (may span lines; `\n`, `\r`, `\t`, `\"` and `\\`
 * are escapes). There is no `$VAR` interpolation: a `$` is kept as is.
 */

/** A line of an env file that is not `KEY=VALUE`. */
export class DotenvSyntaxError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = "DotenvSyntaxError";
    this.line = line;
  }
}

const KEY = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

/** The line number (from 1) of offset `at` in `text`. */
const lineAt = (text: string, at: number) => text.slice(0, at).split("\n").length;

/** A quoted value starting at `start` (the quote): its text and the offset after the closing quote. */
function quoted(text: string, start: number): { value: string; end: number } {
  const quote = text[start] as string;
  let value = "";
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i] as string;
    if (c === quote) return { value, end: i + 1 };
    if (c === "\\" && quote === '"' && i + 1 < text.length) {
      const next = text[i + 1] as string;
      value += ESCAPES[next] ?? `\\${next}`;
      i += 1;
    } else {
      value += c;
    }
  }
  throw new DotenvSyntaxError(lineAt(text, start), `unterminated ${quote} quote`);
}

/** Parses the text of an env file; a later line wins over an earlier one with the same key. */
export function parseDotenv(source: string): Record<string, string> {
  const text = source.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const vars: Record<string, string> = {};
  let at = 0;
  while (at < text.length) {
    const newline = text.indexOf("\n", at);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(at, lineEnd).trim();
    if (line === "" || line.startsWith("#")) {
      at = lineEnd + 1;
      continue;
    }
    const eq = text.indexOf("=", at);
    if (eq === -1 || eq > lineEnd) throw new DotenvSyntaxError(lineAt(text, at), `expected KEY=VALUE, got ${JSON.stringify(line)}`);
    const key = text.slice(at, eq).trim().replace(/^export\s+/, "");
    if (!KEY.test(key)) throw new DotenvSyntaxError(lineAt(text, at), `invalid name ${JSON.stringify(key)} (letters, digits, '_' and '.', not starting with a digit)`);
    let start = eq + 1;
    while (text[start] === " " || text[start] === "\t") start++;
    if (text[start] === '"' || text[start] === "'") {
      const { value, end } = quoted(text, start);
      const restEnd = text.indexOf("\n", end);
      const rest = text.slice(end, restEnd === -1 ? text.length : restEnd).trim();
      if (rest !== "" && !rest.startsWith("#")) throw new DotenvSyntaxError(lineAt(text, end), `unexpected text after the closing quote: ${JSON.stringify(rest)}`);
      vars[key] = value;
      at = restEnd === -1 ? text.length : restEnd + 1;
      continue;
    }
    vars[key] = text.slice(start, lineEnd).replace(/(^|\s)#.*$/, "").trim();
    at = lineEnd + 1;
  }
  return vars;
}
