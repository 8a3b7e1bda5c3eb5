// A small ustar reader (PAX and GNU long names understood) and writer, for the server's own use.

export interface TarEntry {
  name: string;
  type: "file" | "directory" | "symlink" | "other";
  linkname: string;
  data: Buffer;
}

/** hex_erl_tar's reasons, kept for the error texts hex_core gives. */
export class TarError extends Error {
  constructor(readonly reason: "eof" | "bad_header") {
    super(reason);
  }
}

const BLOCK = 512;

function field(block: Buffer, offset: number, length: number): string {
  const raw = block.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString("utf8");
}

function octal(block: Buffer, offset: number, length: number): number {
  const text = field(block, offset, length).trim();
  return text === "" ? 0 : Number.parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  const stored = octal(block, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return stored === sum;
}

/** Reads every member; `maxTotal` bounds the sum of member sizes (else "too_big"). */
export function readTar(data: Buffer, maxTotal = Infinity): TarEntry[] | "too_big" {
  const entries: TarEntry[] = [];
  let offset = 0;
  let total = 0;
  let pax: Record<string, string> = {};
  let longName: string | null = null;
  let longLink: string | null = null;
  for (;;) {
    if (offset + BLOCK > data.length) throw new TarError("eof");
    const header = data.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return entries;
    if (!checksumOk(header)) throw new TarError("bad_header");
    const typeflag = String.fromCharCode(header[156]!);
    const size = pax.size !== undefined ? Number(pax.size) : octal(header, 124, 12);
    const start = offset + BLOCK;
    if (!Number.isFinite(size) || start + size > data.length) throw new TarError("eof");
    const body = data.subarray(start, start + size);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
    if (typeflag === "x") {
      pax = parsePax(body);
      continue;
    }
    if (typeflag === "g") continue;
    if (typeflag === "L") {
      longName = body.toString("utf8").replace(/\0+$/, "");
      continue;
    }
    if (typeflag === "K") {
      longLink = body.toString("utf8").replace(/\0+$/, "");
      continue;
    }
    const prefix = field(header, 345, 155);
    const plainName = field(header, 0, 100);
    const name = pax.path ?? longName ?? (prefix ? `${prefix}/${plainName}` : plainName);
    const linkname = pax.linkpath ?? longLink ?? field(header, 157, 100);
    pax = {};
    longName = longLink = null;
    const type =
      typeflag === "0" || typeflag === "\0" || typeflag === "7"
        ? "file"
        : typeflag === "5"
          ? "directory"
          : typeflag === "2"
            ? "symlink"
            : "other";
    total += type === "file" ? size : 0;
    if (total > maxTotal) return "too_big";
    entries.push({ name, type, linkname, data: Buffer.from(body) });
  }
}

/** PAX records "<len> <key>=<value>\n"; tolerant of hex_core's off-by-one lengths (split on newlines). */
function parsePax(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of body.toString("utf8").split("\n")) {
    const match = /^\d+ ([^=]+)=(.*)$/s.exec(line);
    if (match) out[match[1]!] = match[2]!;
  }
  return out;
}

export interface TarInput {
  name: string;
  data?: Buffer;
  type?: "file" | "directory" | "symlink";
  linkname?: string;
  mode?: number;
}

function writeHeader(name: string, size: number, typeflag: string, mode: number, linkname = ""): Buffer {
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, 100, "utf8");
  header.write(`${mode.toString(8).padStart(7, "0")}\0`, 100, "ascii");
  header.write("0000000\0", 108, "ascii");
  header.write("0000000\0", 116, "ascii");
  header.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "ascii");
  header.write("07033241600\0", 136, "ascii");
  header.write(typeflag, 156, "ascii");
  header.write(linkname, 157, 100, "utf8");
  header.write("ustar\0", 257, "ascii");
  header.write("00", 263, "ascii");
  header.fill(32, 148, 156);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(7, "0")}\0`, 148, "ascii");
  return header;
}

function padded(data: Buffer): Buffer[] {
  const rest = data.length % BLOCK;
  return rest === 0 ? [data] : [data, Buffer.alloc(BLOCK - rest)];
}

/** Writes a ustar archive (long or non-ASCII names through a PAX record). */
export function writeTar(entries: TarInput[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? "file";
    const data = type === "file" ? (e.data ?? Buffer.alloc(0)) : Buffer.alloc(0);
    const name = type === "directory" && !e.name.endsWith("/") ? `${e.name}/` : e.name;
    const needsPax = Buffer.byteLength(name) > 100 || /[^\x20-\x7e]/.test(name);
    if (needsPax) {
      const record = (key: string, value: string): string => {
        const base = ` ${key}=${value}\n`;
        let len = Buffer.byteLength(base) + 1;
        while (String(len).length + Buffer.byteLength(base) !== len) len = String(len).length + Buffer.byteLength(base);
        return `${len}${base}`;
      };
      const paxData = Buffer.from(record("path", name));
      parts.push(writeHeader("PaxHeader", paxData.length, "x", 0o100644), ...padded(paxData));
    }
    const mode = e.mode ?? (type === "directory" ? 0o40755 : type === "symlink" ? 0o120777 : 0o100644);
    const flag = type === "directory" ? "5" : type === "symlink" ? "2" : "0";
    parts.push(writeHeader(needsPax ? "" : name, data.length, flag, mode, e.linkname ?? ""), ...padded(data));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
