import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Fixture files for the data-layer tests, in a fresh folder under the OS temp dir. */
export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'unirec-data-'));

  /** Writes `content` (a string is written as UTF-8) to `name`, creating sub-folders; returns the full path. */
  write(name: string, content: string | Buffer): string {
    const file = join(this.path, name);
    mkdirSync(resolve(file, '..'), { recursive: true });
    writeFileSync(file, content);
    return file;
  }

  sub(name: string): string {
    const dir = join(this.path, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export { SHARED_DATA } from '../helpers/shared-data.js';
