"""Hostile input on every form of the partner space: the fiche, notes, measurements, documents,
archiving.

Whoever posts and whatever they post: an outsider gets a 404, a reader a French 403, a refused
form its French errors, a stale version the French conflict page; none of them changes a row or
leaves a file behind. An accepted write keeps the invariants (progress 0–100, end after start,
version + 1) and its text never comes back as live HTML.
"""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from actions.models import Action, Document, Measurement, ProgressUpdate, Status
from actions.space.uploads import MAX_UPLOAD_SIZE

from .conftest import (
    HOSTILE,
    PAYLOADS,
    WRITE_MODELS,
    assert_french_form_error,
    assert_french_page,
    hostile_text,
    live_script,
    media_files,
    query_pairs,
    query_string,
    snapshot,
)

ACTORS = ["editor", "partner_editor", "reader", "outsider"]
STATUSES = [value for value, _ in Status.choices]
DATES = ["", "2024-01-01", "31/12/2025", "01/06/24", "2024-02-30", "0001-01-01", "9999-12-31"]
MARKDOWN = [
    "**Avancement** : convention signée.\n\n- étape 1\n- étape 2",
    "[lien](javascript:alert(1))",
    '<a href="https://example.org" onclick="alert(1)">x</a>',
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<iframe src=//evil.example></iframe>",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
]


def field(valid, hostile=None):
    """A form value: valid, hostile, missing (None) or repeated (a list)."""
    single = st.one_of(st.sampled_from(valid), hostile or hostile_text())
    return st.one_of(single, single, st.none(), st.lists(single, min_size=2, max_size=3))


def form_data(values):
    return {name: value for name, value in values.items() if value is not None}


def last(value):
    return value[-1] if isinstance(value, list) else value


def assert_refused(response, actor):
    """The answer to a write that must not happen, by who asked."""
    if actor == "outsider":
        assert response.status_code == 404
        assert_french_page(response)
    elif response.status_code == 403:
        assert actor in ("reader", "partner_editor")
        assert "Modification non autorisée" in assert_french_page(response)
    else:
        assert actor != "reader", "a reader was shown the form"
        assert_french_form_error(response)


def assert_no_live_script(client, action):
    """The public fiche and the partner page render what was accepted without running it."""
    for url in (action.get_absolute_url(), reverse("space:action", args=[action.pk])):
        response = client.get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert not live_script(text), live_script(text)


# --------------------------------------------------------------------------- the fiche


def test_fiche_edit_refuses_hostile_input_and_keeps_the_invariants(client, world):
    action = world["action"]
    url = reverse("space:action_edit", args=[action.pk])

    seen = set()

    @hsettings(HOSTILE, max_examples=80)
    @given(
        actor=st.sampled_from(ACTORS),
        values=st.fixed_dictionaries(
            {
                "status": field(STATUSES),
                "progress": field(["0", "55", "100", "101", "-1", "1e2", "50.5", "١٢"]),
                "summary": field(["Résumé mis à jour.", *PAYLOADS[10:20]]),
                "description": field(MARKDOWN),
                "start_date": field(DATES),
                "end_date": field(DATES),
                "version": field(["current", "0", "1", "2147483648", "-1", "current+1"]),
            }
        ),
    )
    @example(
        actor="editor",
        values={
            "status": "done",
            "progress": "100",
            "summary": "<script>alert('xss')</script>",
            "description": MARKDOWN[1],
            "start_date": "2024-01-01",
            "end_date": "2025-01-01",
            "version": "current",
        },
    )
    @example(
        actor="editor",
        values={
            "status": "done",
            "progress": "100",
            "summary": "",
            "description": "",
            "start_date": "2025-01-01",
            "end_date": "2024-01-01",
            "version": "current",
        },
    )
    @example(
        actor="editor",
        values={"status": "paused", "progress": "10", "summary": "", "description": "",
                "start_date": "", "end_date": "", "version": "current+1"},
    )  # fmt: skip
    def run(actor, values):
        client.force_login(world[actor])
        current = Action.objects.get(pk=action.pk)
        data = form_data(values)
        if data.get("version") == "current":
            data["version"] = str(current.version)
        elif data.get("version") == "current+1":
            data["version"] = str(current.version + 1)
        before = snapshot(*WRITE_MODELS)
        response = client.post(url, data)
        seen.add((actor, response.status_code))
        if response.status_code == 302:
            assert actor == "editor"
            saved = Action.objects.get(pk=action.pk)
            assert saved.version == current.version + 1
            assert 0 <= saved.progress <= 100
            assert saved.status in STATUSES
            assert not (saved.start_date and saved.end_date and saved.end_date < saved.start_date)
            assert saved.progress == int(last(data["progress"]))
            assert_no_live_script(client, saved)
            return
        assert snapshot(*WRITE_MODELS) == before
        if response.status_code == 409:
            assert actor == "editor" and data["version"] != str(current.version)
            text = assert_french_page(response)
            assert "La fiche a été modifiée pendant votre saisie" in text
            return
        assert_refused(response, actor)

    run()
    assert {
        ("editor", 302),
        ("editor", 200),
        ("editor", 409),
        ("reader", 403),
        ("outsider", 404),
    } <= seen


def test_archive_takes_only_the_exact_value(client, world):
    """Only archived=1 archives; outsiders and readers change nothing."""
    action = world["action"]
    url = reverse("space:action_archive", args=[action.pk])

    seen = set()

    @hsettings(HOSTILE, max_examples=30)
    @given(actor=st.sampled_from(ACTORS), archived=field(["1", "0", "true", "on", " 1", "01"]))
    @example(actor="editor", archived=["1", "0"])
    def run(actor, archived):
        Action.objects.filter(pk=action.pk).update(is_archived=False)
        client.force_login(world[actor])
        before = snapshot(*WRITE_MODELS)
        data = {} if archived is None else {"archived": archived}
        data["version"] = Action.objects.get(pk=action.pk).version
        response = client.post(url, data)
        seen.add((actor, response.status_code))
        if actor == "editor":
            assert response.status_code == 302
            is_archived = Action.objects.get(pk=action.pk).is_archived
            assert is_archived == (last(archived) == "1")
            if not is_archived:
                assert snapshot(*WRITE_MODELS) == before
        else:
            assert snapshot(*WRITE_MODELS) == before
            if actor == "outsider":
                assert response.status_code == 404
            else:
                assert response.status_code == 403
            assert_french_page(response)

    run()
    assert {("editor", 302), ("reader", 403), ("outsider", 404)} <= seen
    Action.objects.filter(pk=action.pk).update(is_archived=False)


# --------------------------------------------------------------------------- progress notes


def test_progress_note_refuses_hostile_input(client, world):
    action = world["action"]
    url = reverse("space:update_create", args=[action.pk])

    seen = set()

    @hsettings(HOSTILE, max_examples=70)
    @given(
        actor=st.sampled_from(ACTORS),
        values=st.fixed_dictionaries(
            {
                "date": field(DATES),
                "text": field(["Réunion de lancement tenue.", *MARKDOWN]),
                "status_after": field(["", *STATUSES]),
                "progress_after": field(["", "0", "100", "101", "-5", "33"]),
            }
        ),
    )
    @example(
        actor="partner_editor",
        values={"date": "2024-03-01", "text": "Note", "status_after": "done",
                "progress_after": "100"},
    )  # fmt: skip
    @example(
        actor="editor",
        values={"date": "01/03/24", "text": MARKDOWN[2], "status_after": "blocked",
                "progress_after": "0"},
    )  # fmt: skip
    @example(
        actor="editor",
        values={"date": "2024-03-01", "text": " \t ", "status_after": "", "progress_after": ""},
    )  # fmt: skip
    def run(actor, values):
        client.force_login(world[actor])
        current = Action.objects.get(pk=action.pk)
        updates = ProgressUpdate.objects.count()
        before = snapshot(*WRITE_MODELS)
        response = client.post(url, {**form_data(values), "version": current.version})
        seen.add((actor, response.status_code))
        if response.status_code == 302:
            assert actor in ("editor", "partner_editor")
            assert ProgressUpdate.objects.count() == updates + 1
            note = ProgressUpdate.objects.latest("pk")
            assert note.text == last(values["text"]).strip() and note.author == world[actor]
            saved = Action.objects.get(pk=action.pk)
            assert 0 <= saved.progress <= 100
            if actor == "partner_editor":  # a partner's note never changes the fiche
                assert (saved.status, saved.progress, saved.version) == (
                    current.status,
                    current.progress,
                    current.version,
                )
            assert_no_live_script(client, saved)
            return
        assert snapshot(*WRITE_MODELS) == before
        assert_refused(response, actor)

    run()
    assert {("editor", 302), ("partner_editor", 302), ("editor", 200), ("reader", 403)} <= seen


# --------------------------------------------------------------------------- measurements


def test_measurement_refuses_hostile_input(client, world):
    action = world["action"]
    url = reverse("space:measurement_create", args=[action.pk])
    own, foreign = str(world["indicator"].pk), str(world["foreign_indicator"].pk)

    seen = set()

    @hsettings(HOSTILE, max_examples=70)
    @given(
        actor=st.sampled_from(ACTORS),
        values=st.fixed_dictionaries(
            {
                "indicator": field([own, own, foreign]),
                "date": field(DATES),
                "value": field(
                    [
                        "12",
                        "12,5",
                        "1 000,25",
                        "-3",
                        "1e3",
                        "NaN",
                        "-Infinity",
                        "9" * 13,
                        "999999999999,99",
                        "0,001",
                        "١٢",
                    ]
                ),  # fmt: skip
                "comment": field(["Relevé trimestriel.", "x" * 301]),
            }
        ),
    )
    @example(
        actor="editor",
        values={"indicator": foreign, "date": "2024-01-01", "value": "1", "comment": ""},
    )
    @example(
        actor="editor",
        values={"indicator": own, "date": "30/06/2024", "value": "12,5", "comment": "ok"},
    )
    @example(
        actor="editor",
        values={"indicator": own, "date": "30/06/2024", "value": "NaN", "comment": "ok"},
    )
    def run(actor, values):
        client.force_login(world[actor])
        count = Measurement.objects.count()
        before = snapshot(*WRITE_MODELS)
        response = client.post(url, form_data(values))
        seen.add((actor, response.status_code))
        if response.status_code == 302:
            assert actor in ("editor", "partner_editor")
            assert Measurement.objects.count() == count + 1
            measurement = Measurement.objects.latest("pk")
            assert str(measurement.indicator_id) == own
            assert abs(measurement.value) < 10**12
            return
        assert snapshot(*WRITE_MODELS) == before
        submitted = last(values["indicator"]) or ""
        if actor != "outsider" and response.status_code == 404:
            assert submitted and submitted != own  # another action's or a made-up indicator
            assert_french_page(response)
        else:
            assert_refused(response, actor)

    run()
    assert {("editor", 302), ("editor", 404), ("editor", 200), ("reader", 403)} <= seen


# --------------------------------------------------------------------------- documents

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n"
NAMES = [
    "rapport.pdf",
    "../../../etc/passwd.pdf",
    "..\\..\\boot.ini.pdf",
    "C:\\Users\\a\\compte rendu.pdf",
    "a\x00b.pdf",
    ".htaccess",
    "shell.php",
    "shell.php.pdf",
    "rapport.pdf.exe",
    "PHOTO.PNG",
    "CON.pdf",
    " .pdf",
    "é" * 300 + ".pdf",
    "<script>alert('xss')</script>.pdf",
    "tableau.csv",
    "tableau.xlsx",
    "\u202efdp.exe",
]


def file_names():
    extension = st.sampled_from([".pdf", ".png", ".csv", ".docx", ".odt", ".exe", ".svg", ""])
    return st.one_of(
        st.sampled_from(NAMES), st.builds(lambda s, e: s + e, st.text(max_size=80), extension)
    )


def file_contents():
    return st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=500).map(lambda b: PDF + b),
        st.binary(max_size=500).map(lambda b: PNG + b),
        st.text(max_size=500).map(lambda t: t.encode("utf-8")),
        st.just(b""),
        st.just(b"PK\x03\x04not really a zip"),
    )


BOUNDARY = "----hostile-boundary-7MA4YWxkTrZu0gW"


def multipart(fields, file_name=None, content=b""):
    """A multipart body as a browser builds it, the file name sent as typed.

    Django's test client would strip the folders from the name (and refuse an empty one)
    before sending: a hand-made body lets the server see what an attacker can send. Like
    browsers, quotes and line breaks of the name are percent-encoded.
    """
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                + item.encode("utf-8")
                + b"\r\n"
            )
    if file_name is not None:
        safe = file_name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{safe}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def post_multipart(client, url, fields, file_name=None, content=b""):
    return client.generic(
        "POST",
        url,
        multipart(fields, file_name, content),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_document_upload_refuses_hostile_files_and_leaves_nothing_behind(client, world):
    action = world["action"]
    url = reverse("space:document_create", args=[action.pk])

    seen = set()

    @hsettings(HOSTILE, max_examples=70)
    @given(
        actor=st.sampled_from(ACTORS),
        title=field(["Compte rendu", *PAYLOADS[:12]]),
        visibility=field(["public", "partners", "staff"]),
        name=file_names(),
        content=file_contents(),
        with_file=st.booleans(),
    )
    @example(actor="editor", title="Rapport", visibility="public",
             name="../../../etc/passwd.pdf", content=PDF, with_file=True)  # fmt: skip
    @example(actor="partner_editor", title="Tableau", visibility="partners",
             name="a\x00b.csv", content=b"a;b\n1;2\n", with_file=True)  # fmt: skip
    @example(actor="reader", title="Rapport", visibility="public",
             name="rapport.pdf", content=PDF, with_file=True)  # fmt: skip
    @example(actor="editor", title="Faux", visibility="public",
             name="photo.png", content=PDF, with_file=True)  # fmt: skip
    def run(actor, title, visibility, name, content, with_file):
        client.force_login(world[actor])
        files_before = media_files()
        count = Document.objects.count()
        before = snapshot(*WRITE_MODELS)
        fields = form_data({"title": title, "visibility": visibility})
        response = post_multipart(client, url, fields, name if with_file else None, content)
        seen.add((actor, response.status_code))
        if response.status_code == 302:
            assert actor in ("editor", "partner_editor")
            assert Document.objects.count() == count + 1
            document = Document.objects.latest("pk")
            assert content and content == document.file.read()
            document.file.close()
            assert re.fullmatch(r"documents/[0-9a-f]{32}\.[a-z]{2,4}", document.file.name)
            assert not re.search(r"[/\\\x00-\x1f]", document.original_name)
            assert not document.original_name.startswith(".")
            assert len(media_files()) == len(files_before) + 1
            if document.visibility != Document.Visibility.STAFF:
                download = client.get(reverse("space:document_download", args=[document.pk]))
                assert download.status_code == 200
                assert download["X-Content-Type-Options"] == "nosniff"
                assert "\n" not in download["Content-Disposition"]
                assert b"".join(download.streaming_content) == content
            return
        assert snapshot(*WRITE_MODELS) == before
        assert media_files() == files_before, "a refused upload left a file behind"
        assert_refused(response, actor)

    run()
    assert {("editor", 302), ("partner_editor", 302), ("editor", 200), ("reader", 403)} <= seen


def test_upload_over_10_mb_is_refused_in_french(client, world):
    action = world["action"]
    client.force_login(world["editor"])
    before = snapshot(*WRITE_MODELS)
    files_before = media_files()
    response = client.post(
        reverse("space:document_create", args=[action.pk]),
        {
            "title": "Trop gros",
            "visibility": "partners",
            "file": upload("gros.pdf", PDF + b"0" * MAX_UPLOAD_SIZE),
        },
    )
    assert "la taille maximale est de 10,0\u00a0Mio" in assert_french_form_error(response)
    assert snapshot(*WRITE_MODELS) == before
    assert media_files() == files_before


def test_document_removal_refuses_outsiders_and_readers(client, world):
    document = world["document"]
    url = reverse("space:document_delete", args=[document.pk])

    seen = set()

    @hsettings(HOSTILE, max_examples=10)
    @given(actor=st.sampled_from(["reader", "outsider"]), junk=hostile_text(40))
    def run(actor, junk):
        client.force_login(world[actor])
        before = snapshot(*WRITE_MODELS)
        response = client.post(url, {"confirm": junk, "pk": junk})
        seen.add((actor, response.status_code))
        assert response.status_code == (404 if actor == "outsider" else 403)
        assert_french_page(response)
        assert snapshot(*WRITE_MODELS) == before

    run()
    assert {("reader", 403), ("outsider", 404)} <= seen


def test_partner_pages_ignore_any_parameter(client, world):
    """GET parameters of the partner space (the preselected indicator and any other)."""
    action = world["action"]
    client.force_login(world["partner_editor"])
    before = snapshot(*WRITE_MODELS)
    pages = [
        reverse("space:dashboard"),
        reverse("space:action", args=[action.pk]),
        reverse("space:update_create", args=[action.pk]),
        reverse("space:measurement_create", args=[action.pk]),
        reverse("space:document_create", args=[action.pk]),
    ]
    own, foreign = str(world["indicator"].pk), str(world["foreign_indicator"].pk)

    @hsettings(HOSTILE, max_examples=30)
    @given(
        path=st.sampled_from(pages),
        pairs=query_pairs(["indicateur", "page", "next"], [own, foreign, "0", "-1"]),
    )
    @example(path=pages[3], pairs=[("indicateur", foreign)])
    @example(path=pages[3], pairs=[("indicateur", "²"), ("indicateur", own)])
    def run(path, pairs):
        response = client.get(f"{path}?{query_string(pairs)}")
        assert response.status_code == 200
        text = assert_french_page(response)
        assert "Hectares requalifiés" not in text  # the other organisation's indicator

    run()
    assert snapshot(*WRITE_MODELS) == before
