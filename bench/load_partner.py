"""Partner side of the load test (bench/load.py): the demo partners who log in through the real
form and post progress notes, measurements and edits of their fiches, and the check that every
write the portal accepted is in the database, once and only once."""

import datetime
import re

from load_http import Session, parse_form
from server import PG

DEMO_PASSWORD = "demo-Touraine-2024"  # published by load_demo (actions/data/demo.json)
PARTNERS = [  # the demo accounts that may write (editors of their organisation)
    "partenaire.ccvalamboise@demo.grand-est-touraine.fr",
    "partenaire.aicr@demo.grand-est-touraine.fr",
]
READER = "lecteur.region@demo.grand-est-touraine.fr"
SPACE = "/espace-partenaire/"


class PartnerSteps:
    """The partner steps of a load worker (load_traffic.Worker), which provides `port`,
    `random`, `stats`, `account`, `session`, `editable`, `contributable` and `timed()`."""

    def login(self):
        self.session = Session(self.port)
        path = f"{SPACE}connexion/"
        status, content = self.timed("login", "GET", path, {200})
        if status != 200:
            return False
        form = parse_form(content)
        fields = {
            "csrfmiddlewaretoken": form.fields.get("csrfmiddlewaretoken", ""),
            "username": self.account,
            "password": DEMO_PASSWORD,
            "next": "",
        }
        status, _ = self.timed("login", "POST", path, {302}, fields, referer=path, redirect=SPACE)
        if status != 302:
            return False
        status, content = self.timed("partner", "GET", SPACE, {200})
        text = content.decode("utf-8", "replace")
        self.editable = sorted(set(re.findall(r"/espace-partenaire/actions/(\d+)/modifier/", text)))
        self.contributable = sorted(set(re.findall(r"/espace-partenaire/actions/(\d+)/", text)))
        return bool(self.contributable)

    def partner_step(self):
        if self.session is None and not self.login():
            self.session = None
            return
        step = self.random.choices(["note", "edit", "measure", "read"], [3, 3, 2, 2])[0]
        if step == "edit" and self.editable:
            self.edit(self.random.choice(self.editable))
        elif step == "measure":
            self.measure(self.random.choice(self.contributable))
        elif step == "note":
            self.note(self.random.choice(self.contributable))
        else:
            pk = self.random.choice(self.contributable)
            self.timed("partner", "GET", f"{SPACE}actions/{pk}/", {200})

    def _form(self, path):
        status, content = self.timed("partner", "GET", path, {200})
        return parse_form(content) if status == 200 else None

    def note(self, pk):
        path = f"{SPACE}actions/{pk}/notes/ajouter/"
        form = self._form(path)
        if form is None:
            return
        fields = {
            "csrfmiddlewaretoken": form.fields["csrfmiddlewaretoken"],
            "date": datetime.date.today().isoformat(),
            "text": f"Point d'étape n° {self.random.randrange(10**6)} (test de charge).",
        }
        self.post_write("note", pk, path, fields)

    def measure(self, pk):
        path = f"{SPACE}actions/{pk}/mesures/ajouter/"
        form = self._form(path)
        indicators = [value for value in form.options.get("indicator", []) if value] if form else []
        if not indicators:
            return
        fields = {
            "csrfmiddlewaretoken": form.fields["csrfmiddlewaretoken"],
            "indicator": self.random.choice(indicators),
            "date": datetime.date.today().isoformat(),
            "value": str(self.random.randrange(0, 500)),
            "comment": "Relevé (test de charge)",
        }
        self.post_write("measure", pk, path, fields)

    def edit(self, pk):
        path = f"{SPACE}actions/{pk}/modifier/"
        form = self._form(path)
        if form is None:
            return
        fields = dict(form.fields)  # the current values, the CSRF token and the version
        fields["progress"] = str(self.random.randrange(0, 101))
        self.post_write("edit", pk, path, fields)

    def post_write(self, what, pk, path, fields):
        """POST a form; success is the redirect to the action's page of the partner space."""
        status, _ = self.timed(
            "write", "POST", path, {302}, fields, referer=path,
            redirect=f"{SPACE}actions/{pk}/",
        )  # fmt: skip
        if status == 302:
            self.stats.wrote(what)


def written_rows(database):
    """What the load's writes leave in the database, to check against the accepted answers."""
    import psycopg

    with psycopg.connect(f"{PG}/{database}") as conn:
        return {
            "note": conn.execute(
                "SELECT count(*) FROM actions_progressupdate WHERE text LIKE %s",
                ["%(test de charge).%"],
            ).fetchone()[0],
            "measure": conn.execute(
                "SELECT count(*) FROM actions_measurement WHERE comment = %s",
                ["Relevé (test de charge)"],
            ).fetchone()[0],
            "edit": conn.execute("SELECT sum(version) FROM actions_action").fetchone()[0],
        }


def check_writes(writes, stored):
    """The writes the portal accepted (by type) and, for each type where that count differs
    from what the database gained, the pair (accepted, stored)."""
    accepted = {what: writes.get(what, 0) for what in stored}
    lost = {
        what: (accepted[what], stored[what]) for what in stored if accepted[what] != stored[what]
    }
    return accepted, lost
