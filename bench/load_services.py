"""The services of the load test (bench/load.py), each one its own, on 127.0.0.1, so that a fault
injected into one disturbs nothing else on the machine: a PostgreSQL cluster (`pg_createcluster`,
port 5440), a Redis (port 6390, nothing saved to disk), an SMTP sink, the gunicorn instances
and nginx running deploy/nginx.conf."""

import os
import shutil
import signal
import socket
import socketserver
import subprocess
import threading
import time
from pathlib import Path

from server import ROOT, start_gunicorn, stop

PG_CLUSTER = os.environ.get("LOAD_PG_CLUSTER", "load")
PG_PORT = int(os.environ.get("LOAD_PG_PORT", "5440"))
REDIS_PORT = int(os.environ.get("LOAD_REDIS_PORT", "6390"))


def wait_for_port(port, seconds=30, process=None):
    """Until something accepts connections on 127.0.0.1:`port`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and (process is None or process.poll() is None):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


class PostgresCluster:
    """A cluster of the load test's own, so restarting it disturbs no one: created on first use
    (`pg_createcluster VERSION load --port 5440`, trust for local connections), started, and
    stopped at the end; its data directory stays for the next run."""

    def __init__(self, name=PG_CLUSTER, port=PG_PORT):
        versions = sorted(Path("/usr/lib/postgresql").iterdir(), key=lambda p: int(p.name))
        self.version = os.environ.get("LOAD_PG_VERSION", versions[-1].name if versions else "15")
        self.name = name
        self.port = port
        self.url = f"postgres://postgres@127.0.0.1:{port}"

    def _status(self):
        listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True)
        for line in listing.stdout.splitlines():
            version, name, port, status, *_ = line.split()
            if (version, name) == (self.version, self.name):
                return int(port), status
        return None, None

    def ensure(self):
        port, status = self._status()
        if port is None:
            subprocess.run(
                ["pg_createcluster", self.version, self.name, "--port", str(self.port),
                 "--", "--auth-local=trust", "--auth-host=trust"],
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
        elif port != self.port:
            raise SystemExit(
                f"Le cluster PostgreSQL {self.version}/{self.name} écoute sur le port {port}, "
                f"pas {self.port}\u00a0: LOAD_PG_PORT={port}."
            )
        if status != "online":
            self.start()

    def start(self):
        if self._status()[1] != "online":
            subprocess.run(["pg_ctlcluster", self.version, self.name, "start"], check=True)
        wait_for_port(self.port)

    def stop(self):
        subprocess.run(["pg_ctlcluster", self.version, self.name, "stop", "-m", "fast"],
                       check=True)  # fmt: skip


class RedisServer:
    """redis-server on its own port, nothing saved to disk (a restart empties the cache)."""

    def __init__(self, port=REDIS_PORT):
        self.port = port
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        if not wait_for_port(self.port, 10, self.process):
            raise SystemExit(f"redis-server n'a pas démarré sur le port {self.port}")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: every message is accepted and counted."""

    def handle(self):
        self.wfile.write(b"220 teritoire-load SMTP\r\n")
        in_data = False
        while line := self.rfile.readline():
            if in_data:
                if line.rstrip(b"\r\n") == b".":
                    in_data = False
                    self.server.received += 1
                    self.wfile.write(b"250 OK\r\n")
                continue
            verb = line[:4].upper()
            if verb == b"QUIT":
                self.wfile.write(b"221 Bye\r\n")
                return
            in_data = verb == b"DATA"
            self.wfile.write(b"354 Go ahead\r\n" if in_data else b"250 OK\r\n")


class SmtpSink:
    """An SMTP server in this process; stopped, its port is closed (the mail server is down)."""

    def __init__(self):
        self.server = None
        self.received = 0
        with socket.socket() as probe:  # a free port, kept for the restart
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]

    def start(self):
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), _SmtpHandler)
        self.server.daemon_threads = True
        self.server.received = 0
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.received += self.server.received
            self.server = None


class Gunicorn:
    """One app server: `gunicorn -c gunicorn.conf.py teritoire.wsgi` on its own port, its log
    appended to `log_path` (a restart keeps the lines before)."""

    def __init__(self, env, port, log_path):
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
        self.port = port
        self.log_path = log_path
        self.process = None

    def start(self):
        with open(self.log_path, "ab") as log:
            self.process = start_gunicorn(self.env, self.port, log)

    def kill(self):
        """The server dies at once (SIGKILL to the master and its workers): requests in flight
        are cut."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process is not None:
            stop(self.process)


class Nginx:
    """nginx with deploy/nginx.conf, filled in with this run's ports and paths, inside a minimal
    main configuration of the run's own (pid, logs and temporary files in `workdir`)."""

    def __init__(self, port, upstream_ports, workdir):
        self.port = port
        self.workdir = Path(workdir)
        self.upstream_ports = upstream_ports
        self.upstreams = [f"127.0.0.1:{p}" for p in upstream_ports]
        self.access_log = self.workdir / "access.log"
        self.process = None

    def configure(self, static_root):
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.workdir.chmod(0o755)  # nginx's workers (nobody) read it
        cert, key = self.workdir / "cert.pem", self.workdir / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        values = {
            "__SERVER_NAME__": "127.0.0.1 localhost",
            "__HTTPS_PORT__": str(self.port),
            "__APP_SERVER_1__": self.upstreams[0],
            "__APP_SERVER_2__": self.upstreams[1],
            "__TLS_CERTIFICATE__": str(cert),
            "__TLS_CERTIFICATE_KEY__": str(key),
            "__STATIC_ROOT__": str(static_root),
        }
        site = (ROOT / "deploy" / "nginx.conf").read_text()
        for placeholder, value in values.items():
            site = site.replace(placeholder, value)
        (self.workdir / "portail.conf").write_text(site)
        (self.workdir / "nginx.conf").write_text(self._main_conf())

    def _main_conf(self):
        work = self.workdir
        temp = " ".join(
            f"{name}_temp_path {work}/{name};"
            for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        return (
            f"worker_processes 1;\npid {work}/nginx.pid;\nerror_log {work}/error.log warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
            '  log_format load \'$msec $status $request_method "$upstream_addr" '
            '"$upstream_status" $request_time "$request_uri"\';\n'
            f"  access_log {self.access_log} load;\n  {temp}\n"
            f"  include {work}/portail.conf;\n}}\n"
        )

    def start(self):
        work = self.workdir
        command = [shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(work),
                   "-c", str(work / "nginx.conf"), "-e", str(work / "error.log")]  # fmt: skip
        test = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
        if test.returncode != 0:
            raise SystemExit(f"configuration nginx refusée\u00a0:\n{test.stderr}")
        self.process = subprocess.Popen(
            [*command, "-g", "daemon off;"], start_new_session=True, stderr=subprocess.DEVNULL
        )
        if not wait_for_port(self.port, 10, self.process):
            raise SystemExit("nginx n'a pas démarré (voir error.log)")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: requests in flight end
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
