"""Test guard: when LIP_NETGUARD_LOG is set, any IP connection is logged there and refused.

Put this folder on PYTHONPATH of a subprocess (papermill's kernel inherits it) to prove a run
never reaches for the network. Local (Unix-socket) connections are allowed.
"""

import os
import socket

_LOG = os.environ.get("LIP_NETGUARD_LOG")
if _LOG:
    _connect = socket.socket.connect
    _connect_ex = socket.socket.connect_ex

    def _refuse(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            with open(_LOG, "a", encoding="utf-8") as fh:
                fh.write(f"{os.getpid()} {address!r}\n")
            raise OSError(f"network connection refused by the test guard: {address!r}")
        return None

    def connect(self, address):
        _refuse(self, address)
        return _connect(self, address)

    def connect_ex(self, address):
        _refuse(self, address)
        return _connect_ex(self, address)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
