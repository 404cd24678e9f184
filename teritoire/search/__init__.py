"""Search over the public texts of the portal: the header's form and the page `/recherche/`.

- `terms.py`: what was typed, cleaned into words (accents and case folded, stop words dropped).
- `matching.py`: the SQL filter, shared with the action plan's `?q=`: French full text with
  `unaccent` on PostgreSQL, a folded `LIKE` on SQLite.
- `highlight.py`: the matched words marked in an excerpt, HTML-escaped.
- `kinds.py`: what is searched (public actions, news, public COPIL meetings and their decisions,
  partners, communes) and how a result is shown; `views.py`: the page.
"""
