"""A TCP relay that can stop answering: a database that hangs, made on demand.

Killing a server makes clients fail fast (connection refused or reset); a
server that stops answering (a network partition, a frozen host) makes them
wait, which is the harder fault. `freeze()` keeps every connection open but
relays nothing until `thaw()`. Loopback only; one thread; stopped by `close()`.
"""

from __future__ import annotations

import selectors
import socket
import threading

from devtools.processes import free_port


class FreezableProxy:
    """Listens on 127.0.0.1:`port` and relays each connection to `target`."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.setblocking(False)
        self._frozen = threading.Event()
        self._closing = threading.Event()
        self._peers: dict[socket.socket, socket.socket] = {}
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def freeze(self) -> None:
        self._frozen.set()

    def thaw(self) -> None:
        self._frozen.clear()

    def close(self) -> None:
        self._closing.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self._listener, selectors.EVENT_READ)
        try:
            while not self._closing.is_set():
                for key, _ in selector.select(timeout=0.05):
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    if sock is self._listener:
                        self._accept(selector)
                    elif not self._frozen.is_set():
                        self._relay(selector, sock)
                if self._frozen.is_set():
                    # Nothing is read: bytes wait in the kernel's buffers.
                    self._closing.wait(0.05)
        finally:
            for sock in list(self._peers):
                sock.close()
            self._listener.close()
            selector.close()

    def _accept(self, selector: selectors.BaseSelector) -> None:
        client, _ = self._listener.accept()
        upstream = socket.create_connection(self.target)
        for sock in (client, upstream):
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        self._peers[client], self._peers[upstream] = upstream, client

    def _relay(self, selector: selectors.BaseSelector, sock: socket.socket) -> None:
        peer = self._peers.get(sock)
        if peer is None:
            return
        try:
            data = sock.recv(65536)
            if data:
                peer.setblocking(True)
                peer.sendall(data)
                peer.setblocking(False)
                return
        except OSError:
            pass
        for end in (sock, peer):  # one side closed: close both
            selector.unregister(end)
            end.close()
            self._peers.pop(end, None)
