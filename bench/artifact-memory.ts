/**
 * Peak resident memory of saving and loading a model artifact larger than a SQLite value may hold (1 GB):
 *
 *   node dist/bench/artifact-memory.js [--mib 1200]
 *
 * Each step runs in a fresh process and reports its peak RSS (VmHWM) beside the RSS it started from:
 * - save: the arrays built, encoded as pieces (views) and written to a SQLite store in 64 MiB chunks;
 * - save, one copy: the same encoded as one array first (encodeArtifact: what a save cost before);
 * - load: getModel (the chunks) + decodeArtifact straight from the chunks (what `unirec serve` does);
 * - load, one copy: the chunks concatenated first, then decoded (what a single-blob read cost before).
 * Results are printed; BENCHMARKS.md is written by hand.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { concatBytes } from '../src/store/artifact-bytes.js';
import { decodeArtifact, encodeArtifactPieces } from '../src/store/artifact-codec.js';
import { SqliteStore } from '../src/store/sqlite.js';

const MIB = 2 ** 20;

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

function mib(key: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)![1]) / 1024;
}

/** Arrays of `total` MiB in four parts, with a seeded pattern so a wrong byte would show. */
function arrays(total: number): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (let k = 0; k < 4; k++) {
    const a = new Float32Array(Math.floor((total * MIB) / 4 / 4)).fill(k + 0.5); // every page resident
    for (let i = 0; i < a.length; i += 4096) a[i] = i * (k + 1);
    out[`part${k}`] = a;
  }
  return out;
}

async function step(phase: string, db: string, total: number): Promise<void> {
  const before = mib('VmRSS');
  const store = new SqliteStore(db, { synchronous: 'normal' });
  try {
    if (phase === 'save' || phase === 'save-concat') {
      const pieces = encodeArtifactPieces({ model: 'memory-bench', version: 1, params: {}, meta: {}, arrays: arrays(total) }, { users: [], items: [] });
      const artifact = phase === 'save-concat' ? concatBytes(pieces) : pieces;
      await store.saveModel({ name: 'big', params: {}, metrics: {}, trainedThroughSeq: 0, artifact });
    } else {
      const record = await store.getModel('big');
      const bytes = phase === 'load-concat' ? concatBytes(record!.artifact) : record!.artifact;
      const { artifact } = decodeArtifact(bytes);
      if (artifact.arrays.part3![4096] !== 4096 * 4) throw new Error('the artifact read back wrong');
    }
  } finally {
    await store.close();
  }
  process.stdout.write(JSON.stringify({ phase, before, peak: mib('VmHWM') }) + '\n');
}

async function main(): Promise<void> {
  const total = Number(flag('mib') ?? 1200);
  const phase = flag('phase');
  if (phase !== undefined) return step(phase, flag('db')!, total);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'unirec-artifact-memory-'));
  const self = fileURLToPath(import.meta.url);
  try {
    const db = path.join(dir, 'store.db');
    const rows = ['save', 'save-concat', 'load', 'load-concat'].map((p) => {
      const r = JSON.parse(execFileSync(process.execPath, [self, '--phase', p, '--db', db, '--mib', String(total)], { encoding: 'utf8' })) as {
        phase: string;
        before: number;
        peak: number;
      };
      return `| ${r.phase} | ${r.before.toFixed(0)} | ${r.peak.toFixed(0)} | ${(r.peak - r.before).toFixed(0)} | ${((r.peak - r.before) / total).toFixed(2)} |`;
    });
    process.stdout.write(
      [`${total} MiB of float32 arrays; SQLite store, 64 MiB chunks; ${os.cpus().length} cores, Node.js ${process.version}`, '', '| step | RSS before MiB | peak RSS MiB | peak - before | x artifact |', '| --- | ---: | ---: | ---: | ---: |', ...rows].join('\n') + '\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
