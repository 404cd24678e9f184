"""Checks of the load test (bench/load.py) once the clients have stopped, every service up:

- sessions and cache are shared by the two app servers: a partner logged in on one saves a fiche
  through the other; before and after, both serve the public page under the same version
  (ETag), and after, both show the change at once;
- the login throttling behind nginx: five wrong passwords sent from another address with a
  forged X-Forwarded-For naming the victim's address lock the attacker out, not the victim.

Each check returns (passed, what was seen, in French)."""

import re

from load_http import Session, Target, parse_form
from load_partner import DEMO_PASSWORD, PARTNERS, READER, SPACE

LOGIN = f"{SPACE}connexion/"


def log_in(session, account, password=DEMO_PASSWORD, extra_headers=None):
    """The real login form; the status of the POST and where it leads."""
    _, _, content = session.get(LOGIN)
    token = parse_form(content).fields.get("csrfmiddlewaretoken", "")
    fields = {"csrfmiddlewaretoken": token, "username": account, "password": password, "next": ""}
    status, response, _ = session.post(LOGIN, fields, LOGIN, extra_headers)
    return status, response.getheader("Location", "")


def _public_page(targets, path):
    """The anonymous visitor's page on each app server: [(ETag, body)]."""
    pages = []
    for target in targets:
        _, response, content = Session(target).get(path)
        pages.append((response.getheader("ETag", ""), content.decode("utf-8", "replace")))
    return pages


def check_shared_state(app_ports, nginx_port):
    """Log in on the first app server, save a fiche through the second, read it on both (each
    one asked directly, with the headers nginx sends)."""
    targets = [Target(port, tls=False, public_port=nginx_port) for port in app_ports]
    first, second = targets
    session = Session(first)
    status, location = log_in(session, PARTNERS[0])
    if status != 302 or not location.startswith(SPACE):
        return False, f"connexion refusée sur l'instance 1 ({status} {location})"
    _, _, content = session.get(SPACE)
    pk = re.search(r"/espace-partenaire/actions/(\d+)/modifier/", content.decode()).group(1)
    _, _, content = session.get(f"{SPACE}actions/{pk}/")
    public = re.search(r'<a href="([^"]+)">Voir la page publique</a>', content.decode()).group(1)
    before = _public_page(targets, public)

    session.target = second  # the session cookie from instance 1, presented to instance 2
    path = f"{SPACE}actions/{pk}/modifier/"
    _, _, content = session.get(path)
    fields = parse_form(content).fields
    fields["summary"] = "Résumé relu sur les deux instances (contrôle de cohérence)."
    status, response, _ = session.post(path, fields, path)
    if status != 302 or not response.getheader("Location", "").startswith(f"{SPACE}actions/"):
        return False, f"enregistrement refusé par l'instance 2 ({status})"
    after = _public_page(targets, public)

    same_before = before[0][0] == before[1][0] != ""
    same_after = after[0][0] == after[1][0] != before[0][0]
    shown = all(fields["summary"] in body for _, body in after)
    seen = (
        f"connexion sur l'instance 1, fiche enregistrée par l'instance 2 ; page publique : "
        f"même version avant ({before[0][0]} / {before[1][0]}), "
        f"même version nouvelle après ({after[0][0]} / {after[1][0]}), "
        f"modification visible sur les deux : {'oui' if shown else 'non'}"
    )
    return same_before and same_after and shown, seen


def check_login_throttling(nginx_port):
    """Through nginx: an attacker at 127.0.0.2 claims to be 127.0.0.1 (X-Forwarded-For) and
    fails five times on the reader's account; the reader, at 127.0.0.1, must still get in."""
    attacker = Session(Target(nginx_port, source="127.0.0.2"))
    forged = {"X-Forwarded-For": "127.0.0.1"}
    for _ in range(5):
        log_in(attacker, READER, "mauvais-mot-de-passe", forged)
    attacker_status, attacker_location = log_in(attacker, READER, extra_headers=forged)
    reader_status, reader_location = log_in(Session(Target(nginx_port)), READER)
    attacker_locked = not attacker_location.startswith(SPACE)
    reader_in = reader_status == 302 and reader_location.startswith(SPACE)
    seen = (
        f"l'attaquant, avec le bon mot de passe après 5 échecs : {attacker_status} "
        f"({'bloqué' if attacker_locked else 'connecté'}) ; la lectrice depuis son adresse : "
        f"{reader_status} ({'connectée' if reader_in else 'bloquée'})"
    )
    return attacker_locked and reader_in, seen
