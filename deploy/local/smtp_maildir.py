"""A light SMTP server for local use and tests: aiosmtpd speaking SMTP, every accepted message written to a Maildir.

aiosmtpd's own ``Mailbox`` handler parses each message with the ``email`` package and serialises it again, which
costs most of the server's time (about 50 messages/s with a PDF attached). This handler stores the bytes the client
sent, unchanged, with the three envelope headers ``Mailbox`` adds (X-Peer, X-MailFrom, X-RcptTo) put in front, so
readers of the Maildir see the same thing for a fraction of the cost.

    /usr/bin/python3 deploy/local/smtp_maildir.py [--listen 127.0.0.1:2525] [--processes 1] [--size-limit BYTES]
        [--smtputf8] [--tls-cert CERT.pem --tls-key KEY.pem] MAILDIR

--smtputf8 offers SMTPUTF8 (RFC 6531: non-ASCII addresses); --tls-cert/--tls-key offer STARTTLS and require it
before MAIL.

or, with this directory on PYTHONPATH, through aiosmtpd's own command line:

    /usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:2525 -c smtp_maildir.MaildirHandler MAILDIR
"""

import argparse
import asyncio
import itertools
import os
import signal
import socket
import ssl
import sys
import time

from aiosmtpd.smtp import SMTP

__all__ = ["MaildirHandler", "main"]


class MaildirHandler:
    """Writes each message to ``tmp/`` and renames it into ``new/`` (the Maildir delivery protocol): a reader never
    sees half a message. Names are unique per process (time, pid, counter) and across processes (pid)."""

    def __init__(self, maildir):
        self.maildir = os.path.abspath(maildir)
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(self.maildir, sub), exist_ok=True)
        self._tmp = os.path.join(self.maildir, "tmp")
        self._new = os.path.join(self.maildir, "new")
        self._host = socket.gethostname().replace("/", "\\057").replace(":", "\\072")
        self._pid = os.getpid()
        self._counter = itertools.count(1)

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("smtp_maildir.MaildirHandler takes one argument: the Maildir directory")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        self.deliver(self.envelope_headers(session, envelope) + envelope.original_content)
        return "250 OK"

    @staticmethod
    def envelope_headers(session, envelope):
        # The same three headers, with the same values, that aiosmtpd's Mailbox handler appends.
        lines = (
            "X-Peer: " + str(session.peer),
            "X-MailFrom: " + str(envelope.mail_from),
            "X-RcptTo: " + ", ".join(envelope.rcpt_tos),
        )
        return ("\r\n".join(lines) + "\r\n").encode("utf-8", "surrogateescape")

    def deliver(self, data):
        """Writes one message; returns the path of its file in new/."""
        now = time.time()
        name = "%d.M%dP%dQ%d.%s" % (int(now), int((now % 1) * 1e6), self._pid, next(self._counter), self._host)
        tmp = os.path.join(self._tmp, name)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        final = os.path.join(self._new, name)
        os.rename(tmp, final)
        return final


def _parse_listen(text):
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError("expected HOST:PORT, e.g. 127.0.0.1:2525")
    return host, int(port)


def _listening_socket(host, port, reuse_port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(256)
    sock.setblocking(False)
    return sock


def _tls_context(cert, key):
    if not cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def _serve(sock, maildir, size_limit, smtputf8=False, tls_context=None):
    handler = MaildirHandler(maildir)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def factory():
        return SMTP(handler, data_size_limit=size_limit, ident="billing smtp_maildir", loop=loop,
                    enable_SMTPUTF8=smtputf8, tls_context=tls_context, require_starttls=tls_context is not None)

    server = loop.run_until_complete(loop.create_server(factory, sock=sock))
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.close()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="smtp_maildir", description="SMTP server writing every message to a Maildir")
    parser.add_argument("--listen", "-l", type=_parse_listen, default=("127.0.0.1", 2525), help="HOST:PORT (127.0.0.1:2525)")
    parser.add_argument("--processes", type=int, default=1, help="worker processes sharing the port with SO_REUSEPORT (1)")
    parser.add_argument("--size-limit", type=int, default=33554432, help="largest message accepted, in bytes (32 MiB)")
    parser.add_argument("--smtputf8", action="store_true", help="offer SMTPUTF8 (non-ASCII addresses)")
    parser.add_argument("--tls-cert", help="PEM certificate: offer STARTTLS and require it (with --tls-key)")
    parser.add_argument("--tls-key", help="PEM private key of --tls-cert")
    parser.add_argument("maildir")
    args = parser.parse_args(argv)
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    host, port = args.listen
    serve = dict(smtputf8=args.smtputf8, tls_context=_tls_context(args.tls_cert, args.tls_key))

    if args.processes == 1:
        _serve(_listening_socket(host, port, reuse_port=False), args.maildir, args.size_limit, **serve)
        return 0

    # Each worker has its own socket bound with SO_REUSEPORT; the kernel spreads connections across them.
    children = []
    for _ in range(args.processes):
        sock = _listening_socket(host, port, reuse_port=True)
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            try:
                _serve(sock, args.maildir, args.size_limit, **serve)
            finally:
                os._exit(0)
        sock.close()
        children.append(pid)

    def stop(signum, frame):
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # The first worker to exit takes the others with it, so a supervisor sees the server as one process.
    os.wait()
    stop(None, None)
    for _ in children[1:]:
        try:
            os.wait()
        except ChildProcessError:
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
