/**
 * Serves one Cloud Function as a real local process on 127.0.0.1:<port>, as the Functions
 * Framework would (its CLI has no host option, so its test server is bound to loopback here).
 *   tsx scripts/functions/serve.ts <stockopsSchedule|stockopsIngest|stockopsModel> <port>
 * The function reads its configuration from the environment, as in the cloud.
 */
import { getTestServer } from '@google-cloud/functions-framework/testing';

const [name, port] = process.argv.slice(2);
if (!name || !port || !/^\d+$/.test(port)) {
  console.error('usage: serve.ts <function name> <port>');
  process.exit(1);
}
const { instanceCatalog } = await import('../../functions/index.js');
const server = getTestServer(name);
server.listen(Number(port), '127.0.0.1', () => {
  console.log(`${name} listening on http://127.0.0.1:${port}`);
});
const stop = () => {
  server.close();
  instanceCatalog()
    .then((c) => c.close())
    .catch(() => undefined)
    .finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
