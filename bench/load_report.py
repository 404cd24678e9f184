"""Report of the load test (bench/load.py): the table per kind of request, the errors of the
server log, the summary in French and its place in docs/load.md."""

import datetime
import os
from pathlib import Path

from load_traffic import KINDS
from server import ROOT


def server_errors(log_path):
    """Lines of the server log that report an error (JSON logging in production)."""
    errors = []
    for line in Path(log_path).read_text(errors="replace").splitlines():
        if '"ERROR"' in line or '"CRITICAL"' in line or "Traceback" in line or "[ERROR]" in line:
            errors.append(line[:300])
    return errors


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
            f"| {KINDS[row['kind']]} (`{row['kind']}`) | {row['requests']} | {row['rps']:.1f} "
            f"| {row['errors']} | {row['5xx']} | {row['p50']:.0f} | {row['p90']:.0f} "
            f"| {row['p99']:.0f} | {row['max']:.0f} |"
        )
    lines.append(
        f"| **total** | **{total['requests']}** | "
        f"**{total['requests'] / result['elapsed']:.1f}** | **{total['errors']}** "
        f"| **{total['5xx']}** | | | | |"
    )
    return "\n".join(lines), total


def format_report(result, rows, *, clients, write_share, gunicorn_workers, log_errors, checked):
    """The "## Résultats du …" section; `checked`: (accepted, lost) from check_writes."""
    accepted, lost = checked
    today = datetime.date.today().isoformat()
    report = (
        f"## Résultats du {today}\n\n"
        f"{os.cpu_count()} cœurs ; PostgreSQL local ; gunicorn avec `gunicorn.conf.py` "
        f"({gunicorn_workers} processus, réglages de production) ; données de démonstration "
        f"({result['details']} fiches publiques) ; {clients} clients simultanés pendant "
        f"{result['elapsed']:.0f} s, sur {result['urls']} adresses publiques ; "
        f"{write_share:.0%} des étapes sont des étapes de partenaire (connexion, formulaire, "
        f"envoi).\n\n{rows}\n\n"
        f"- Conflits de version (page 409 « La fiche a été modifiée pendant votre saisie », "
        f"réponse attendue quand deux partenaires enregistrent la même fiche) : "
        f"{result['conflicts']}.\n"
        f"- Erreurs dans le journal du serveur : {len(log_errors)}.\n"
        f"- Écritures acceptées (redirection vers la fiche) et retrouvées dans la base : "
        f"{accepted['note']} notes de suivi, {accepted['measure']} mesures, "
        f"{accepted['edit']} modifications de fiche (version + 1 chacune) ; "
        + ("aucune perdue ni doublée.\n" if not lost else f"**écarts : {lost}**.\n")
    )
    if result["samples"]:
        report += "- Réponses inattendues (extrait) : " + "; ".join(result["samples"]) + "\n"
    return report


def write_report(report):
    """Replace the results section of docs/load.md, keeping the text above it."""
    doc = ROOT / "docs" / "load.md"
    head = doc.read_text().split("## Résultats")[0] if doc.exists() else "# Test de charge\n\n"
    doc.write_text(head.rstrip() + "\n\n" + report)
