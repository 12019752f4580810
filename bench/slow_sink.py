"""An HTTP/1.1 sink that answers every request with 204 after a fixed delay (default 20 ms), with
keep-alive, counting the requests it answered (printed on SIGTERM). It stands for a remote endpoint
whose latency, not Herald's CPU, bounds each delivery: python3 slow_sink.py PORT [DELAY_MS]"""

import asyncio
import signal
import sys

count = 0


async def handle(reader, writer):
    global count
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            await asyncio.sleep(DELAY)
            count += 1
            writer.write(b"HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main(port):
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    async with server:
        await stop.wait()
    print(count, flush=True)


if __name__ == "__main__":
    DELAY = (int(sys.argv[2]) if len(sys.argv) > 2 else 20) / 1000
    asyncio.run(main(int(sys.argv[1])))
