import { request } from 'node:http';

/** GET a JSON answer; rejects on a connection error or a body that is not JSON. */
export function getJson({ host, port, path, agent }) {
  return new Promise((resolveJson, reject) => {
    request({ host, port, path, agent }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => {
        try {
          resolveJson(JSON.parse(body));
        } catch (e) {
          reject(e);
        }
      });
    })
      .on('error', reject)
      .end();
  });
}
