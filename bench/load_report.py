"""Report of the load test (bench/load.py): the table per kind of request, the table per phase
of the fault schedule, the goals met or missed, the errors of the server logs, what nginx did,
and their place in docs/load.md."""

import datetime
import json
import math
import os
import re
from collections import Counter
from pathlib import Path

from load_faults import PHASES
from load_traffic import KINDS
from server import ROOT

ANONYMOUS = ("page", "data")
RECOVERY_SECONDS = 10  # full service within 10 s of PostgreSQL's return


def dec(value, digits=1):
    """A number the French way: 3,5."""
    return f"{value:.{digits}f}".replace(".", ",")


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else 0.0


def _failed(event):
    """An unexpected answer; the 409 conflict page is the expected answer to a stale save."""
    _, kind, status, ok, _, _ = event
    return not ok and not (kind == "write" and status == 409)


def phase_rows(result, spans):
    """One row per phase: requests, errors, 5xx (the French 503 page among them), 5xx seen by
    anonymous readers, p99 and the writes accepted or left uncertain."""
    rows = []
    for name, begin, end in spans:  # a request counts in the phase in which it ended
        events = [e for e in result["events"] if begin <= e[0] + e[4] / 1000 < end]
        writes = Counter(o for at, _, o in result["write_events"] if begin <= at < end)
        server = [e for e in events if e[2] is not None and e[2] >= 500]
        rows.append({
            "phase": name, "begin": begin, "end": end, "requests": len(events),
            "errors": sum(map(_failed, events)), "5xx": len(server),
            "unavailable": sum(1 for e in server if e[5]),
            "anonymous_5xx": sum(1 for e in server if e[1] in ANONYMOUS),
            "p99": _percentile([e[4] for e in events], 0.99),
            "accepted": writes["accepted"], "uncertain": writes["uncertain"],
        })  # fmt: skip
    return rows


def phase_table(rows):
    lines = [
        "| phase | de… à… (s) | requêtes | erreurs | 5xx | dont page 503 « indisponible » "
        "| 5xx vus des lecteurs anonymes | p99 (ms) | écritures acceptées | sans réponse sûre |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {PHASES[row['phase']]} | {row['begin']:.0f}–{row['end']:.0f} "
            f"| {row['requests']} | {row['errors']} | {row['5xx']} | {row['unavailable']} "
            f"| {row['anonymous_5xx']} | {row['p99']:.0f} | {row['accepted']} "
            f"| {row['uncertain']} |"
        )
    return "\n".join(lines)


def last_failure_after(result, begin, end):
    """Seconds from `begin` to the start of the last failed request before `end`, or None."""
    late = [e[0] for e in result["events"] if begin <= e[0] < end and _failed(e)]
    return max(late) - begin if late else None


def _recovery(row, result):
    late = last_failure_after(result, row["begin"], row["end"])
    if late is None:
        return True, "aucun échec après le retour"
    return late <= RECOVERY_SECONDS, f"dernier échec commencé {dec(late)} s après le retour"


# phase: (goal, its test on the phase's row -> (met, what was seen))
PHASE_GOALS = {
    "gunicorn": (
        "Instance tuée : aucun 5xx pour les lecteurs anonymes (nginx passe la requête à l'autre "
        "instance)",
        lambda row, _: (row["anonymous_5xx"] == 0,
                        f"{row['anonymous_5xx']} 5xx anonymes sur {row['requests']} requêtes"),
    ),
    "redis": (
        "Redis arrêté : aucun 5xx pour les lecteurs anonymes (pages calculées sans cache)",
        lambda row, _: (row["anonymous_5xx"] == 0,
                        f"{row['anonymous_5xx']} 5xx anonymes, {row['5xx']} 5xx en tout"),
    ),
    "postgres": (
        "PostgreSQL arrêté : chaque 5xx est la page 503 en français",
        lambda row, _: (row["5xx"] == row["unavailable"],
                        f"{row['unavailable']} pages 503 sur {row['5xx']} 5xx"),
    ),
    "postgres_back": (
        f"Service complet dans les {RECOVERY_SECONDS} s qui suivent le retour de PostgreSQL",
        _recovery,
    ),
    "smtp": (
        "SMTP injoignable : aucune erreur visible, écritures acceptées",
        lambda row, _: (row["errors"] == 0 and row["accepted"] > 0,
                        f"{row['errors']} erreurs, {row['accepted']} écritures acceptées"),
    ),
}  # fmt: skip


def goals(rows, result, writes_ok, checks):
    """[(goal, met, what was seen)]; the goal of a fault only when its phase ran."""
    found = []
    for row in rows:
        if row["phase"] in PHASE_GOALS:
            goal, test = PHASE_GOALS[row["phase"]]
            found.append((goal, *test(row, result)))
    calm = [row for row in rows if row["phase"] in ("normal", "end")]
    found.append((
        "Hors pannes : aucune erreur", all(row["errors"] == 0 for row in calm),
        ", ".join(f"{row['errors']} ({PHASES[row['phase']]})" for row in calm),
    ))  # fmt: skip
    found.append(("Aucune écriture acceptée perdue ni doublée, dans aucune phase", writes_ok,
                  "voir le contrôle des écritures ci-dessous"))  # fmt: skip
    found += [(goal, met, seen) for goal, (met, seen) in checks.items()]
    return found


def writes_summary(report):
    names = {"note": "notes de suivi", "measure": "mesures", "edit": "modifications de fiche"}
    parts = []
    for what, row in report.items():
        text = f"{row['accepted']} {names[what]} acceptées"
        problems = [f"{len(row[k])} {label}" for k, label in (
            ("lost", "perdues"), ("doubled", "doublées"),
            ("refused_stored", "refusées mais enregistrées"), ("unknown", "inconnues"),
        ) if row[k]]  # fmt: skip
        text += ", " + (", ".join(problems) if problems else "toutes présentes une fois")
        if row["uncertain"]:
            stored = row["uncertain_stored"]
            text += (f" ; {row['uncertain']} envois sans réponse sûre (5xx ou coupure), "
                     + (f"dont {stored} enregistrés (une fois chacun)" if stored
                        else "aucun enregistré"))  # fmt: skip
        parts.append(text)
    return " ; ".join(parts)


LOG_TIME = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ([+-]\d{4})\]")


def _log_entry(line):
    """(time as an epoch, level, summary) of one line of a server log, or None."""
    if line.startswith("{"):
        try:
            entry = json.loads(line)
            at = datetime.datetime.fromisoformat(entry["time"]).timestamp()
            return at, entry.get("level", ""), f"{entry.get('logger')}: {entry.get('message')}"
        except (ValueError, KeyError):
            return None
    match = LOG_TIME.match(line)
    if not match:
        return None
    at = datetime.datetime.strptime(" ".join(match.groups()), "%Y-%m-%d %H:%M:%S %z")
    level = "ERROR" if "[ERROR]" in line or "[CRITICAL]" in line else "INFO"
    return at.timestamp(), level, "gunicorn: " + line[match.end() :].strip()


def log_errors(log_paths, started, spans):
    """Errors of the server logs by phase: {phase: Counter(summary)}, `None` for outside."""
    found = {}
    for path in log_paths:
        for line in Path(path).read_text(errors="replace").splitlines():
            entry = _log_entry(line)
            if entry is None or entry[1] not in ("ERROR", "CRITICAL"):
                continue
            at = entry[0] - started
            phase = next((name for name, begin, end in spans if begin <= at < end), None)
            summary = re.sub(r"\d+", "N", entry[2])[:140].rstrip(".")
            found.setdefault(phase, Counter())[summary] += 1
    return found


def nginx_summary(access_log):
    """Requests per app server (the first one tried), requests passed to the other one, and the
    answers nginx made itself (502, 504: no app server could answer)."""
    first, retried, own = Counter(), 0, Counter()
    pattern = re.compile(r'^\S+ (\d+) \S+ "([^"]*)" "([^"]*)"')
    for line in Path(access_log).read_text(errors="replace").splitlines():
        match = pattern.match(line)
        if not match:
            continue
        status, upstreams, upstream_statuses = match.groups()
        tried = [u.strip() for u in upstreams.split(",") if u.strip() not in ("", "-")]
        if tried:
            first[tried[0]] += 1
        retried += len(tried) > 1
        if status in ("502", "504") and not upstream_statuses.endswith(status):
            own[status] += 1
    return first, retried, own


def table(result):
    lines = [
        "| type de requête | requêtes | req/s | erreurs | 5xx | p50 (ms) | p90 (ms) | p99 (ms) "
        "| max (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    total = {"requests": 0, "errors": 0, "5xx": 0}
    for row in result["rows"]:
        for key in total:
            total[key] += row[key]
        lines.append(
            f"| {KINDS[row['kind']]} (`{row['kind']}`) | {row['requests']} | {dec(row['rps'])} "
            f"| {row['errors']} | {row['5xx']} | {row['p50']:.0f} | {row['p90']:.0f} "
            f"| {row['p99']:.0f} | {row['max']:.0f} |"
        )
    lines.append(
        f"| **total** | **{total['requests']}** | "
        f"**{dec(total['requests'] / result['elapsed'])}** | **{total['errors']}** "
        f"| **{total['5xx']}** | | | | |"
    )
    return "\n".join(lines), total


def write_report(report):
    """Replace the results section of docs/load.md, keeping the text above it."""
    doc = ROOT / "docs" / "load.md"
    head = doc.read_text().split("## Résultats")[0] if doc.exists() else "# Test de charge\n\n"
    doc.write_text(head.rstrip() + "\n\n" + report)


def setup_line(result, run):
    """What ran, in one paragraph."""
    return (
        f"{os.cpu_count()} cœurs ; nginx ({run['nginx']}, `deploy/nginx.conf`, TLS) devant deux "
        f"instances gunicorn ({run['gunicorn_workers']} processus chacune, réglages de "
        f"production) ; PostgreSQL (cluster du test), Redis et dossier MEDIA_ROOT partagés ; "
        f"données de démonstration ({result['details']} fiches publiques) ; {run['clients']} "
        f"clients pendant {result['elapsed']:.0f} s sur {result['urls']} adresses publiques ; "
        f"{dec(run['write_share'] * 100, 0)}\u00a0% des étapes sont des étapes de partenaire "
        f"(connexion, formulaire, envoi)."
    )


def format_report(result, run, rows, found, *, events, writes, logs, nginx):
    """The "## Résultats du …" section of docs/load.md."""
    today = datetime.date.today().isoformat()
    kinds, _ = table(result)
    lines = [f"## Résultats du {today}", "", setup_line(result, run), ""]
    if events:
        lines += ["Pannes : " + " ; ".join(f"{dec(at)} s {what}" for at, what in events) + ".", ""]
    lines += ["### Par phase", "", phase_table(rows), "", "### Objectifs", ""]
    lines += [f"- {'atteint' if met else '**manqué**'} — {goal} : {seen}." for goal, met, seen
              in found]  # fmt: skip
    lines += ["", "### Par type de requête", "", kinds, ""]
    first, retried, own = nginx
    lines += [
        f"- Conflits de version (page 409, réponse attendue quand deux partenaires enregistrent "
        f"la même fiche) : {result['conflicts']}.",
        f"- Écritures contrôlées dans la base, par jeton : {writes}.",
        "- nginx : requêtes par instance (premier essai) "
        + ", ".join(f"{upstream} : {count}" for upstream, count in sorted(first.items()))
        + f" ; passées à l'autre instance : {retried} ; réponses de nginx lui-même : "
        + (", ".join(f"{n} × {status}" for status, n in own.items()) or "aucune")
        + ".",
    ]
    for phase, counter in logs.items():
        label = PHASES.get(phase, "hors phases")
        detail = "; ".join(f"{n} × {summary}" for summary, n in counter.most_common(4))
        lines.append(f"- Erreurs au journal des serveurs, {label} : {detail}.")
    if not logs:
        lines.append("- Erreurs au journal des serveurs : aucune.")
    if result["samples"]:
        lines.append("- Réponses inattendues (extrait) : " + "; ".join(result["samples"][:10]))
    return french_spaces("\n".join(lines) + "\n")


def french_spaces(text):
    """A no-break space before « : », « ; », « ? » and « ! », as French typography wants."""
    return re.sub(r" ([:;?!])(?=\s|$)", "\u00a0\\1", text)
