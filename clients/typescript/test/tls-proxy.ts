/**
 * A TLS terminator in front of the plaintext test server, as a deployment puts one (envoy, nginx) in front
 * of Adapt: it requires a client certificate signed by the test CA (mutual TLS) and forwards the HTTP/2
 * bytes. Certificates come from the openssl command line, made fresh for each run.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { type Socket, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Server, createServer } from "node:tls";

export interface TestPki {
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "adapt-pki-"));
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  ssl("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=adapt-test-ca");
  writeFileSync(join(dir, "server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  for (const [name, cn, ext] of [["server", "localhost", ["-extfile", "server.ext"]], ["client", "ts-client", []]] as const) {
    ssl("req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`);
    ssl("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
      "-out", `${name}.pem`, "-days", "1", ...ext);
  }
  const read = (name: string) => readFileSync(join(dir, name), "utf8");
  return {
    caPem: read("ca.pem"), clientCertPem: read("client.pem"), clientKeyPem: read("client.key"),
    serverCertPem: read("server.pem"), serverKeyPem: read("server.key"),
  };
}

/** Listens on 127.0.0.1 (a free port) and forwards every mutually authenticated connection to `target`. */
export async function startTlsProxy(target: string, pki: TestPki): Promise<{ target: string; close(): void }> {
  const [host, port] = target.split(":") as [string, string];
  const sockets = new Set<Socket>();
  const server: Server = createServer({
    key: pki.serverKeyPem, cert: pki.serverCertPem, ca: pki.caPem,
    requestCert: true, rejectUnauthorized: true, ALPNProtocols: ["h2"],
  }, (tlsSocket) => {
    const upstream = connect(Number(port), host);
    sockets.add(tlsSocket).add(upstream);
    tlsSocket.pipe(upstream).pipe(tlsSocket);
    const close = () => { tlsSocket.destroy(); upstream.destroy(); };
    tlsSocket.on("error", close);
    upstream.on("error", close);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  const proxyPort = typeof address === "object" && address ? address.port : 0;
  const close = () => {
    server.close();
    for (const socket of sockets) socket.destroy();
  };
  return { target: `localhost:${proxyPort}`, close };
}
