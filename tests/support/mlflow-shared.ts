/**
 * A suite's handle on the run's shared MLflow server. Suites that take the server down (outbox and
 * outage tests) cannot stop the shared process, so each handle is a loopback TCP proxy of its own:
 * `halt()` closes it (connections are refused, as from a server that is down), `restart()` listens on
 * the same port again. Suites keep their state apart with experiment and model names of their own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { inject } from 'vitest';
import type { MlflowServer } from './mlflow-server.js';

export async function sharedMlflowServer(): Promise<MlflowServer> {
  const upstream = new URL(inject('mlflowUri'));
  const logPath = inject('mlflowLog');
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  const listen = (): Promise<void> =>
    new Promise((res, rej) => {
      const srv = createServer((client) => {
        const up = createConnection(Number(upstream.port), upstream.hostname);
        for (const s of [client, up]) {
          sockets.add(s);
          s.once('close', () => sockets.delete(s));
          s.on('error', () => {
            client.destroy();
            up.destroy();
          });
        }
        client.pipe(up).pipe(client);
      });
      srv.once('error', rej);
      srv.listen(port, '127.0.0.1', () => {
        const addr = srv.address();
        port = typeof addr === 'object' && addr ? addr.port : port;
        server = srv;
        res();
      });
    });

  const halt = (): Promise<void> => {
    const srv = server;
    server = undefined;
    for (const s of sockets) s.destroy();
    return srv ? new Promise((res) => srv.close(() => res())) : Promise.resolve();
  };

  await listen();
  return {
    uri: `http://127.0.0.1:${port}`,
    port,
    halt,
    async restart() {
      await halt();
      await listen();
    },
    stop: halt,
    log: () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : ''),
    logPath,
  };
}
