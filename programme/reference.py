"""A territory's reference data: read, checked, then written idempotently.

`read_reference_files()` reads and checks every file of a territory's folder (programme/data/ for
the shipped one, see `programme.reference_files`) before anything is written; `load_reference()`
writes the territory, its intercommunalities and communes, the firms' needs, the organisations
(and the needs they help with), the phases and axes, the first COPIL and the news items. Every
write goes through `sync()`: a new row is created; an existing one changes only where the file
changed since the last load and nobody edited the row since (a `ReferenceFingerprint` keeps a
digest of what was loaded); edits are kept and reported. A second run changes nothing (no
`updated_at` bump, no new history row).

`programme.json` holds the manifest (file names, expected communes, the communautés de communes'
slugs and colours), the territory (name, department, region, texts, publisher, labellisation
milestones), the firms' needs, the phases and their axes, the first COPIL and the news items;
`organisations.json` the organisations other than the communautés de communes (with the needs
they help with); a Markdown file the body of each news item. The shipped facts come from the
project's design notes only; nothing there is invented. The caller owns the transaction (see the
`load_territory` command).
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError

from partners.models import Need, Organisation

from .models import (
    AgendaItem,
    Axis,
    Commune,
    CopilMeeting,
    Decision,
    Intercommunality,
    NewsItem,
    Phase,
    Territory,
)
from .reference_files import (
    DATA_DIR,
    PROGRAMME_NAME,
    ReferenceDataError,
    ReferenceFiles,
    read_communes_csv,
    read_json,
    read_manifest,
    read_outlines,
)
from .reference_sync import SyncStats, sync, sync_m2m
from .validators import validate_milestones


@dataclass
class Reference:
    """What `load_reference` wrote, for the callers that build on it."""

    territory: Territory
    phases: dict  # number -> Phase
    axes: dict  # slug -> Axis
    organisations: dict  # slug -> Organisation
    intercommunalities: dict  # SIREN -> Intercommunality
    first_copil: CopilMeeting | None
    news_count: int
    files: ReferenceFiles
    stats: SyncStats


# Reading ---------------------------------------------------------------------------------------


def read_reference_files(data_dir=DATA_DIR):
    """Read and check the folder's files; nothing is written here."""
    data_dir = Path(data_dir)
    programme = read_json(data_dir / PROGRAMME_NAME)
    manifest = read_manifest(programme)
    try:
        validate_milestones(programme["territory"].get("milestones", []))
    except (KeyError, AttributeError, TypeError):
        raise ReferenceDataError(
            f"{PROGRAMME_NAME}\u00a0: la rubrique «\u00a0territory\u00a0» manque."
        ) from None
    except ValidationError as error:
        raise ReferenceDataError(
            f"{PROGRAMME_NAME}, étapes de la labellisation\u00a0: {' '.join(error.messages)}"
        ) from None
    organisations = read_json(data_dir / manifest.organisations_file)
    communes_path = data_dir / manifest.communes_file
    intercommunalities = read_communes_csv(communes_path, manifest)
    expected = {c.insee for i in intercommunalities.values() for c in i.communes}
    outlines = read_outlines(data_dir / manifest.outlines_file, expected, communes_path.name)
    return ReferenceFiles(
        data_dir=data_dir,
        programme=programme,
        manifest=manifest,
        organisations=organisations,
        intercommunalities=intercommunalities,
        outlines=outlines,
    )


def _date(text):
    return datetime.date.fromisoformat(text) if text else None


def french_number(number):
    """107690 -> '107 690' with a no-break space, as French typography wants."""
    return f"{number:,}".replace(",", "\u00a0")


def _sync_needs(specs, stats):
    """The firms' needs (« Recruter »…), in the file's order."""
    needs = {}
    for order, spec in enumerate(specs, start=1):
        values = {"name": spec["name"], "description": spec["description"], "order": order}
        needs[spec["slug"]] = sync(Need, {"slug": spec["slug"]}, values, stats=stats)
    return needs


def _sync_organisations(specs, needs, stats):
    """The organisations; the needs they help with when the file names them (a KeyError: a
    need that programme.json does not list)."""
    organisations = {}
    for spec in specs:
        spec = dict(spec, kind=Organisation.Kind(spec["kind"]))
        slug, need_slugs = spec.pop("slug"), spec.pop("needs", None)
        organisations[slug] = sync(Organisation, {"slug": slug}, spec, stats=stats)
        if need_slugs is not None:
            sync_m2m(organisations[slug].needs, [needs[name] for name in need_slugs], stats)
    return organisations


def _sync_territory(spec, files, stats):
    """The territory; its texts may cite the figures of the files ({commune_count}…)."""
    figures = {
        "intercommunality_count": len(files.intercommunalities),
        "intercommunality_names": ", ".join(i.name for i in files.intercommunalities.values()),
        "commune_count": files.commune_count,
        "population": french_number(files.population),
    }
    return sync(
        Territory,
        {"slug": spec["slug"]},
        {
            "name": spec["name"],
            "department": spec["department"],
            "region": spec["region"],
            "summary": spec.get("summary", "").format(**figures),
            "description": spec.get("description", "").format(**figures),
            "publisher": spec.get("publisher", ""),
            "publisher_notice": spec.get("publisher_notice", "").format(**figures),
            "milestones": spec.get("milestones", []),
        },
        stats=stats,
    )


def _sync_intercommunalities(territory, files, organisations, stats):
    """The communautés de communes, their organisations and their communes, from the CSV."""
    intercommunalities = {}
    for siren, row in files.intercommunalities.items():
        known = files.manifest.intercommunalities[siren]
        organisation = sync(
            Organisation,
            {"slug": known["slug"]},
            {
                "name": row.name,
                "acronym": "",
                "kind": Organisation.Kind.INTERCOMMUNALITY,
                "description": (
                    f"Communauté de communes de {len(row.communes)} communes et "
                    f"{french_number(row.population)} habitants (population municipale), "
                    f"membre du {territory.full_name}."
                ),
            },
            stats=stats,
        )
        organisations[known["slug"]] = organisation
        intercommunality = sync(
            Intercommunality,
            {"siren": siren},
            {
                "territory": territory,
                "name": row.name,
                "slug": known["slug"],
                "population": row.population,
                "colour": known["colour"],
                "organisation": organisation,
            },
            stats=stats,
        )
        intercommunalities[siren] = intercommunality
        for commune in row.communes:
            sync(
                Commune,
                {"insee": commune.insee},
                {
                    "intercommunality": intercommunality,
                    "name": commune.name,
                    "siren": commune.siren,
                    "population": commune.population,
                    "outline": files.outlines[commune.insee],
                },
                stats=stats,
            )
    return intercommunalities


def _sync_phases(territory, specs, stats):
    """The phases, then the axes of each (in that order, as the rows were first written)."""
    phases = {}
    for spec in specs:
        phases[spec["number"]] = sync(
            Phase,
            {"territory": territory, "number": spec["number"]},
            {
                "name": spec["name"],
                "start_date": _date(spec["start_date"]),
                "end_date": _date(spec["end_date"]),
                # A phase whose day of labelling is not known claims no date.
                "labelled_on": _date(spec["labelled_on"]),
                "description": spec["description"],
            },
            stats=stats,
        )
    axes = {}
    for spec in specs:
        for axis in spec["axes"]:
            axes[axis["slug"]] = sync(
                Axis,
                {"slug": axis["slug"]},
                {
                    "phase": phases[spec["number"]],
                    "number": axis["number"],
                    "name": axis["name"],
                    "colour": axis["colour"],
                    "description": axis["description"],
                },
                stats=stats,
            )
    return phases, axes


def _sync_first_copil(phases, spec, stats):
    """The first COPIL of `spec["phase"]` (by default the latest phase), if the folder has one."""
    if not spec:
        return None
    phase = phases[spec.get("phase", max(phases))]
    meeting = sync(
        CopilMeeting,
        {"phase": phase, "date": _date(spec["date"])},
        {
            "title": spec["title"],
            "status": CopilMeeting.Status(spec["status"]),
            "is_public": True,
            "minutes": spec["minutes"],
            "minutes_public": True,
        },
        stats=stats,
    )
    for order, title in enumerate(spec["agenda"], start=1):
        sync(AgendaItem, {"meeting": meeting, "order": order}, {"title": title}, stats=stats)
    for order, text in enumerate(spec["decisions"], start=1):
        values = {"text": text}
        if meeting.status == CopilMeeting.Status.HELD:  # what a held meeting decided is done
            values |= {"status": Decision.Status.DONE, "status_date": meeting.date}
        sync(Decision, {"meeting": meeting, "order": order}, values, stats=stats)
    return meeting


def _sync_news(specs, data_dir, stats):
    for spec in specs:
        sync(
            NewsItem,
            {"slug": spec["slug"]},
            {
                "title": spec["title"],
                "published_on": _date(spec["published_on"]),
                "summary": spec["summary"],
                "body": (data_dir / spec["body"]).read_text(encoding="utf-8"),
                "is_published": True,
            },
            stats=stats,
        )


def load_reference(files, stats=None):
    """Write the reference data read by `read_reference_files`; returns a `Reference`."""
    stats = stats or SyncStats()
    content = files.programme
    try:
        needs = _sync_needs(content.get("needs", []), stats)
        organisations = _sync_organisations(files.organisations, needs, stats)
        territory = _sync_territory(content["territory"], files, stats)
        intercommunalities = _sync_intercommunalities(territory, files, organisations, stats)
        phases, axes = _sync_phases(territory, content["phases"], stats)
        first_copil = _sync_first_copil(phases, content.get("first_copil"), stats)
        _sync_news(content.get("news", []), files.data_dir, stats)
    except (KeyError, FileNotFoundError) as error:
        raise ReferenceDataError(
            f"{PROGRAMME_NAME} ou organisations\u00a0: donnée ou fichier manquant ({error})."
        ) from None
    return Reference(
        territory=territory,
        phases=phases,
        axes=axes,
        organisations=organisations,
        intercommunalities=intercommunalities,
        first_copil=first_copil,
        news_count=len(content.get("news", [])),
        files=files,
        stats=stats,
    )
