// A real OpenID provider for the browser tests: zitadel/oidc's example OP, built from
// cmd/parley-testop into a temporary directory and started per test stack.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Builds parley-testop once and answers {start, stop}: start(callback, email) runs a provider
 * whose client "parley" (secret "parley-secret") redirects to callback, with the test user
 * "reader" (password "verysecure") having email; it resolves with {issuer, process}. stop
 * ends every provider started and removes the build.
 */
export function buildTestOP() {
  const dir = mkdtempSync(join(tmpdir(), 'parley-e2e-op-'));
  const bin = join(dir, 'parley-testop');
  execFileSync('go', ['build', '-o', bin, './cmd/parley-testop'], { cwd: repo, stdio: 'inherit' });
  const running = [];
  return {
    running,
    start(callback, email = 'olga@example.org') {
      const op = spawn(bin, ['-callback', callback, '-email', email], { stdio: ['ignore', 'pipe', 'pipe'] });
      running.push(op);
      let err = '';
      op.stderr.on('data', (d) => { err += d; });
      return new Promise((resolve, reject) => {
        let out = '';
        op.stdout.on('data', (d) => {
          out += d;
          if (out.includes('\n')) resolve({ issuer: out.split('\n')[0].trim(), process: op });
        });
        op.on('exit', (code) => reject(new Error(`parley-testop exited ${code}: ${err}`)));
      });
    },
    stop() {
      for (const op of running) op.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
