"""A TCP proxy to freeze: `python -m tests.tcp_proxy LISTEN_PORT TARGET_PORT` forwards 127.0.0.1:LISTEN_PORT
to 127.0.0.1:TARGET_PORT. Sent SIGSTOP, it stops answering while the kernel still accepts
connections and bytes for it: a database that hangs, as no clean outage looks."""

from __future__ import annotations

import contextlib
import socket
import sys
import threading


def pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, target):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


def serve(listen_port: int, target_port: int) -> None:
    server = socket.create_server(("127.0.0.1", listen_port), backlog=128)
    print("listening", flush=True)
    while True:
        client, _ = server.accept()
        upstream = socket.create_connection(("127.0.0.1", target_port))
        threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
        threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
