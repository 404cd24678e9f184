"""The faults of the load test (bench/load.py), injected while the clients run, one phase each:
an app server killed and restarted, Redis stopped and restarted, PostgreSQL stopped and
restarted, the mail server unreachable. Each step waits its delay after the previous one is done
(a restart takes what it takes), so every fault lasts as planned; the delays are those of a
60-second run, scaled to the run's length."""

import time
from dataclasses import dataclass, field

PHASES = {
    "normal": "service normal",
    "gunicorn": "instance 1 de gunicorn tuée (SIGKILL) puis relancée",
    "redis": "Redis arrêté, puis relancé vide",
    "postgres": "PostgreSQL arrêté",
    "postgres_back": "PostgreSQL revenu (reprise)",
    "smtp": "serveur SMTP injoignable (port fermé)",
    "end": "service normal (fin)",
}
# (seconds after the previous step, the phase that begins, the action, what the log says)
SCHEDULE = [
    (6, "gunicorn", "kill_app", "instance 1 tuée"),
    (5, None, "start_app", "instance 1 relancée et prête"),
    (4, "redis", "stop_redis", "Redis arrêté"),
    (6, None, "start_redis", "Redis relancé"),
    (3, "postgres", "stop_postgres", "PostgreSQL arrêté"),
    (6, None, "start_postgres", "PostgreSQL revenu"),
    (12, "smtp", "stop_smtp", "serveur SMTP arrêté"),
    (8, None, "start_smtp", "serveur SMTP relancé"),
]
TAIL = 6  # seconds of normal service after the last step
# phases that begin once an action is done: the recovery is timed from PostgreSQL's return
AFTER = {"start_postgres": "postgres_back", "start_smtp": "end"}


@dataclass
class FaultLog:
    """When each phase began and what happened, in seconds since the clients started."""

    started: float  # time.time() of the start, shared with the clients
    phases: list = field(default_factory=list)  # [name, begin]
    events: list = field(default_factory=list)  # [second, what]

    def now(self):
        return round(time.time() - self.started, 2)

    def begin(self, name):
        self.phases.append([name, max(0.0, self.now())])

    def event(self, what):
        self.events.append([self.now(), what])

    def spans(self, end):
        """[(name, begin, end)] of every phase, the last one ending at `end`."""
        ends = [begin for _, begin in self.phases[1:]] + [end]
        return [(name, begin, ends[i]) for i, (name, begin) in enumerate(self.phases)]


def inject_faults(services, started, seconds):
    """Run the schedule against `services` (load.Services) from `started` (time.time());
    returns the FaultLog."""
    log = FaultLog(started)
    log.begin("normal")
    actions = {
        "kill_app": services.apps[0].kill,
        "start_app": services.apps[0].start,
        "stop_redis": services.redis.stop,
        "start_redis": services.redis.start,
        "stop_postgres": services.postgres.stop,
        "start_postgres": services.postgres.start,
        "stop_smtp": services.smtp.stop,
        "start_smtp": services.smtp.start,
    }
    scale = seconds / 60
    for delay, phase, action, done in SCHEDULE:
        time.sleep(max(0.0, max(started, time.time()) + delay * scale - time.time()))
        if phase:
            log.begin(phase)
        actions[action]()
        log.event(done)
        if action in AFTER:
            log.begin(AFTER[action])
    time.sleep(TAIL * scale)
    return log
