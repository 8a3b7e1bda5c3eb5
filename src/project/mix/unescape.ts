// Escape handling of elixir_interpolation:unescape_chars/2. Strings, charlists and most lowercase sigils
// use the full map; ~r keeps regex escapes (`\.` stays `\.`) and resolves only \f \n \r \t \v \a and line
// continuations, as Regex.unescape_map/1 does. Uppercase sigils are not unescaped at all.

export class EscapeError extends Error {}

const fullMap: Record<string, number> = { "0": 0, a: 7, b: 8, d: 127, e: 27, f: 12, n: 10, r: 13, s: 32, t: 9, v: 11 };
const regexMap: Record<string, number> = { f: 12, n: 10, r: 13, t: 9, v: 11, a: 7 };
const hex = /^[0-9a-fA-F]$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export function unescape(raw: string, mode: "full" | "regex"): string {
  if (!raw.includes("\\")) return raw;
  const bytes: number[] = [];
  const pushText = (s: string) => bytes.push(...encoder.encode(s));
  const pushCode = (cp: number) => {
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      throw new EscapeError(`invalid or reserved Unicode code point \\u{${cp.toString(16)}}`);
    pushText(String.fromCodePoint(cp));
  };
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c !== "\\") {
      const cp = raw.codePointAt(i)!;
      pushText(String.fromCodePoint(cp));
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const n = raw[i + 1];
    if (n === undefined) {
      bytes.push(0x5c);
      i++;
      continue;
    }
    if (n === "\n") {
      i += 2;
      continue;
    }
    if (n === "\r" && raw[i + 2] === "\n") {
      i += 3;
      continue;
    }
    if (mode === "regex") {
      const m = regexMap[n];
      if (m !== undefined) bytes.push(m);
      else pushText("\\" + n);
      i += 2;
      continue;
    }
    if (n === "x") {
      const a = raw[i + 2];
      const b = raw[i + 3];
      if (a !== undefined && hex.test(a) && b !== undefined && hex.test(b)) {
        bytes.push(parseInt(a + b, 16));
        i += 4;
      } else if (a !== undefined && hex.test(a)) {
        pushCode(parseInt(a, 16));
        i += 3;
      } else if (a === "{") {
        const m = /^\{([0-9a-fA-F]{1,6})\}/.exec(raw.slice(i + 2));
        if (!m) throw new EscapeError("invalid hex escape character, expected \\xHH where H is a hexadecimal digit");
        pushCode(parseInt(m[1]!, 16));
        i += 2 + m[0].length;
      } else throw new EscapeError("invalid hex escape character, expected \\xHH where H is a hexadecimal digit");
      continue;
    }
    if (n === "u") {
      const four = raw.slice(i + 2, i + 6);
      const m = /^\{([0-9a-fA-F]{1,6})\}/.exec(raw.slice(i + 2));
      if (/^[0-9a-fA-F]{4}$/.test(four)) {
        pushCode(parseInt(four, 16));
        i += 6;
      } else if (m) {
        pushCode(parseInt(m[1]!, 16));
        i += 2 + m[0].length;
      } else
        throw new EscapeError(
          "invalid Unicode escape character, expected \\uHHHH or \\u{H*} where H is a hexadecimal digit",
        );
      continue;
    }
    const mapped = fullMap[n];
    if (mapped !== undefined) bytes.push(mapped);
    else {
      const cp = raw.codePointAt(i + 1)!;
      pushText(String.fromCodePoint(cp));
      i += cp > 0xffff ? 1 : 0;
    }
    i += 2;
  }
  try {
    return decoder.decode(new Uint8Array(bytes));
  } catch {
    throw new EscapeError("the escapes produce a binary that is not valid UTF-8, which hexts does not support");
  }
}
