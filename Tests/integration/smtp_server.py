"""A real SMTP server on 127.0.0.1 (aiosmtpd) for Herald's email tests: records every accepted
message with its envelope, counts connections, and answers RCPT/DATA with scripted replies."""

import email
import email.policy
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class SMTPServer:
    def __init__(self, port=0):
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
                return SMTP(self.handler, decode_data=False, enable_SMTPUTF8=True)

        port = port or _free_port()
        self.controller = CountingController(Handler(), hostname="127.0.0.1", port=port)
        self.controller.start()
        with self.lock:
            self.connections = 0   # start() opens one probe connection of its own
        self.port = port

    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

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
