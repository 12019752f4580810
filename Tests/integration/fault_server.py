"""A loopback HTTP peer that misbehaves on purpose, one behaviour per connection from a script:
`reset` (read the request, then RST), `garbage` (a reply that is not HTTP), `hang` (never answer),
`tls-garbage` (answer a TLS ClientHello with junk), `ok` (HTTP 204). After the script: `ok`."""

import socket
import struct
import threading


class FaultServer:
    def __init__(self, script):
        self.script = list(script)
        self.seen = []                     # behaviour used for each connection, in order
        self.lock = threading.Condition()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def url(self, scheme="http"):
        return f"{scheme}://127.0.0.1:{self.port}/hook"

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                behaviour = self.script.pop(0) if self.script else "ok"
                self.seen.append(behaviour)
                self.lock.notify_all()
            threading.Thread(target=self._handle, args=(conn, behaviour), daemon=True).start()

    def _handle(self, conn, behaviour):
        try:
            conn.settimeout(10)
            first = conn.recv(65536)
            if behaviour == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif behaviour == "garbage":
                conn.sendall(b"\x00\xffthis is not HTTP at all\r\n\r\n")
            elif behaviour == "tls-garbage":
                conn.sendall(b"\x15\x03\x03\x00\x02\x02\x28" if first[:1] != b"\x16" else b"garbage, not a ServerHello" * 4)
            elif behaviour == "hang":
                threading.Event().wait(8)
            else:
                while b"\r\n\r\n" not in first:
                    more = conn.recv(65536)
                    if not more:
                        break
                    first += more
                head, _, body = first.partition(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                while len(body) < length:
                    body += conn.recv(65536)
                conn.sendall(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
        except OSError:
            pass
        finally:
            conn.close()

    def wait_for(self, count, timeout=30):
        with self.lock:
            return self.lock.wait_for(lambda: len(self.seen) >= count, timeout)

    def stop(self):
        self.running = False
        self.sock.close()
