// Signs a batch of requests with the aws4 npm package, for tests/blob/sigv4_aws4_test.cc.
// stdin: a JSON array of {method, segments, query, headers, service, region, credentials}:
// the path as decoded segments and the query as decoded [name, value] pairs, in the order to
// send. They are encoded here, independently of cairn's encoder (RFC 3986: all but A-Z a-z
// 0-9 - . _ ~), as cairn puts them on the wire. stdout: one Authorization header per request.
'use strict';
const aws4 = require('aws4');

const encode = (s) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const out = [];
  for (const r of JSON.parse(input)) {
    let path = r.segments.map(encode).join('/');
    const query = r.query.map(([name, value]) => encode(name) + '=' + encode(value)).join('&');
    if (query) path += '?' + query;
    const headers = {};
    for (const [name, value] of r.headers) headers[name] = value;
    const signed = aws4.sign(
      { method: r.method, path, service: r.service, region: r.region, headers },
      r.credentials);
    out.push(signed.headers.Authorization);
  }
  process.stdout.write(out.join('\n') + '\n');
});
