"""The COPIL calendar: the public meetings as iCalendar (RFC 5545), written by `icalendar`.

The library escapes the text values and folds the lines at 75 octets. A meeting with a start
time is given in UTC (its date and time are read in the portal's time zone, Europe/Paris) with an
indicative duration; a meeting without one takes the whole day.
"""

import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from teritoire import identity

MEETING_DURATION = datetime.timedelta(hours=2)

MEETING_FIELDS = [
    ("UID", "Identifiant stable de la réunion (copil-<numéro>@<domaine du portail>)."),
    ("DTSTART / DTEND", "Début et fin : en heure UTC quand l'heure est connue (durée indicative "
     "de deux heures), sinon la journée entière."),
    ("SUMMARY", "Intitulé de la réunion, précédé de « [Démonstration] » pour une réunion fictive."),
    ("LOCATION", "Lieu."),
    ("DESCRIPTION", "Ordre du jour et adresse de la page de la réunion."),
    ("STATUS", "CONFIRMED (prévue ou tenue) ou CANCELLED (annulée)."),
    ("URL", "Page de la réunion sur le portail."),
]  # fmt: skip


def _description(meeting, url):
    agenda = [item.title for item in meeting.agenda_items.all()]
    description = ""
    if agenda:
        description = "Ordre du jour :\n" + "\n".join(
            f"{number}. {title}" for number, title in enumerate(agenda, start=1)
        )
        description += "\n\n"
    return description + f"Page de la réunion : {url}"


def meeting_event(meeting, base_url, domain, stamp):
    event = Event()
    event.add("uid", f"copil-{meeting.pk}@{domain}")
    event.add("dtstamp", stamp)
    if meeting.start_time:
        start = datetime.datetime.combine(
            meeting.date, meeting.start_time, tzinfo=ZoneInfo(settings.TIME_ZONE)
        )
        event.add("dtstart", start.astimezone(datetime.UTC))
        event.add("dtend", (start + MEETING_DURATION).astimezone(datetime.UTC))
    else:
        event.add("dtstart", meeting.date)
        event.add("dtend", meeting.date + datetime.timedelta(days=1))
    event.add("summary", f"[Démonstration] {meeting.title}" if meeting.is_demo else meeting.title)
    if meeting.place:
        event.add("location", meeting.place)
    url = base_url + meeting.get_absolute_url()
    event.add("description", _description(meeting, url))
    cancelled = meeting.status == meeting.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("url", url)
    return event


def ics_content(meetings, base_url):
    """The calendar as bytes, every line ending with CRLF."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    publisher = identity.publisher()
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", f"-//{publisher}//Portail//FR")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"COPIL — {publisher}")
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, base_url, domain, stamp))
    return calendar.to_ical()
