"""A real SMTP server on 127.0.0.1 (aiosmtpd) for Herald's email tests: records every accepted
message with its envelope, counts connections, and answers RCPT/DATA with scripted replies."""

import email
import email.policy
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class SMTPServer:
    def __init__(self, port=0, tls=None, credentials=None):
        """tls: None, ("starttls", ssl_context) or ("implicit", ssl_context).
        credentials: (user, password) to require AUTH (only over TLS)."""
        self.lock = threading.Condition()
        self.messages = []       # (mail_from, rcpt_tos, raw bytes, parsed EmailMessage)
        self.rcpt_script = {}    # address -> list of replies answered in order (then 250)
        self.connections = 0
        self.refused = []        # (address, reply)
        server = self

        class Handler:
            async def handle_EHLO(self, smtp, session, envelope, hostname, responses):
                session.host_name = hostname
                return responses

            async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
                with server.lock:
                    steps = server.rcpt_script.get(address)
                    reply = steps.pop(0) if steps else None
                    if reply:
                        server.refused.append((address, reply))
                        server.lock.notify_all()
                if reply:
                    return reply
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, smtp, session, envelope):
                raw = envelope.original_content or envelope.content
                parsed = email.message_from_bytes(raw, policy=email.policy.default)
                with server.lock:
                    server.messages.append((envelope.mail_from, list(envelope.rcpt_tos), raw, parsed))
                    n = len(server.messages)
                    server.lock.notify_all()
                return f"250 2.0.0 Ok: queued as Q{n:05d}"

        class CountingController(Controller):
            def factory(self):
                with server.lock:
                    server.connections += 1
                kwargs = {}
                if tls and tls[0] == "starttls":
                    kwargs.update(tls_context=tls[1], require_starttls=True)
                if credentials:
                    # aiosmtpd only recognises TLS that came through STARTTLS; an implicit-TLS
                    # connection is encrypted from the first byte, so it cannot require it there.
                    kwargs.update(authenticator=_authenticator(credentials), auth_required=True,
                                  auth_require_tls=bool(tls and tls[0] == "starttls"))
                return SMTP(self.handler, decode_data=False, enable_SMTPUTF8=True, **kwargs)

        port = port or _free_port()
        extra = {"ssl_context": tls[1]} if tls and tls[0] == "implicit" else {}
        self.controller = CountingController(Handler(), hostname="127.0.0.1", port=port, **extra)
        self.controller.start()
        with self.lock:
            self.connections = 0   # start() opens one probe connection of its own
        self.port = port

        self.scheme = "smtps" if tls and tls[0] == "implicit" else "smtp"

    def url(self):
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def wait_for(self, predicate, timeout=30.0):
        with self.lock:
            return self.lock.wait_for(lambda: predicate(self), timeout=timeout)

    def stop(self):
        self.controller.stop()


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _authenticator(credentials):
    from aiosmtpd.smtp import AuthResult

    def check(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login.decode() if isinstance(auth_data.login, bytes) else auth_data.login) == credentials[0] and \
             (auth_data.password.decode() if isinstance(auth_data.password, bytes) else auth_data.password) == credentials[1]
        return AuthResult(success=ok, handled=False)
    return check


def self_signed(folder):
    """A certificate for 127.0.0.1 and localhost, and an ssl context serving it. Returns (cert path, context)."""
    import datetime
    import ipaddress
    import ssl
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "herald-test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert_path), str(key_path))
    return cert_path, context
