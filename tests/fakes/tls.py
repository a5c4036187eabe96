"""A throw-away certificate authority, and HTTPS for the fake chat servers.

Why: against real Slack and Teams every reply pays TLS (a context, a handshake), and a fake that
speaks plain HTTP hides exactly that cost, so neither the benchmark nor the tests could see it.
`ThrowAwayCA` makes a CA and a server certificate for 127.0.0.1/localhost signed by it (a real
chain, made with `cryptography`); clients trust it the standard way, through `SSL_CERT_FILE`
pointing at `ca_file`, so the code under test verifies certificates exactly as in production.

`serve_tls(server, ca)` turns a socketserver HTTP server into an HTTPS one that counts the
connections it accepted and the TLS handshakes it completed, and `close_connections` ends
kept-alive connections at stop, so their handler threads end with the server.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from socketserver import BaseServer
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HOST = "127.0.0.1"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "caseload bot tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


class ThrowAwayCA:
    """A CA made now (valid one day), its certificate in `ca_file`, and a loopback server
    certificate it signed (`cert_file`, `key_file`). Files live in a temporary directory that
    `cleanup()` removes."""

    def __init__(self, directory: Path | None = None) -> None:
        self._tmp = None if directory else tempfile.TemporaryDirectory(prefix="caseload-ca-")
        self.directory = directory or Path(self._tmp.name)  # type: ignore[union-attr]
        now = datetime.datetime.now(datetime.timezone.utc)
        start, end = now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=1)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = _name("caseload bot throw-away CA")
        ca_cert = (
            x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
            .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                         crl_sign=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        server_key = ec.generate_private_key(ec.SECP256R1())
        server_cert = (
            x509.CertificateBuilder().subject_name(_name("localhost")).issuer_name(ca_name)
            .public_key(server_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]),
                critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        pem = serialization.Encoding.PEM
        self.ca_file = self.directory / "ca.pem"
        self.cert_file = self.directory / "server.pem"
        self.key_file = self.directory / "server.key"
        self.ca_file.write_bytes(ca_cert.public_bytes(pem))
        self.cert_file.write_bytes(server_cert.public_bytes(pem))
        self.key_file.write_bytes(server_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))

    @classmethod
    def from_directory(cls, directory: Path) -> ThrowAwayCA:
        """The CA another process made in `directory` (the benchmark's fake Slack process)."""
        found = cls.__new__(cls)
        found._tmp = None
        found.directory = directory
        found.ca_file, found.cert_file, found.key_file = (
            directory / "ca.pem", directory / "server.pem", directory / "server.key")
        return found

    def bundle_with_system_trust(self) -> Path:
        """The system's CA bundle with this CA added, as a file for SSL_CERT_FILE. Why: a client
        trusting only this CA loads one certificate per context (~0.5 ms); production loads the
        whole system store (~150 CAs, ~25 ms of CPU), and that is the cost to measure."""
        system = ssl.get_default_verify_paths().cafile
        bundle = self.directory / "bundle.pem"
        existing = Path(system).read_bytes() if system and Path(system).exists() else b""
        bundle.write_bytes(existing.rstrip(b"\n") + b"\n" + self.ca_file.read_bytes())
        return bundle

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def cleanup(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


@dataclass
class ConnectionCounts:
    """What a fake server saw at the transport level: TCP connections and TLS handshakes."""

    connections: int = 0
    handshakes: int = 0
    open: set[socket.socket] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


class CountsConnections:
    """The two transport-level readings a fake server gives its tests (it sets `_counts`)."""

    _counts: ConnectionCounts

    @property
    def connections(self) -> int:
        """TCP connections accepted so far (over HTTPS, one TLS handshake each)."""
        with self._counts.lock:
            return self._counts.connections

    @property
    def handshakes(self) -> int:
        """TLS handshakes completed so far (0 over plain HTTP)."""
        with self._counts.lock:
            return self._counts.handshakes


def count_connections(server: BaseServer, context: ssl.SSLContext | None = None
                      ) -> ConnectionCounts:
    """Count `server`'s accepted connections (and wrap them in TLS with `context`, the handshake
    done in the handler's thread, so a slow or failed handshake never blocks accept())."""
    counts = ConnectionCounts()
    accept = server.get_request  # type: ignore[attr-defined]
    finish = server.shutdown_request  # type: ignore[attr-defined]

    def get_request() -> tuple[Any, Any]:
        sock, address = accept()
        if context is not None:
            sock = context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        with counts.lock:
            counts.connections += 1
            counts.open.add(sock)
        return sock, address

    def shutdown_request(request: Any) -> None:
        with counts.lock:
            counts.open.discard(request)
        finish(request)

    server.get_request = get_request  # type: ignore[attr-defined]
    server.shutdown_request = shutdown_request  # type: ignore[attr-defined]
    if context is not None:
        handle = server.finish_request

        def finish_request(request: Any, client_address: Any) -> None:
            try:
                request.do_handshake()
            except (ssl.SSLError, OSError):
                return  # a client that did not trust us, or went away: nothing to answer
            with counts.lock:
                counts.handshakes += 1
            handle(request, client_address)

        server.finish_request = finish_request  # type: ignore[method-assign]
    return counts


def close_connections(counts: ConnectionCounts) -> None:
    """End kept-alive connections (the client's pool would hold them, and their threads, open)."""
    with counts.lock:
        still_open = list(counts.open)
    for sock in still_open:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


__all__ = ["ConnectionCounts", "ThrowAwayCA", "close_connections", "count_connections"]
