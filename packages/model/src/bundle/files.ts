import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { ModelError } from '../errors.js';

/** The most bytes read of a bundle's JSON files (manifest.json, model.json; a few KB in practice). */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;
/** The most bytes a manifest may declare for model.onnx or weights.bin (protobuf's 2 GiB limit). */
export const MAX_DATA_BYTES = 2 ** 31 - 1;

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file';
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

/** The real path of a bundle folder; a one-line ModelError when it is missing or not a folder. */
export function bundleFolder(dir: string): string {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    throw new ModelError(`bundle '${dir}': no such folder`);
  }
  if (!statOf(dir, '', real).isDirectory()) throw new ModelError(`bundle '${dir}': not a folder`);
  return real;
}

function statOf(dir: string, name: string, real: string): Stats {
  try {
    return statSync(real);
  } catch (err) {
    throw new ModelError(`bundle '${dir}': cannot read ${name || 'the folder'} (${errCode(err)})`);
  }
}

/** Resolves `name` inside the bundle folder: its real path, which must not leave the folder. */
function resolveInside(dir: string, name: string): string {
  const root = bundleFolder(dir);
  let real: string;
  try {
    real = realpathSync(join(root, name));
  } catch (err) {
    const code = errCode(err);
    if (code === 'ENOENT') throw new ModelError(`bundle '${dir}': missing ${name}`);
    throw new ModelError(`bundle '${dir}': cannot read ${name} (${code})`);
  }
  const rel = relative(root, real);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new ModelError(`bundle '${dir}': ${name} is a symbolic link that leads out of the bundle folder: refused`);
  }
  return real;
}

/**
 * Reads one file of a bundle folder, refusing before reading a byte anything but a regular file whose
 * real path lies inside the folder (symbolic links out of it, FIFOs, devices, sockets) and any file of
 * more than `max` bytes (`what` names that bound in the error). The file is opened without blocking and
 * without following a link swapped in meanwhile, checked again on the open descriptor, and read up to
 * its size only. Errors are one line naming the file, never its contents.
 */
export function readBundleFile(dir: string, name: string, max: number, what: string): Buffer {
  const real = resolveInside(dir, name);
  const before = statOf(dir, name, real);
  if (!before.isFile()) throw new ModelError(`bundle '${dir}': ${name} is ${kindOf(before)}, not a regular file: refused`);
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (err) {
    throw new ModelError(`bundle '${dir}': cannot read ${name} (${errCode(err)})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ModelError(`bundle '${dir}': ${name} is ${kindOf(st)}, not a regular file: refused`);
    if (st.size > max) throw new ModelError(`bundle '${dir}': ${name} has ${st.size} bytes, more than ${what} (${max}): refused`);
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    if (off < st.size) throw new ModelError(`bundle '${dir}': ${name} shrank while being read`);
    return buf;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a data file the manifest records (`bytes`, `sha256`): bounded by the recorded size, then
 * checked against it and the checksum before anything parses it.
 */
export function readRecordedFile(dir: string, name: string, rec: { bytes: number; sha256: string }): Buffer {
  if (rec.bytes > MAX_DATA_BYTES) {
    throw new ModelError(`bundle '${dir}': the manifest gives ${name} ${rec.bytes} bytes, more than the limit ${MAX_DATA_BYTES}: refused`);
  }
  const data = readBundleFile(dir, name, rec.bytes, "the manifest's size");
  if (data.byteLength !== rec.bytes) {
    throw new ModelError(`bundle '${dir}': ${name} has ${data.byteLength} bytes, the manifest says ${rec.bytes}: truncated or mismatched`);
  }
  const digest = sha256(data);
  if (digest !== rec.sha256) {
    throw new ModelError(
      `bundle '${dir}': ${name} checksum ${digest.slice(0, 12)}… does not match the manifest's ${rec.sha256.slice(0, 12)}…`,
    );
  }
  return data;
}

/** Reads and parses a bundle's JSON file (at most MAX_JSON_BYTES); the error never quotes its text. */
export function readBundleJson(dir: string, name: string): unknown {
  const text = readBundleFile(dir, name, MAX_JSON_BYTES, `the limit for JSON files`).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new ModelError(`bundle '${dir}': ${name} is not valid JSON`);
  }
}
