"""Partner side of the load test (bench/load.py): the demo partners who log in through the real
form and post progress notes, measurements and edits of their fiches, and the check that every
write the portal accepted is in the database, once and only once.

Each write carries a token of its own (`c3-17`: client 3, its 17th write) in the note's text, the
measurement's comment or the fiche's summary, so the check follows every write by name: an
accepted write (the redirection to the fiche) must be in the database exactly once; a write
refused on purpose (409 conflict, form error) must not be; a write whose answer never came or
was an error (5xx) may or may not be, and must not be twice.
"""

import datetime
import re
from collections import Counter

from load_http import Session, parse_form

DEMO_PASSWORD = "demo-Touraine-2024"  # published by load_demo (actions/data/demo.json)
PARTNERS = [  # the demo accounts that may write (editors of their organisation)
    "partenaire.ccvalamboise@demo.grand-est-touraine.fr",
    "partenaire.aicr@demo.grand-est-touraine.fr",
]
READER = "lecteur.region@demo.grand-est-touraine.fr"
SPACE = "/espace-partenaire/"
MARK = "test de charge"
TOKEN = re.compile(r"\(test de charge (c\d+-\d+)\)")


class PartnerSteps:
    """The partner steps of a load worker (load_traffic.Worker), which provides `target`,
    `number`, `random`, `stats`, `account`, `session`, `editable`, `contributable` and
    `timed()`."""

    def login(self):
        self.session = Session(self.target)
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

    def _token(self):
        self.written += 1
        return f"c{self.number}-{self.written}"

    def note(self, pk):
        path = f"{SPACE}actions/{pk}/notes/ajouter/"
        form = self._form(path)
        if form is None:
            return
        token = self._token()
        fields = dict(form.fields)  # the CSRF token and whatever hidden field the form has
        fields.update(
            date=datetime.date.today().isoformat(),
            text=f"Point d'étape ({MARK} {token}).",
            status_after="",  # a note only: the fiche itself is not saved
            progress_after="",
        )
        self.post_write("note", token, pk, path, fields)

    def measure(self, pk):
        path = f"{SPACE}actions/{pk}/mesures/ajouter/"
        form = self._form(path)
        indicators = [value for value in form.options.get("indicator", []) if value] if form else []
        if not indicators:
            return
        token = self._token()
        fields = dict(form.fields)
        fields.update(
            indicator=self.random.choice(indicators),
            date=datetime.date.today().isoformat(),
            value=str(self.random.randrange(0, 500)),
            comment=f"Relevé ({MARK} {token})",
        )
        self.post_write("measure", token, pk, path, fields)

    def edit(self, pk):
        path = f"{SPACE}actions/{pk}/modifier/"
        form = self._form(path)
        if form is None:
            return
        token = self._token()
        fields = dict(form.fields)  # the current values, the CSRF token and the version
        summary = TOKEN.sub("", fields.get("summary", "")).rstrip()
        fields["summary"] = f"{summary} ({MARK} {token})".lstrip()
        fields["progress"] = str(self.random.randrange(0, 101))
        self.post_write("edit", token, pk, path, fields)

    def post_write(self, what, token, pk, path, fields):
        """POST a form; success is the redirect to the action's page of the partner space."""
        status, answer = self.timed(
            "write", "POST", path, {302}, fields, referer=path,
            redirect=f"{SPACE}actions/{pk}/", answer=True,
        )  # fmt: skip
        if status == 302:
            outcome = "accepted"
        elif answer is None or answer >= 500:  # no answer, or an error: written or not
            outcome = "uncertain"
        else:  # 409 conflict, form error, sent back to the login page: nothing written
            outcome = "refused"
        self.stats.wrote(what, token, outcome)


def stored_tokens(database_url):
    """The tokens of the load's writes found in the database, with how often, by type."""
    import psycopg

    queries = {
        "note": "SELECT text FROM actions_progressupdate WHERE text LIKE %s",
        "measure": "SELECT comment FROM actions_measurement WHERE comment LIKE %s",
        # one history row per save of the fiche; notes never save it (no status, no progress)
        "edit": "SELECT summary FROM actions_historicalaction "
        "WHERE history_type = '~' AND summary LIKE %s",
    }
    with psycopg.connect(database_url) as conn:
        return {
            what: Counter(
                match.group(1)
                for (text,) in conn.execute(sql, [f"%({MARK} c%"]).fetchall()
                if (match := TOKEN.search(text))
            )
            for what, sql in queries.items()
        }


def check_writes(writes, stored):
    """Compare what the portal answered (`writes`: {type: {outcome: [tokens]}}) with `stored`.

    Returns, by type: accepted, lost (accepted, absent), doubled (twice or more), refused but
    stored, uncertain answers and how many of those were stored."""
    report = {}
    for what, counts in stored.items():
        outcomes = writes.get(what, {})
        accepted = set(outcomes.get("accepted", []))
        refused = set(outcomes.get("refused", []))
        uncertain = set(outcomes.get("uncertain", []))
        report[what] = {
            "accepted": len(accepted),
            "lost": sorted(accepted - set(counts)),
            "doubled": sorted(token for token, n in counts.items() if n > 1),
            "refused_stored": sorted(refused & set(counts)),
            "uncertain": len(uncertain),
            "uncertain_stored": len(uncertain & set(counts)),
            "unknown": sorted(set(counts) - accepted - refused - uncertain),
        }
    return report


def writes_ok(report):
    return not any(
        row["lost"] or row["doubled"] or row["refused_stored"] or row["unknown"]
        for row in report.values()
    )
